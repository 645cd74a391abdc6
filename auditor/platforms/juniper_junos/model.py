"""Models derived from a Junos flat tree, built once per host (CheckContext.memo) for the named checks.

Units of interfaces with their routing instance and security zone, firewall filters as ordered
terms, BGP neighbours with what they inherit from their group and from the global `bgp` level,
security policies, prefix-lists. Every model reads the set paths of the tree with the pattern
tables below (compiled once).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass, field

from ...config import ConfigLine, ConfigTree, Rx
from ...context import CheckContext, Interface

# ---------------------------------------------------------------- pattern tables

_NAME = r'(?:"[^"]*"|[^\s"]+)'  # an object name: a word, or a quoted string with spaces
# routing-instance and security-zone membership of units
_RI_IF = Rx(r"^routing-instances (?P<ri>\S+) interface (?P<unit>\S+)$")
_ZONE_IF = Rx(r"^security zones security-zone (?P<zone>\S+) interfaces (?P<unit>\S+)")
# firewall filters: `firewall filter` is family inet; terms hold `from` conditions and `then` actions
_FILTER = Rx(rf"^firewall (?:family (?P<fam>\S+) )?filter (?P<name>{_NAME}) term (?P<term>{_NAME})"
             r"(?: (?P<kind>from|then) (?P<rest>.+))?$")
# BGP, in the master instance and in routing instances
_BGP = Rx(r"^protocols bgp (?P<rest>.+)$")
_RI_BGP = Rx(r"^routing-instances (?P<ri>\S+) protocols bgp (?P<rest>.+)$")
_AS = Rx(r"^routing-options autonomous-system (?P<asn>[\d.]+)")
_RI_AS = Rx(r"^routing-instances (?P<ri>\S+) routing-options autonomous-system (?P<asn>[\d.]+)")
# security policies (zone pairs and global)
_SEC_POLICY = Rx(r"^security policies (?:from-zone (?P<src>\S+) to-zone (?P<dst>\S+)|global) "
                 rf"policy (?P<name>{_NAME})(?: (?P<rest>.+))?$")
# policy-options prefix-lists and policy-statements
_PREFIX_LIST = Rx(rf"^policy-options prefix-list (?P<name>{_NAME}) (?P<rest>.+)$")
_POLICY_STATEMENT = Rx(rf"^policy-options policy-statement (?P<name>{_NAME}) (?P<rest>.+)$")

# Actions that end a firewall term: the packet is dropped, or accepted (`routing-instance` too).
_DENY = frozenset({"discard", "reject"})
_ACCEPT = frozenset({"accept", "routing-instance", "logical-system"})
# Addresses that match every packet, in `from source-address` and similar conditions.
_ANY_ADDRESS = frozenset({"0.0.0.0/0", "::/0", "0/0"})
_ADDRESS_KEYS = frozenset({"source-address", "destination-address", "address"})


def unit_key(name: str) -> str:
    """A logical interface name: `ge-0/0/0` alone means its unit 0."""
    return name if "." in name else f"{name}.0"


# ---------------------------------------------------------------- interface units


@dataclass
class Unit:
    """One logical unit of an interface (`ge-0/0/0.0`) and the statements under it."""

    name: str
    iface: Interface
    lines: list[tuple[str, ConfigLine]] = field(default_factory=list)  # (text after `unit N `, line)

    @property
    def inet(self) -> bool:
        """The unit carries IPv4 (it has some `family inet` statement)."""
        return any(t == "family inet" or t.startswith("family inet ") for t, _ in self.lines)

    @property
    def routed(self) -> bool:
        """The unit carries some protocol family (inet, inet6, mpls...)."""
        return any(t.startswith("family ") for t, _ in self.lines)

    def find(self, rx: Rx) -> Iterator[tuple[ConfigLine, str]]:
        for text, line in self.lines:
            m = rx.match(text)
            if m is not None:
                yield line, m.group("name") if "name" in rx.regex.groupindex else text


class Units:
    """The units of interfaces (built per interface, on first use), and the routing instance and
    security zone each unit belongs to."""

    def __init__(self, tree: ConfigTree) -> None:
        self._tree = tree
        self._of: dict[str, list[Unit]] = {}
        self._instance: dict[str, str] | None = None
        self._zone: dict[str, str] | None = None

    def of(self, iface: Interface) -> list[Unit]:
        """The units of an interface, in text order."""
        found = self._of.get(iface.name)
        if found is None:
            by_id: dict[str, Unit] = {}
            for child in iface.line.children:
                text = child.text
                if not text.startswith("unit "):
                    continue
                parts = text.split(" ", 2)
                unit = by_id.get(parts[1])
                if unit is None:
                    unit = by_id[parts[1]] = Unit(f"{iface.name}.{parts[1]}", iface)
                unit.lines.append((parts[2] if len(parts) > 2 else "", child))
            found = self._of[iface.name] = list(by_id.values())
        return found

    def instance_of(self, unit: str) -> str:
        """The routing instance of a unit (`master` when it is in none)."""
        if self._instance is None:
            self._instance = {unit_key(m.group("unit")): m.group("ri") for _, m in self._tree.find(_RI_IF)}
        return self._instance.get(unit, "master")

    def zone_of(self, unit: str) -> str | None:
        """The security zone of a unit, None when it is in none."""
        if self._zone is None:
            self._zone = {unit_key(m.group("unit")): m.group("zone") for _, m in self._tree.find(_ZONE_IF)}
        return self._zone.get(unit)


def units(ctx: CheckContext) -> Units:
    built: Units = ctx.memo("junos.units", lambda: Units(ctx.tree))
    return built


# ---------------------------------------------------------------- firewall filters


@dataclass
class Term:
    """A firewall filter term: its `from` conditions and `then` actions, in text order."""

    name: str
    line: ConfigLine
    conditions: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)

    @property
    def action(self) -> str:
        """accept, deny or next; a term without a terminating action accepts (Junos default)."""
        words = {a.split(" ", 1)[0] for a in self.actions}
        if words & _DENY:
            return "deny"
        if words & _ACCEPT:
            return "accept"
        if "next" in words:
            return "next"
        return "accept"

    def values(self, key: str) -> list[str]:
        """The values of a `from` condition (`source-address` -> ['10.0.0.0/8', ...])."""
        out = []
        for c in self.conditions:
            k, _, v = c.partition(" ")
            if k == key:
                out.append(v)
        return out

    @property
    def matches_all(self) -> bool:
        """The term matches every packet: no condition but addresses that cover everything."""
        for c in self.conditions:
            key, _, value = c.partition(" ")
            if key not in _ADDRESS_KEYS or value not in _ANY_ADDRESS:
                return False
        return True


def filters(ctx: CheckContext) -> dict[tuple[str, str], list[Term]]:
    """Firewall filters by (family, name): their terms in order."""
    built: dict[tuple[str, str], list[Term]] = ctx.memo("junos.filters", lambda: _build_filters(ctx.tree))
    return built


def _build_filters(tree: ConfigTree) -> dict[tuple[str, str], list[Term]]:
    out: dict[tuple[str, str], dict[str, Term]] = {}
    for line, m in tree.find(_FILTER):
        terms = out.setdefault((m.group("fam") or "inet", m.group("name")), {})
        term = terms.get(m.group("term"))
        if term is None:
            term = terms[m.group("term")] = Term(m.group("term"), line)
        kind = m.group("kind")
        if kind == "from":
            term.conditions.append(m.group("rest"))
        elif kind == "then":
            term.actions.append(m.group("rest"))
    return {k: list(v.values()) for k, v in out.items()}


def first_match_all(terms: list[Term]) -> Term | None:
    """The first term that every packet reaches and matches (None: none, or only `next term` ones)."""
    for t in terms:
        if t.matches_all and t.action != "next":
            return t
    return None


# ---------------------------------------------------------------- prefix-lists


@dataclass
class PrefixList:
    prefixes: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = field(default_factory=list)
    dynamic: bool = False  # `apply-path`: its entries are computed by the device


def prefix_lists(ctx: CheckContext) -> dict[str, PrefixList]:
    built: dict[str, PrefixList] = ctx.memo("junos.prefix-lists", lambda: _build_prefix_lists(ctx.tree))
    return built


def _build_prefix_lists(tree: ConfigTree) -> dict[str, PrefixList]:
    out: dict[str, PrefixList] = {}
    for _, m in tree.find(_PREFIX_LIST):
        pl = out.setdefault(m.group("name"), PrefixList())
        rest = m.group("rest")
        if rest.startswith("apply-path "):
            pl.dynamic = True
            continue
        net = network(rest)
        if net is not None:
            pl.prefixes.append(net)
    return out


def network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    """The prefix at the start of `text` (`10.0.0.0/8 except` -> 10.0.0.0/8), None when it is not one."""
    try:
        return ipaddress.ip_network(text.split(" ", 1)[0], strict=False)
    except ValueError:
        return None


# ---------------------------------------------------------------- policy-statements


@dataclass
class PolicyTerm:
    """A policy-statement term (or the statement's own from/then): conditions and actions."""

    conditions: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)


