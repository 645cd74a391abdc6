"""The VRP ACL model and the checks that read ACL rules: DP-07 (permit-any-any) and WAN-04.

VRP ACLs are sections: `acl number 2000` (2000-2999 basic: source only), `acl number 3000`
(3000-3999 advanced: protocol, source, destination, ports...), `acl name X [basic|advanced|N]`,
and the same under `acl ipv6`. Their `rule [N] permit|deny ...` entries are evaluated in the
order printed (rule-number order).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

from ...config import ConfigLine
from ...context import CheckContext
from ...models import Outcome
from .common import ACL, ACL_RULE, FILTER_IN, VTY, VTY_ACL, Network, Problem, inside, judged, wildcarded

# Protocol words of an advanced rule that match every IP packet.
_ANY_PROTOCOL = frozenset({"ip", "ipv6"})
# Words that may follow a permit-any-any without narrowing what it matches.
_NEUTRAL = frozenset({"logging", "counting"})
_ANY = {4: ipaddress.ip_network("0.0.0.0/0"), 6: ipaddress.ip_network("::/0")}


class Rule(NamedTuple):
    line: ConfigLine
    permit: bool
    words: tuple[str, ...]  # after permit/deny


class Acl(NamedTuple):
    header: ConfigLine
    basic: bool
    ipv6: bool
    rules: tuple[Rule, ...]

    def source(self, rule: Rule) -> Network | None:
        """The rule's source (the whole address space when it names none or `any`)."""
        return _address(rule.words, "source", 6 if self.ipv6 else 4)


def acls(ctx: CheckContext) -> dict[tuple[bool, str], Acl]:
    """Every ACL of the config by (IPv6?, number or name); built once per host."""
    table: dict[tuple[bool, str], Acl] = ctx.memo("vrp.acls", lambda: _build(ctx))
    return table


def _build(ctx: CheckContext) -> dict[tuple[bool, str], Acl]:
    table: dict[tuple[bool, str], Acl] = {}
    for section, m in ctx.tree.find(ACL):
        kind = m.group("kind")
        number = m.group("number") or m.group("bare") or (kind if kind and kind.isdigit() else None)
        ipv6 = m.group("v6") is not None
        basic = kind == "basic" or (number is not None and 2000 <= int(number) < 3000)
        rules = tuple(Rule(line, r.group("action") == "permit", tuple((r.group("rest") or "").split()))
                      for line, r in section.find_children(ACL_RULE))
        acl = Acl(section, basic, ipv6, rules)
        for name in (number, m.group("name")):
            if name is not None:
                table.setdefault((ipv6, name), acl)
    return table


def _address(words: tuple[str, ...], key: str, version: int) -> Network | None:
    """The network after `source`/`destination` in a rule; the whole space when absent or `any`."""
    return _spec(words, key, version)[0]


def _spec(words: tuple[str, ...], key: str, version: int) -> tuple[Network | None, int]:
    """(network, words it takes including the keyword) of `source`/`destination` in a rule."""
    try:
        i = words.index(key)
    except ValueError:
        return _ANY[version], 0
    value = words[i + 1] if i + 1 < len(words) else "any"
    if value == "any":
        return _ANY[version], 2
    wildcard = words[i + 2] if i + 2 < len(words) and "/" not in value else None
    if wildcard is not None and not (wildcard[0].isdigit() and wildcard.replace(".", "").isdigit()):
        wildcard = None  # the next keyword: a host address
    return wildcarded(value, wildcard), 2 if wildcard is None else 3


def _matches_all(acl: Acl, rule: Rule) -> bool:
    """The rule matches every packet: no protocol (or ip), source and destination any, nothing narrowing."""
    words = rule.words
    version = 6 if acl.ipv6 else 4
    i = 0
    if not acl.basic and words and words[0] not in ("source", "destination"):
        if words[0] not in _ANY_PROTOCOL:
            return False
        i = 1
    while i < len(words):
        word = words[i]
        if word in _NEUTRAL:
            i += 1
            continue
        if word not in ("source", "destination"):
            return False
        net, taken = _spec(words[i:], word, version)
        if net is None or net.prefixlen != 0:
            return False
        i += taken
    return True


def _applied_inbound(ctx: CheckContext) -> Iterator[tuple[str, ConfigLine, Acl | None]]:
    tables = acls(ctx)
    for i in ctx.interfaces_with("external"):
        for line, m in i.line.find_children(FILTER_IN):
            name = m.group("name")
            yield name, line, tables.get((" ipv6 " in line.text, name))


def no_permit_any_inbound(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    """No ACL applied inbound on an external interface permits any to any before a catch-all deny."""
    problems: list[Problem] = []
    checked = False
    for name, line, acl in _applied_inbound(ctx):
        if acl is None:
            continue  # undefined: DP-06 reports it
        checked = True
        first = next((r for r in acl.rules if _matches_all(acl, r)), None)
        if first is not None and first.permit:
            problems.append(Problem(f"ACL {name} applied inbound permits any to any", (line, first.line)))
    return judged(ctx, problems, "no rule permitting any source to any destination in inbound external ACLs",
                  None if checked else "no defined ACL applied inbound on an external interface")


def vty_filters_within(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    """Every vty range is filtered by a defined ACL whose permit rules admit only the management prefixes."""
    key = str(params.get("prefixes", "management_prefixes"))
    allowed = ctx.networks(key)
    vtys = list(ctx.tree.find(VTY))
    if not vtys:
        return judged(ctx, (), "", "no user-interface vty")
    tables = acls(ctx)
    problems: list[Problem] = []
    seen: set[tuple[bool, str]] = set()
    for vty, _ in vtys:
        filters = [(line, (" ipv6 " in line.text, m.group("name"))) for line, m in vty.find_children(VTY_ACL)]
        if not filters:
            problems.append(Problem(f"{vty.text} has no inbound acl", (vty,)))
        for line, ref in filters:
            acl = tables.get(ref)
            if acl is None:
                problems.append(Problem(f"{vty.text}: acl {ref[1]} is not defined", (vty, line)))
                continue
            if ref in seen:
                continue
            seen.add(ref)
            for rule in acl.rules:
                if rule.permit and not inside(acl.source(rule), allowed):
                    problems.append(Problem(f"acl {ref[1]} permits {' '.join(rule.words) or 'any'}", (rule.line,)))
    return judged(ctx, problems, f"permits only from {', '.join(map(str, allowed))}")
