"""IOS access lists: the ACL entry model, DP-07 (no permit-any-any inbound) and WAN-04 (vty filters)."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any, NamedTuple

from ...addresses import network
from ...config import ConfigLine, ConfigTree
from ...context import CheckContext
from ...models import Outcome, Status
from .common import (
    ACCESS_CLASS,
    ACE,
    ACE_NEUTRAL,
    ACL_IN,
    ACL_NAMED,
    ACL_NUMBERED,
    ALL_ONES,
    VTY,
    child_group,
    ip_int,
    outcome_of,
)

# ---------------------------------------------------------------- ACL model (DP-07, WAN-04)


class _Ace(NamedTuple):
    line: ConfigLine
    permit: bool
    words: tuple[str, ...]  # after permit/deny
    standard: bool


def _acl(tree: ConfigTree, name: str) -> list[_Ace] | None:
    """The entries of ACL `name` in order, None when it is not defined."""
    if name.isdigit():
        standard = int(name) < 100 or 1300 <= int(name) < 2000
        entries = [_Ace(line, m.group("action") == "permit", tuple(m.group("rest").split()), standard)
                   for line, m in tree.find(ACL_NUMBERED) if m.group("name") == name]
        if entries:
            return entries
    return _named_acl(tree, name)


def _named_acl(tree: ConfigTree, name: str) -> list[_Ace] | None:
    for section, m in tree.find(ACL_NAMED):
        if m.group("name") == name:
            standard = m.group("kind") == "standard"
            return [_Ace(line, a.group("action") == "permit", tuple(a.group("rest").split()), standard)
                    for line, a in section.find_children(ACE)]
    return None


# An address spec: (address, wildcard) for IPv4, an IPv6 network, or None when unknown (object groups).
_Spec = tuple[int, int] | ipaddress.IPv6Network | None


def _address(words: tuple[str, ...], i: int) -> tuple[_Spec, int]:
    """Parse the address spec at words[i]: (spec, index after it)."""
    if i >= len(words):
        return None, i
    w = words[i]
    if w == "any":
        return (0, ALL_ONES), i + 1
    if w == "host" and i + 1 < len(words):
        return _host(words[i + 1]), i + 2
    if w in ("object-group", "addrgroup"):
        return None, i + 2
    if "/" in w:  # a prefix: IPv6, or IPv4 as NX-OS writes it (10.0.0.0/8)
        net = network(w)
        if net is None:
            return None, i + 1
        if isinstance(net, ipaddress.IPv4Network):
            return (int(net.network_address), int(net.hostmask)), i + 1
        return net, i + 1
    try:
        addr = ip_int(w)
    except ValueError:
        return None, i + 1
    nxt = words[i + 1] if i + 1 < len(words) else ""
    if nxt.count(".") == 3:
        try:
            return (addr, ip_int(nxt)), i + 2
        except ValueError:
            return None, i + 2
    # a standard ACL entry without a wildcard is a host
    return (addr, 0), i + 1


def _host(word: str) -> _Spec:
    try:
        return (ip_int(word), 0)
    except ValueError:
        try:
            return ipaddress.IPv6Network(word)
        except ValueError:
            return None


def _is_any(spec: _Spec) -> bool:
    if isinstance(spec, tuple):
        return spec[1] == ALL_ONES
    return spec is not None and spec.prefixlen == 0


def _matches_all(ace: _Ace) -> bool:
    """The entry matches every packet: ip any any (or its spellings), optionally logged."""
    words = ace.words
    if ace.standard:
        src, i = _address(words, 0)
    else:
        if not words or words[0] not in ("ip", "ipv6"):
            return False
        src, i = _address(words, 1)
        if not _is_any(src):
            return False
        src, i = _address(words, i)
    if not _is_any(src):
        return False
    rest = words[i:]
    # `log` may carry a cookie, `sequence` (IPv6) its number
    return all(w in ACE_NEUTRAL or words[j - 1] in ("log", "log-input", "sequence")
               for j, w in enumerate(rest, start=i))


def no_permit_any_inbound(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    """No ACL applied inbound on an external interface permits ip any any before a catch-all deny."""
    applied: dict[str, list[ConfigLine]] = {}
    for i in ctx.interfaces_with("external"):
        for line, m in i.line.find_children(ACL_IN):
            applied.setdefault(m.group("name"), []).append(line)
    checked = False
    bad: list[tuple[str, list[ConfigLine]]] = []
    for name, where in applied.items():
        entries = _acl(ctx.tree, name)
        if entries is None:
            continue  # undefined: DP-06 reports it
        checked = True
        first = next((e for e in entries if _matches_all(e)), None)
        if first is not None and first.permit:
            bad.append((f"ACL {name} applied inbound permits any to any", [*where, first.line]))
    return outcome_of(ctx, bad, "no permit ip any any in inbound external ACLs",
                    None if checked else "no defined ACL applied inbound on an external interface")


# ---------------------------------------------------------------- WAN-04


def _inside(spec: _Spec, prefixes: list[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> bool:
    if spec is None:
        return False
    if isinstance(spec, ipaddress.IPv6Network):
        return any(n.version == 6 and spec.subnet_of(n) for n in prefixes)
    addr, wild = spec
    for net in prefixes:
        if net.version != 4:
            continue
        mask = int(net.netmask)
        if wild & mask == 0 and addr & mask == int(net.network_address):
            return True
    return False


def vty_filters_within(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    """Every vty is filtered by a defined ACL whose permits come only from the management prefixes."""
    key = str(params.get("prefixes", "management_prefixes"))
    prefixes = ctx.networks(key)
    vtys = list(ctx.tree.sections(VTY))
    if not vtys:
        return Outcome(Status.NOT_APPLICABLE, "no line vty")
    bad: list[tuple[str, list[ConfigLine]]] = []
    checked: set[str] = set()
    for vty, _ in vtys:
        name = child_group(vty, ACCESS_CLASS, "name")
        if name is None:
            bad.append((f"{vty.text} has no access-class", [vty]))
            continue
        entries = _acl(ctx.tree, name)
        if entries is None:
            bad.append((f"{vty.text}: access-class {name} is not defined", [vty]))
        if entries is None or name in checked:
            continue
        checked.add(name)
        for e in entries:
            src, _ = _address(e.words, 0 if e.standard else 1)
            if e.permit and not _inside(src, prefixes):
                bad.append((f"ACL {name} permits {' '.join(e.words)}", [e.line]))
    return outcome_of(ctx, bad, f"permits only from {', '.join(str(p) for p in prefixes)}")