def policy_statements(ctx: CheckContext) -> dict[str, list[PolicyTerm]]:
    built: dict[str, list[PolicyTerm]] = ctx.memo("junos.policies", lambda: _build_policies(ctx.tree))
    return built


def _build_policies(tree: ConfigTree) -> dict[str, list[PolicyTerm]]:
    out: dict[str, dict[str, PolicyTerm]] = {}
    for _, m in tree.find(_POLICY_STATEMENT):
        terms = out.setdefault(m.group("name"), {})
        rest = m.group("rest")
        key = ""
        if rest.startswith("term "):
            parts = rest.split(" ", 2)
            key, rest = parts[1], parts[2] if len(parts) > 2 else ""
        term = terms.setdefault(key, PolicyTerm())
        kind, _, value = rest.partition(" ")
        if kind == "from":
            term.conditions.append(value)
        elif kind == "then":
            term.actions.append(value)
    return {k: list(v.values()) for k, v in out.items()}


# ---------------------------------------------------------------- BGP


@dataclass
class Neighbour:
    """A BGP neighbour (or an `allow` range of dynamic neighbours) with what it inherits.

    `levels` are the settings (text after the level's prefix) of the global bgp level, its group
    and itself, least specific first: a setting at a more specific level overrides.
    """

    instance: str
    group: str
    name: str
    line: ConfigLine
    levels: tuple[list[tuple[str, ConfigLine]], ...]
    ebgp: bool = True

    def settings(self) -> Iterator[tuple[str, ConfigLine]]:
        for level in self.levels:
            yield from level

    def effective(self, keyword: str) -> list[tuple[str, ConfigLine]]:
        """Values of `keyword` at the most specific level that sets it (`import` -> [('A', line)])."""
        prefix = keyword + " "
        for level in reversed(self.levels):
            found = [(text[len(prefix):], line) for text, line in level if text.startswith(prefix)]
            if found:
                return found
        return []


