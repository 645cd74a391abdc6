"""Named checks over FortiOS firewall policies: references (DP-06), permit-any-any (DP-07) and the
separation of the dedicated network from the Internet (WAN-01)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...config import ConfigLine, Rx
from ...context import CheckContext
from ...models import Outcome
from .common import Settings, blocks, entries, entry_name, listed, names, outcome, settings, tables, value

# ---------------------------------------------------------------- tables

_POLICY_TABLES = Rx(r"^config firewall policy6?$")
# Policy settings that name objects, by the kind of object they name.
_REFERENCES: Mapping[str, tuple[str, ...]] = {
    "interface": ("srcintf", "dstintf"),
    "address": ("srcaddr", "dstaddr", "srcaddr6", "dstaddr6"),
    "service": ("service",),
    "schedule": ("schedule",),
}
# Where each kind is defined: paths of blocks (a table, then nested blocks) whose `edit NAME`
# entries define NAME. Interfaces include zones, SD-WAN zones, IPsec tunnels and wireless VAPs.
_DEFINITIONS: Mapping[str, tuple[tuple[Rx, ...], ...]] = {
    "interface": (
        (Rx(r"^config system (?:interface|zone|switch-interface)$"),),
        (Rx(r"^config system sdwan$"), Rx(r"^config zone$")),
        (Rx(r"^config vpn ipsec (?:phase1-interface|manualkey-interface)$"),),
        (Rx(r"^config wireless-controller vap$"),),
    ),
    "address": (
        (Rx(r"^config firewall (?:address6?|addrgrp6?|vip(?:6|46|64)?|vipgrp(?:6|46|64)?|multicast-address6?"
            r"|proxy-address|proxy-addrgrp)$"),),
        (Rx(r"^config system external-resource$"),),
    ),
    "service": ((Rx(r"^config firewall service (?:custom|group)$"),),),
    "schedule": ((Rx(r"^config firewall schedule (?:recurring|onetime|group)$"),),),
}
# Objects FortiOS defines itself (catalogue interpretation: `all`, `ALL`, `always`, `any`).
_BUILTIN: Mapping[str, frozenset[str]] = {
    "interface": frozenset({"any"}),
    "address": frozenset({"all"}),
    "service": frozenset({"ALL"}),
    "schedule": frozenset({"always"}),
}
# FortiOS 6.x SD-WAN: the table itself defines the interface `virtual-wan-link`.
_VIRTUAL_WAN_LINK = Rx(r"^config system virtual-wan-link$")
_ZONES = Rx(r"^config system zone$")
_SDWAN = Rx(r"^config system (?:sdwan|virtual-wan-link)$")
_MEMBERS = Rx(r"^config members$")


@dataclass(frozen=True)
class _Policy:
    """One firewall policy entry with its settings."""

    entry: ConfigLine
    settings: Settings

    @property
    def label(self) -> str:
        return f"policy {entry_name(self.entry)}"

    @property
    def accepting(self) -> bool:
        """An enabled policy whose action is accept (FortiOS defaults to deny)."""
        return value(self.settings, "action") == "accept" and value(self.settings, "status") != "disable"

    def lines(self, *keys: str) -> list[ConfigLine]:
        return [self.entry, *(self.settings[k][1] for k in keys if k in self.settings)]


def _policies(ctx: CheckContext) -> list[_Policy]:
    found: list[_Policy] = ctx.memo("fgt.policies", lambda: [
        _Policy(e, settings(e)) for table in tables(ctx, _POLICY_TABLES) for e in entries(table)])
    return found


# ---------------------------------------------------------------- DP-06


def _defined(ctx: CheckContext, kind: str) -> set[str]:
    found = names(ctx, _DEFINITIONS[kind]) | _BUILTIN[kind]
    if kind == "interface" and ctx.tree.first(_VIRTUAL_WAN_LINK) is not None:
        found.add("virtual-wan-link")
    return found


def policy_references_defined(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    """Every interface, address, service and schedule that a firewall policy names is defined."""
    policies = _policies(ctx)
    defined = {kind: _defined(ctx, kind) for kind in _REFERENCES}
    bad: list[tuple[str, list[ConfigLine]]] = []
    for p in policies:
        for kind, keys in _REFERENCES.items():
            for key in keys:
                missing = [v for v in listed(p.settings, key) if v not in defined[kind]]
                if missing:
                    bad.append((f"{p.label}: {key} {', '.join(missing)} not defined", p.lines(key)))
    return outcome(ctx, bad, "every object a policy names is defined", None if policies else "no firewall policy")


# ---------------------------------------------------------------- DP-07


def _all(p: _Policy, key: str, everything: str) -> bool:
    """The setting names the catch-all object and is not negated."""
    return everything in listed(p.settings, key) and value(p.settings, f"{key}-negate") != "enable"


def no_permit_any_any(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    """No enabled accept policy has source all, destination all and service ALL."""
    policies = _policies(ctx)
    bad: list[tuple[str, list[ConfigLine]]] = []
    for p in policies:
        if not p.accepting or not _all(p, "service", "ALL"):
            continue
        for src, dst in (("srcaddr", "dstaddr"), ("srcaddr6", "dstaddr6")):
            if _all(p, src, "all") and _all(p, dst, "all"):
                bad.append((f"{p.label} accepts {src} all to {dst} all, service ALL",
                            p.lines(src, dst, "service", "action")))
                break
    return outcome(ctx, bad, "no accept policy from all to all for service ALL",
                   None if policies else "no firewall policy")


# ---------------------------------------------------------------- WAN-01


def _roles_by_name(ctx: CheckContext) -> dict[str, frozenset[str]]:
    """Interface roles by canonical name; a zone or SD-WAN zone has its members' roles, `any` all roles."""
    canon = ctx.platform.canonical_ifname
    roles: dict[str, frozenset[str]] = {canon(i.name): i.roles for i in ctx.interfaces}

    def union(members: list[str]) -> frozenset[str]:
        return frozenset(r for m in members for r in roles.get(canon(m), ()))

    for table in tables(ctx, _ZONES):
        for zone in entries(table):
            roles[canon(entry_name(zone))] = union(listed(settings(zone), "interface"))
    for table in tables(ctx, _SDWAN):
        zones: dict[str, list[str]] = {}
        for block in blocks(table, _MEMBERS):
            for member in entries(block):
                found = settings(member)
                zones.setdefault(value(found, "zone") or "virtual-wan-link", []).extend(listed(found, "interface"))
        for name, members in zones.items():
            roles[canon(name)] = union(members)
    roles["any"] = frozenset(r for rs in list(roles.values()) for r in rs)
    return roles


def policies_separate(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    """No accept policy joins an interface of one role (tslcd) to one of the other (internet), either way."""
    first, second = params.get("roles", ("tslcd", "internet"))
    roles = _roles_by_name(ctx)
    canon = ctx.platform.canonical_ifname
    bad: list[tuple[str, list[ConfigLine]]] = []
    for p in _policies(ctx):
        if not p.accepting:
            continue
        src = frozenset(r for n in listed(p.settings, "srcintf") for r in roles.get(canon(n), ()))
        dst = frozenset(r for n in listed(p.settings, "dstintf") for r in roles.get(canon(n), ()))
        if (first in src and second in dst) or (second in src and first in dst):
            bad.append((f"{p.label} accepts traffic between {first} and {second} interfaces",
                        p.lines("srcintf", "dstintf", "action")))
    return outcome(ctx, bad, f"no accept policy between {first} and {second} interfaces")
