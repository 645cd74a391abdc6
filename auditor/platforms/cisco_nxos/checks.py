"""Named checks for Cisco NX-OS that the policy language cannot express, and their registry.

SNMP-03, SNMP-04 (users) and IFC-02 (the IOS check with NX-OS syntax) are here; the routing
checks (RTE-01..04, WAN-02) read NX-OS into the IOS models in `routing.py`. The IOS ACL checks
(DP-07, WAN-04) read NX-OS ACLs, the vty line and interface filters as they are, so they are
registered unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ...config import ConfigLine, Rx
from ...context import CheckContext, CheckFn
from ...models import Outcome
from ..cisco_ios import checks as ios
from ..cisco_ios.acl import no_permit_any_inbound, vty_filters_within
from ..cisco_ios.checks import PortGuardSyntax
from ..cisco_ios.common import outcome_of
from .routing import bgp_authenticated, bgp_networks_within, ebgp_filtered, ebgp_maximum_prefix, igp_authenticated

# ---------------------------------------------------------------- pattern tables

# SNMP: a community's settings are separate lines (`group ...`, `use-acl ACL`, `use-ipv4acl ACL`)
_COMMUNITY = Rx(r"^snmp-server community (?P<name>\S+)(?: (?P<rest>.+))?$")
_COMMUNITY_ACL = re.compile(r"\buse-(?:ipv4)?acl (?P<acl>\S+)")
# SNMPv3 users: the auth/priv passwords are on one line, roles and ACLs may add lines of their own
_SNMP_USER = Rx(r"^snmp-server user (?P<name>\S+)")
_USER_PRIV = re.compile(r" auth \S+ \S+ priv ")
# IFC-02. NX-OS hides the default `switchport mode access`, so `switchport` alone or an access VLAN
# makes an access port unless another mode is set; an edge port is `spanning-tree port type edge`
# (`network` and `normal` are not), and `spanning-tree port type edge bpduguard default` guards edge ports.
_PORT_GUARD = PortGuardSyntax(
    access=Rx(r"^switchport(?:$| mode access$| access vlan \d)"),
    guard=Rx(r"^spanning-tree bpduguard (?:enable|disable)$"),
    edge=Rx(r"^spanning-tree port type (?:edge\b|(?P<off>network|normal)$)"),
    edge_default=Rx(r"^spanning-tree port type edge default$"),
    guard_default=Rx(r"^spanning-tree port type edge bpduguard default$"),
    edge_name="an edge port",
    other_mode=Rx(r"^switchport mode (?!access$)"),
)


# ---------------------------------------------------------------- SNMP-03


def snmp_communities_filtered(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    """Every SNMP community has a use-acl / use-ipv4acl line naming a defined ACL."""
    kind = str(params.get("kind", "acl"))
    communities: dict[str, list[ConfigLine]] = {}
    acls: dict[str, list[str]] = {}
    for line, m in ctx.tree.find(_COMMUNITY):
        communities.setdefault(m.group("name"), []).append(line)
        acls.setdefault(m.group("name"), []).extend(a.group("acl") for a in _COMMUNITY_ACL.finditer(m.group("rest") or ""))
    defined = ctx.defined(kind)
    bad: list[tuple[str, list[ConfigLine]]] = []
    # a community is named by its line number: its name is a secret
    for name, lines in communities.items():
        where = f"the community of line {lines[0].number}"
        if not acls[name]:
            bad.append((f"{where} has no use-acl", lines))
        bad += [(f"{where} uses undefined ACL {acl}", lines) for acl in acls[name] if acl not in defined]
    return outcome_of(ctx, bad, "snmp-server community NAME use-acl ACL, ACL defined",
                      None if communities else "no SNMP community")


def snmp_users_private(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    """Every SNMPv3 user has authentication and privacy (auth ... priv ...) on one of its lines."""
    users: dict[str, list[ConfigLine]] = {}
    for line, m in ctx.tree.find(_SNMP_USER):
        users.setdefault(m.group("name"), []).append(line)
    bad = [(f"SNMP user {name} has no privacy", lines) for name, lines in users.items()
           if not any(_USER_PRIV.search(line.text) for line in lines)]
    return outcome_of(ctx, bad, "snmp-server user NAME ... auth ... priv ...", None if users else "no SNMP user")


# ---------------------------------------------------------------- IFC-02


def access_ports_guarded(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    """Every active access port has BPDU guard, on the port or by the edge-port default when it is an edge port."""
    return ios.access_ports_guarded(ctx, params, syntax=_PORT_GUARD)


CHECKS: Mapping[str, CheckFn] = {
    "snmp_communities_filtered": snmp_communities_filtered,
    "snmp_users_private": snmp_users_private,
    "access_ports_guarded": access_ports_guarded,
    "igp_authenticated": igp_authenticated,
    "bgp_authenticated": bgp_authenticated,
    "ebgp_maximum_prefix": ebgp_maximum_prefix,
    "ebgp_filtered": ebgp_filtered,
    "bgp_networks_within": bgp_networks_within,
    "no_permit_any_inbound": no_permit_any_inbound,
    "vty_filters_within": vty_filters_within,
}