@dataclass
class _Instance:
    global_: list[tuple[str, ConfigLine]] = field(default_factory=list)
    groups: dict[str, list[tuple[str, ConfigLine]]] = field(default_factory=dict)
    neighbours: dict[tuple[str, str], list[tuple[str, ConfigLine]]] = field(default_factory=dict)
    first_line: dict[tuple[str, str], ConfigLine] = field(default_factory=dict)


def neighbours(ctx: CheckContext) -> list[Neighbour] | None:
    """Every BGP neighbour of every instance; None when BGP is not configured."""
    built: list[Neighbour] | None = ctx.memo("junos.bgp", lambda: _build_bgp(ctx.tree))
    return built


def _build_bgp(tree: ConfigTree) -> list[Neighbour] | None:
    instances: dict[str, _Instance] = {}
    seen = False
    for rx in (_BGP, _RI_BGP):
        for line, m in tree.find(rx):
            seen = True
            ri = m.group("ri") if "ri" in rx.regex.groupindex else "master"
            _add_bgp(instances.setdefault(ri, _Instance()), m.group("rest"), line)
    if not seen:
        return None
    local = {"master": next((m.group("asn") for _, m in tree.find(_AS)), None)}
    for _, m in tree.find(_RI_AS):
        local[m.group("ri")] = m.group("asn")
    out = []
    for ri, inst in instances.items():
        for (group, name), own in inst.neighbours.items():
            levels = (inst.global_, inst.groups.get(group, []), own)
            n = Neighbour(ri, group, name, inst.first_line[(group, name)], levels)
            n.ebgp = _is_external(n, local.get(ri) or local["master"])
            out.append(n)
    return out


