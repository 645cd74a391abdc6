"""Named checks over FortiOS routing: OSPF interface authentication (RTE-01) and the BGP neighbour
model (RTE-02, RTE-03, RTE-04)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ...config import ConfigLine, Rx
from ...context import CheckContext
from ...models import Outcome, Status
from .common import Settings, blocks, entries, entry_name, listed, names, outcome, settings, tables, value

# ---------------------------------------------------------------- tables

_OSPF = Rx(r"^config router ospf$")
_OSPF_INTERFACES = Rx(r"^config ospf-interface$")
_OSPF_CRYPTO = frozenset({"md5", "message-digest"})  # 6.x prints md5, 7.x message-digest
_LOOPBACK = "loopback"

_BGP = Rx(r"^config router bgp$")
_NEIGHBOURS = Rx(r"^config neighbor$")
_GROUPS = Rx(r"^config neighbor-group$")
_RANGES = Rx(r"^config neighbor-range6?$")
# Neighbour filter settings (in and out forms) and where the objects they name are defined.
_FILTERS: Mapping[str, tuple[Rx, ...]] = {
    "route-map": (Rx(r"^config router route-map$"),),
    "prefix-list": (Rx(r"^config router prefix-list$"),),
    "distribute-list": (Rx(r"^config router access-list$"),),
    "filter-list": (Rx(r"^config router aspath-list$"),),
}


# ---------------------------------------------------------------- RTE-01


def ospf_authenticated(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    """Every OSPF interface entry that can form an adjacency uses MD5 (message-digest) authentication."""
    loopbacks = {ctx.platform.canonical_ifname(i.name) for i in ctx.interfaces
                 if value(settings(i.line), "type") == _LOOPBACK}
    bad: list[tuple[str, list[ConfigLine]]] = []
    checked = 0
    for ospf in tables(ctx, _OSPF):
        passive = {ctx.platform.canonical_ifname(n) for n in listed(settings(ospf), "passive-interface")}
        for block in blocks(ospf, _OSPF_INTERFACES):
            for entry in entries(block):
                found = settings(entry)
                ifname = ctx.platform.canonical_ifname(value(found, "interface"))
                if ifname in passive or ifname in loopbacks:
                    continue
                checked += 1
                mode = value(found, "authentication") or "none"
                if mode not in _OSPF_CRYPTO:
                    where = [entry, found["authentication"][1]] if "authentication" in found else [entry]
                    bad.append((f"ospf-interface {entry_name(entry)} uses authentication {mode}", where))
    return outcome(ctx, bad, "set authentication message-digest (md5) on every OSPF interface",
                   None if checked else "no OSPF interface can form an adjacency")


# ---------------------------------------------------------------- BGP neighbour model


@dataclass(frozen=True)
class _Neighbour:
    """A neighbour or a neighbour range, with the settings it has (a range takes its group's)."""

    label: str
    line: ConfigLine
    settings: Settings
    ebgp: bool


def _asn(text: str) -> int | None:
    """An AS number, asplain or asdot; None when absent or unreadable."""
    high, _, low = text.partition(".")
    try:
        return int(high) * 65536 + int(low) if low else int(high)
    except ValueError:
        return None


def _neighbours(ctx: CheckContext) -> list[_Neighbour]:
    out = []
    for bgp in tables(ctx, _BGP):
        local = _asn(value(settings(bgp), "as"))
        groups = {entry_name(e): settings(e) for b in blocks(bgp, _GROUPS) for e in entries(b)}
        found: list[tuple[str, ConfigLine, Settings]] = [
            (f"neighbor {entry_name(e)}", e, settings(e)) for b in blocks(bgp, _NEIGHBOURS) for e in entries(b)]
        for block in blocks(bgp, _RANGES):
            for e in entries(block):
                own = settings(e)
                group = value(own, "neighbor-group")
                # a range takes what its neighbour group sets (inheritance counts)
                found.append((f"neighbor-range {value(own, 'prefix') or entry_name(e)} (group {group or 'none'})", e,
                              {**groups.get(group, {}), **own}))
        for label, line, kept in found:
            remote = _asn(value(kept, "remote-as"))
            # an unknown remote AS is treated as external: the stricter reading
            out.append(_Neighbour(label, line, kept, remote is None or remote != local))
    return out


def _bgp_check(ctx: CheckContext, ebgp_only: bool, what: str, problem: Callable[[_Neighbour], str | None]) -> Outcome:
    neighbours: list[_Neighbour] = ctx.memo("fgt.bgp-neighbours", lambda: _neighbours(ctx))
    selected = [n for n in neighbours if n.ebgp or not ebgp_only]
    if not selected:
        return Outcome(Status.NOT_APPLICABLE, f"no {'eBGP ' if ebgp_only else ''}neighbour")
    return outcome(ctx, [(f"{n.label} {why}", [n.line]) for n in selected if (why := problem(n)) is not None], what)


def bgp_authenticated(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    """Every BGP neighbour (and neighbour range, through its group) has a password or TCP-AO options."""
    def problem(n: _Neighbour) -> str | None:
        return None if listed(n.settings, "password") or listed(n.settings, "auth-options") else "has no password"
    return _bgp_check(ctx, False, "set password on every neighbour", problem)


def ebgp_maximum_prefix(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    """Every eBGP neighbour has a maximum-prefix limit above 0 (0 means no limit)."""
    def problem(n: _Neighbour) -> str | None:
        limit = value(n.settings, "maximum-prefix")
        if limit.isdigit() and int(limit) > 0:
            return None
        return "has maximum-prefix 0 (no limit)" if limit else "has no maximum-prefix"
    return _bgp_check(ctx, True, "set maximum-prefix N (N > 0) on every eBGP neighbour", problem)


def ebgp_filtered(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    """Every eBGP neighbour has an inbound and an outbound route filter, each defined."""
    defined = {kind: names(ctx, (paths,)) for kind, paths in _FILTERS.items()}

    def problem(n: _Neighbour) -> str | None:
        why = []
        for direction in ("in", "out"):
            used = [(kind, v) for kind in _FILTERS for v in listed(n.settings, f"{kind}-{direction}")]
            if not used:
                why.append(f"has no {direction}bound filter")
            why += [f"uses undefined {kind} {v}" for kind, v in used if v not in defined[kind]]
        return ", ".join(why) or None

    return _bgp_check(ctx, True, "defined route-map-in and route-map-out (or prefix-list) on every eBGP neighbour",
                      problem)
