"""Named checks for Cisco IOS that the policy language cannot express, and their registry.

Each takes the check context and the rule's `params` and returns an Outcome. The patterns they
read are the tables of `common.py` (compiled once); ACL checks live in `acl.py`, routing checks
(IGP, the BGP neighbour model) in `routing.py`; AAA-01 and IFC-02 are here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...config import ConfigLine, Rx
from ...context import CheckContext, CheckFn
from ...models import Outcome, Status
from .acl import no_permit_any_inbound, vty_filters_within
from .common import (
    AAA_BUILTIN_GROUPS,
    AAA_GROUP,
    AAA_LOGIN,
    AAA_NEW_MODEL,
    BPDUGUARD,
    BPDUGUARD_DEFAULT,
    LOGIN_AUTH,
    PORTFAST,
    PORTFAST_DEFAULT,
    SW_ACCESS,
    SW_DYNAMIC,
    VTY,
    child_group,
    outcome_of,
)
from .routing import bgp_authenticated, bgp_networks_within, ebgp_filtered, ebgp_maximum_prefix, igp_authenticated

# ---------------------------------------------------------------- AAA-01


def aaa_central_login(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    """AAA is on and every vty logs in through a list whose first method is a server group."""
    tree = ctx.tree
    if tree.first(AAA_NEW_MODEL) is None:
        return Outcome(Status.FAIL, "aaa new-model is not configured", expected="aaa new-model", actual="absent")
    lists = {m.group("list"): (line, m.group("methods").split()) for line, m in tree.find(AAA_LOGIN)}
    groups = {m.group("name") for _, m in tree.find(AAA_GROUP)} | AAA_BUILTIN_GROUPS
    used: dict[str, list[ConfigLine]] = {}
    for vty, _ in tree.sections(VTY):
        name = child_group(vty, LOGIN_AUTH, "list")
        used.setdefault(name or "default", []).append(vty)
    if not used:
        used["default"] = []
    bad: list[tuple[str, list[ConfigLine]]] = []
    for name, where in used.items():
        if name not in lists:
            bad.append((f"login list {name!r} is not defined", where))
            continue
        line, methods = lists[name]
        if methods[:1] != ["group"] or len(methods) < 2:
            bad.append((f"login list {name!r} does not start with a server group", [line, *where]))
        elif methods[1] not in groups:
            bad.append((f"login list {name!r} uses undefined server group {methods[1]!r}", [line, *where]))
    return outcome_of(ctx, bad, "aaa authentication login LIST group SERVERS ... on every vty")


# ---------------------------------------------------------------- IFC-02


@dataclass(frozen=True)
class PortGuardSyntax:
    """How a platform writes access ports and BPDU guard, for IFC-02."""

    access: Rx  # a child that makes the port an access port
    guard: Rx  # per-port BPDU guard, `... enable` or `... disable`
    edge: Rx  # per-port edge (portfast) setting; group `off` is set when it turns edge off
    edge_default: Rx  # global: ports are edge ports unless they say otherwise
    guard_default: Rx  # global: edge ports get BPDU guard
    edge_name: str  # what the platform calls an edge port, for messages
    other_mode: Rx | None = None  # a child that makes the port something other than access
    dynamic: Rx | None = None  # a child that makes the port negotiate its mode (DTP)


IOS_PORT_GUARD = PortGuardSyntax(SW_ACCESS, BPDUGUARD, PORTFAST, PORTFAST_DEFAULT, BPDUGUARD_DEFAULT, "portfast",
                                 dynamic=SW_DYNAMIC)


def access_ports_guarded(ctx: CheckContext, params: Mapping[str, Any], *,
                         syntax: PortGuardSyntax = IOS_PORT_GUARD) -> Outcome:
    """Access ports do not negotiate (no dynamic mode) and have BPDU guard, per port or by portfast default."""
    tree = ctx.tree
    portfast_default = tree.first(syntax.edge_default) is not None
    guard_default = tree.first(syntax.guard_default) is not None
    bad: list[tuple[str, list[ConfigLine]]] = []
    ports = 0
    for i in ctx.interfaces:
        if i.shutdown:
            continue
        line = i.line
        dynamic = line.child(syntax.dynamic) if syntax.dynamic is not None else None
        if dynamic is not None:
            ports += 1
            bad.append((f"{i.name} negotiates its mode (DTP)", [line, dynamic]))
            continue
        if line.child(syntax.access) is None or (syntax.other_mode is not None and line.child(syntax.other_mode)):
            continue
        ports += 1
        guard = line.child(syntax.guard)
        if guard is not None:
            if guard.text.endswith("enable"):
                continue
            bad.append((f"{i.name} disables BPDU guard", [line, guard]))
            continue
        pf = next((m for _, m in line.find_children(syntax.edge)), None)
        portfast = portfast_default if pf is None else pf.group("off") is None
        if not (guard_default and portfast):
            why = "has no BPDU guard" if not guard_default else f"is not {syntax.edge_name}, so the BPDU guard default misses it"
            bad.append((f"{i.name} {why}", [line]))
    return outcome_of(ctx, bad, "spanning-tree bpduguard on every access port, no dynamic ports",
                    None if ports else "no active access port")


CHECKS: Mapping[str, CheckFn] = {
    "aaa_central_login": aaa_central_login,
    "no_permit_any_inbound": no_permit_any_inbound,
    "vty_filters_within": vty_filters_within,
    "igp_authenticated": igp_authenticated,
    "bgp_authenticated": bgp_authenticated,
    "ebgp_maximum_prefix": ebgp_maximum_prefix,
    "ebgp_filtered": ebgp_filtered,
    "bgp_networks_within": bgp_networks_within,
    "access_ports_guarded": access_ports_guarded,
}