def _add_bgp(inst: _Instance, rest: str, line: ConfigLine) -> None:
    if not rest.startswith("group "):
        inst.global_.append((rest, line))
        return
    parts = rest.split(" ", 3)
    group = parts[1]
    inst.groups.setdefault(group, [])
    if len(parts) < 3:
        return
    if parts[2] in ("neighbor", "allow") and len(parts) > 3:
        name, _, own = parts[3].partition(" ")
        if parts[2] == "allow":
            name, own = f"allow {name}", ""
        key = (group, name)
        inst.first_line.setdefault(key, line)
        settings = inst.neighbours.setdefault(key, [])
        if own:
            settings.append((own, line))
        return
    inst.groups[group].append((" ".join(parts[2:]), line))


def _is_external(n: Neighbour, local_as: str | None) -> bool:
    kind = n.effective("type")
    if kind:
        return kind[0][0] != "internal"
    peer = n.effective("peer-as")
    own = n.effective("local-as")
    local = own[0][0].split(" ", 1)[0] if own else local_as
    if peer and local:
        return peer[0][0].split(" ", 1)[0] != local
    return True  # type and AS unknown: treated as external, so every eBGP check applies


# ---------------------------------------------------------------- security policies


@dataclass
class SecurityPolicy:
    """A security policy: its zones (`global` ones match `from-zone`/`to-zone` lists) and match/then."""

    from_zones: list[str]
    to_zones: list[str]
    name: str
    line: ConfigLine
    match: dict[str, list[str]] = field(default_factory=dict)  # match keyword -> values
    actions: list[str] = field(default_factory=list)

    @property
    def permits(self) -> bool:
        return any(a == "permit" or a.startswith("permit ") for a in self.actions)


def security_policies(ctx: CheckContext) -> list[SecurityPolicy]:
    built: list[SecurityPolicy] = ctx.memo("junos.security-policies", lambda: _build_security(ctx.tree))
    return built


def _build_security(tree: ConfigTree) -> list[SecurityPolicy]:
    out: dict[tuple[str | None, str | None, str], SecurityPolicy] = {}
    for line, m in tree.find(_SEC_POLICY):
        src, dst = m.group("src"), m.group("dst")
        key = (src, dst, m.group("name"))
        pol = out.get(key)
        if pol is None:
            pol = out[key] = SecurityPolicy([src] if src else [], [dst] if dst else [], m.group("name"), line)
        rest = m.group("rest") or ""
        kind, _, value = rest.partition(" ")
        if kind == "match":
            word, _, arg = value.partition(" ")
            if src is None and word in ("from-zone", "to-zone"):
                (pol.from_zones if word == "from-zone" else pol.to_zones).append(arg)
            else:
                pol.match.setdefault(word, []).append(arg)
        elif kind == "then":
            pol.actions.append(value)
    for pol in out.values():  # a global policy without zones matches every zone
        pol.from_zones = pol.from_zones or ["any"]
        pol.to_zones = pol.to_zones or ["any"]
    return list(out.values())
