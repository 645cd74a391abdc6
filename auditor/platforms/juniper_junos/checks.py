"""Named checks for Juniper Junos that the policy language cannot express.

Each takes the check context and the rule's `params` and returns an Outcome. The models they read
(units, filters, BGP neighbours, security policies) are built once per host in `model.py`.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Callable, Mapping
from typing import Any

from ...addresses import network_text
from ...checks import PASSED
from ...config import ConfigLine, Rx
from ...context import CheckContext, CheckFn
from ...models import Outcome, Status
from . import model
from .model import Neighbour, Term, Unit

# ---------------------------------------------------------------- pattern tables

_rx = functools.lru_cache(maxsize=128)(Rx)  # patterns given in a rule's params, compiled once

_AUTH_ORDER = Rx(r"^system authentication-order (?P<name>\S+)$")
_AAA_SERVER = Rx(r"^system (?P<kind>tacplus|radius)-server (?P<name>\S+)")
_LOGIN_USER = Rx(r"^system login user (?P<name>\S+) authentication "
                 r"(?:encrypted-password|ssh-(?:rsa|dsa|ecdsa|ed25519)|plain-text-password)\b")
_LLDP = Rx(r"^protocols lldp (?P<rest>.+)$")
_LLDP_IF = re.compile(r"^interface (?P<name>\S+)(?: (?P<rest>.+))?$")
_LO0_FILTER = Rx(r"^unit 0 family inet filter (?:input|input-list) (?P<name>\S+)$")  # under `interfaces lo0`
_UNIT_FILTER_IN = re.compile(r"^family (?P<fam>inet6?) filter (?:input|input-list) (?P<name>\S+)$")
_DEFAULT_POLICY = Rx(r"^security policies default-policy permit-all$")
_STATIC = Rx(r"^routing-options (?P<kind>static|aggregate) route (?P<prefix>\S+)")
_RI_STATIC = Rx(r"^routing-instances (?P<ri>\S+) routing-options (?P<kind>static|aggregate) route (?P<prefix>\S+)")

# Values of a security policy's match that stand for every address / application.
_ANY = frozenset({"any", "any-ipv4", "any-ipv6"})
# Port names and numbers that mean SSH in a firewall term.
_SSH_PORTS = frozenset({"ssh", "22"})
# Route-filter match types that also take longer prefixes than the filter's own.
_ROUTE_FILTER_LONGER = frozenset({"orlonger", "longer", "upto", "prefix-length-range", "through"})


def _outcome(ctx: CheckContext, bad: list[tuple[str, list[ConfigLine]]], expected: str,
             nothing: str | None = None) -> Outcome:
    """FAIL listing the problems, PASS when there are none, NOT_APPLICABLE when `nothing` says so."""
    if bad:
        lines = dict.fromkeys(line for _, group in bad for line in group)
        why = "; ".join(w for w, _ in bad)
        return Outcome(Status.FAIL, why, tuple(ctx.evidence(li) for li in lines), expected=expected, actual=why)
    if nothing is not None:
        return Outcome(Status.NOT_APPLICABLE, nothing)
    return PASSED


# ---------------------------------------------------------------- AAA-01, AAA-05, LOG-01, LOG-03


def central_authentication(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    """`system authentication-order` names tacplus or radius, and a server of that kind is configured."""
    order = list(ctx.tree.find(_AUTH_ORDER))
    if not order:
        return Outcome(Status.FAIL, "no system authentication-order (local passwords only)",
                       expected="authentication-order with tacplus or radius", actual="absent")
    servers = {m.group("kind") for _, m in ctx.tree.find(_AAA_SERVER)}
    methods = [m.group("name") for _, m in order]
    central = [name for name in methods if name in ("tacplus", "radius")]
    if any(name in servers for name in central):
        return Outcome(Status.PASS, evidence=tuple(ctx.evidence(line) for line, _ in order))
    why = ("authentication-order has no tacplus or radius" if not central
           else f"authentication-order uses {' and '.join(central)} but no {central[0]}-server is configured")
    return _outcome(ctx, [(why, [line for line, _ in order])], "tacplus or radius with a configured server")


def local_accounts(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    """At most `max` login users with their own authentication (template users do not count)."""
    most = int(params.get("max", 1))
    users: dict[str, ConfigLine] = {}
    for line, m in ctx.tree.find(_LOGIN_USER):
        users.setdefault(m.group("name"), line)
    if len(users) > most:
        return _outcome(ctx, [(f"{len(users)} local accounts ({', '.join(users)})", list(users.values()))],
                        f"at most {most} local account")
    return PASSED


def count_distinct(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    """The number of distinct `name`s that statements matching `match` give lies within min/max.

    A flat config repeats a server once per setting (`system syslog host X any notice`, `... X
    authorization info`): the server, not the statement, is what counts.
    """
    rx = _rx(str(params["match"]))
    low, high = params.get("min"), params.get("max")
    names: dict[str, ConfigLine] = {}
    for line, m in ctx.tree.find(rx):
        names.setdefault(m.group("name"), line)
    n = len(names)
    want = " and ".join(p for p in (f">= {low}" if low is not None else "", f"<= {high}" if high is not None else "") if p)
    if (low is not None and n < int(low)) or (high is not None and n > int(high)):
        return Outcome(Status.FAIL, f"{n} found ({', '.join(names) or 'none'}), expected {want}",
                       tuple(ctx.evidence(li) for li in names.values()), expected=want, actual=str(n))
    return PASSED


# ---------------------------------------------------------------- SVC-02


def lldp_off_external(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    """LLDP is off, or runs on no external interface (`interface all` counts, less the disabled ones)."""
    stmts = list(ctx.tree.find(_LLDP))
    enabled: dict[str, ConfigLine] = {}
    disabled: set[str] = set()
    for line, m in stmts:
        rest = m.group("rest")
        if rest == "disable":
            return Outcome(Status.PASS, "LLDP is disabled globally", (ctx.evidence(line),))
        m_if = _LLDP_IF.match(rest)
        if m_if is None:
            continue
        name = m_if.group("name")
        if m_if.group("rest") == "disable":
            disabled.add(name)
        else:
            enabled.setdefault(name, line)
    if not stmts:
        return Outcome(Status.PASS, "LLDP is not configured")
    external = ctx.interfaces_with("external")
    if not external:
        return Outcome(Status.NOT_APPLICABLE, "host has no external interface")
    bad = []
    for i in external:
        if i.name in disabled:
            continue
        on = enabled.get(i.name) or (enabled.get("all") if "all" not in disabled else None)
        if on is not None:
            bad.append((f"LLDP runs on external interface {i.name}", [on]))
    return _outcome(ctx, bad, "protocols lldp interface <external> disable")


# ---------------------------------------------------------------- RTE-02, RTE-03, RTE-04


def _bgp_check(ctx: CheckContext, ebgp_only: bool, expected: str,
               problem: Callable[[Neighbour], str | None]) -> Outcome:
    found = model.neighbours(ctx)
    if found is None:
        return Outcome(Status.NOT_APPLICABLE, "BGP is not configured")
    selected = [n for n in found if n.ebgp or not ebgp_only]
    if not selected:
        return Outcome(Status.NOT_APPLICABLE, f"no {'external ' if ebgp_only else ''}BGP neighbour")
    bad = []
    for n in selected:
        why = problem(n)
        if why:
            where = f"{n.instance} " if n.instance != "master" else ""
            bad.append((f"{where}group {n.group} neighbor {n.name} {why}", [n.line]))
    return _outcome(ctx, bad, expected)


def _has(n: Neighbour, rx: re.Pattern[str]) -> bool:
    return any(rx.search(text) for text, _ in n.settings())


_BGP_AUTH = re.compile(r"^authentication-key(?:-chain)? ")
_PREFIX_LIMIT = re.compile(r"\b(?:accepted-)?prefix-limit maximum \d+")


def bgp_authenticated(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    """Every BGP neighbour has an authentication-key or key-chain: its own, its group's or global."""
    return _bgp_check(ctx, False, "authentication-key or authentication-key-chain (neighbor, group or global)",
                      lambda n: None if _has(n, _BGP_AUTH) else "has no authentication-key")


def ebgp_prefix_limit(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    """Every external neighbour has a prefix-limit maximum, its own, its group's or global."""
    return _bgp_check(ctx, True, "family ... prefix-limit maximum N",
                      lambda n: None if _has(n, _PREFIX_LIMIT) else "has no prefix-limit")


_POLICY_WORD = re.compile(r"[^\s()&|!\"]+")
_POLICY_OPERATORS = frozenset({"&&", "||", "!"})


def ebgp_policies(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    """Every external neighbour has an import and an export policy (the most specific level's), each defined."""
    defined = ctx.defined(str(params.get("kind", "policy")))

    def problem(n: Neighbour) -> str | None:
        why = []
        for keyword in ("import", "export"):
            chain = n.effective(keyword)
            if not chain:
                why.append(f"has no {keyword} policy")
                continue
            names = [w for value, _ in chain for w in _POLICY_WORD.findall(value) if w not in _POLICY_OPERATORS]
            missing = [name for name in names if name not in defined]
            if missing:
                why.append(f"{keyword}s undefined policy-statement {', '.join(missing)}")
        return ", ".join(why) or None

    return _bgp_check(ctx, True, "import and export policy-statements, defined", problem)


# ---------------------------------------------------------------- DP-04, DP-05


def external_units(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    """Every IPv4 unit of an external interface has a statement matching `present` (text after `unit N `).

    With `defined: {kind}`, the `name` group of that statement must name a defined object of the kind.
    """
    want = _rx(str(params["present"]))
    what = str(params.get("what", want.source))
    kind = (params.get("defined") or {}).get("kind")
    defined = ctx.defined(str(kind)) if kind else None
    all_units = model.units(ctx)
    checked = False
    bad: list[tuple[str, list[ConfigLine]]] = []
    for i in ctx.interfaces_with("external"):
        for unit in all_units.of(i):
            if not unit.inet:
                continue
            checked = True
            found = list(unit.find(want))
            if not found:
                bad.append((f"unit {unit.name} has no {what}", [i.line, unit.lines[0][1]]))
            elif defined is not None:
                for line, name in found:
                    if name not in defined:
                        bad.append((f"unit {unit.name} uses undefined {kind} {name}", [line]))
    return _outcome(ctx, bad, what, None if checked else "no external interface unit with family inet")


# ---------------------------------------------------------------- DP-07


def _inbound_filters(ctx: CheckContext) -> dict[tuple[str, str], list[ConfigLine]]:
    """(family, filter) applied inbound on external units -> where it is applied."""
    out: dict[tuple[str, str], list[ConfigLine]] = {}
    all_units = model.units(ctx)
    for i in ctx.interfaces_with("external"):
        for unit in all_units.of(i):
            for text, line in unit.lines:
                m = _UNIT_FILTER_IN.match(text)
                if m is not None:
                    out.setdefault((m.group("fam"), m.group("name")), []).append(line)
    return out


def _policy_any_any(pol: model.SecurityPolicy) -> bool:
    def any_of(key: str) -> bool:
        return any(v in _ANY for v in pol.match.get(key, ()))

    negated = "source-address-excluded" in pol.match or "destination-address-excluded" in pol.match
    return (pol.permits and not negated and any_of("source-address") and any_of("destination-address")
            and "any" in pol.match.get("application", ()))


def no_permit_any_any(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    """No security policy permits any source to any destination for any application, and no filter
    applied inbound on an external unit accepts every packet (a first match-all term that accepts)."""
    bad: list[tuple[str, list[ConfigLine]]] = []
    policies = model.security_policies(ctx)
    for pol in policies:
        if _policy_any_any(pol):
            zones = f"from-zone {pol.from_zones[0]} to-zone {pol.to_zones[0]}"
            bad.append((f"security policy {pol.name} ({zones}) permits any to any, any application", [pol.line]))
    applied = _inbound_filters(ctx)
    known = model.filters(ctx)
    checked = bool(policies)
    for (fam, name), where in applied.items():
        terms = known.get((fam, name))
        if terms is None:
            continue  # undefined: DP-06 reports it
        checked = True
        term = model.first_match_all(terms)
        if term is not None and term.action == "accept":
            bad.append((f"filter {name} (applied inbound) term {term.name} accepts every packet", [*where, term.line]))
    return _outcome(ctx, bad, "no permit/accept of any source to any destination",
                    None if checked else "no security policy and no defined inbound filter on an external unit")


# ---------------------------------------------------------------- WAN-01


def separated(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    """Dedicated-network and Internet units are in different routing instances, or in different
    security zones that no permit policy (nor a permit-all default policy) joins."""
    all_units = model.units(ctx)
    sides: list[list[Unit]] = []
    for role in ("tslcd", "internet"):
        sides.append([u for i in ctx.interfaces_with(role) for u in all_units.of(i) if u.routed])
    if not sides[0] or not sides[1]:
        return Outcome(Status.NOT_APPLICABLE, "host lacks tslcd or internet interface units")
    bad: list[tuple[str, list[ConfigLine]]] = []
    default_permit = ctx.tree.first(_DEFAULT_POLICY)
    policies = model.security_policies(ctx)
    for t in sides[0]:
        for u in sides[1]:
            instance = all_units.instance_of(t.name)
            if instance != all_units.instance_of(u.name):
                continue
            evidence = [t.iface.line, u.iface.line]
            tz, uz = all_units.zone_of(t.name), all_units.zone_of(u.name)
            pair = f"{t.name} and {u.name}"
            if tz is None or uz is None:
                bad.append((f"{pair} share routing instance {instance} and are not both in security zones", evidence))
            elif tz == uz:
                bad.append((f"{pair} share routing instance {instance} and security zone {tz}", evidence))
            elif default_permit is not None:
                bad.append((f"{pair} share routing instance {instance}; the default policy permits all", [default_permit]))
            else:
                joining = [p for p in policies if p.permits and _joins(p, tz, uz)]
                if joining:
                    names = ", ".join(p.name for p in joining)
                    bad.append((f"{pair} share routing instance {instance}; policy {names} permits between "
                                f"zones {tz} and {uz}", [p.line for p in joining]))
    return _outcome(ctx, bad, "tslcd and internet in different routing instances, or zones with no permit between them")


def _joins(pol: model.SecurityPolicy, a: str, b: str) -> bool:
    def has(zones: list[str], z: str) -> bool:
        return z in zones or "any" in zones

    return (has(pol.from_zones, a) and has(pol.to_zones, b)) or (has(pol.from_zones, b) and has(pol.to_zones, a))


# ---------------------------------------------------------------- WAN-02


def exported_routes_within(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    """Static/aggregate routes that a BGP export policy chain of the tslcd units' instance accepts
    lie inside the prefixes (`network` statements of IOS have no other Junos counterpart)."""
    key = str(params.get("prefixes", "allocated_prefixes"))
    allowed = ctx.networks(key)
    all_units = model.units(ctx)
    instances = {all_units.instance_of(u.name) for i in ctx.interfaces_with("tslcd") for u in all_units.of(i)}
    if not instances:
        return Outcome(Status.NOT_APPLICABLE, "no tslcd interface unit")
    chains: dict[str, set[tuple[str, ...]]] = {}
    for n in model.neighbours(ctx) or ():
        if n.instance in instances:
            chain = tuple(w for value, _ in n.effective("export") for w in _POLICY_WORD.findall(value))
            chains.setdefault(n.instance, set()).add(chain)
    statements = model.policy_statements(ctx)
    lists = model.prefix_lists(ctx)
    bad: list[tuple[str, list[ConfigLine]]] = []
    seen = False
    for ri, line, kind, prefix in _routes(ctx):
        net = model.network(prefix)
        if net is None or not any(_chain_accepts(statements, lists, c, kind, net) for c in chains.get(ri, ())):
            continue
        seen = True
        if not any(net.version == a.version and net.subnet_of(a) for a in allowed):  # type: ignore[arg-type]
            bad.append((f"exported {kind} route {net} is outside {key}", [line]))
    return _outcome(ctx, bad, f"inside {', '.join(map(network_text, allowed))}",
                    None if seen else "no static or aggregate route exported to BGP in the tslcd instance")


def _routes(ctx: CheckContext) -> list[tuple[str, ConfigLine, str, str]]:
    out = [("master", line, m.group("kind"), m.group("prefix")) for line, m in ctx.tree.find(_STATIC)]
    out += [(m.group("ri"), line, m.group("kind"), m.group("prefix")) for line, m in ctx.tree.find(_RI_STATIC)]
    return out


_Net = ipaddress.IPv4Network | ipaddress.IPv6Network


def _chain_accepts(statements: Mapping[str, list[model.PolicyTerm]], lists: Mapping[str, model.PrefixList],
                   chain: tuple[str, ...], kind: str, net: _Net) -> bool:
    """The first policy of the chain with a verdict for the route accepts it (BGP rejects by default)."""
    for name in chain:
        for term in statements.get(name, ()):
            if not _term_matches(term, lists, kind, net):
                continue
            if "accept" in term.actions:
                return True
            if "reject" in term.actions:
                return False
    return False


def _term_matches(term: model.PolicyTerm, lists: Mapping[str, model.PrefixList], kind: str, net: _Net) -> bool:
    """The term's conditions can match a static/aggregate route (unknown conditions are assumed to)."""
    by_key: dict[str, list[list[str]]] = {}
    for c in term.conditions:
        words = c.split()
        by_key.setdefault(words[0], []).append(words[1:])
    if "protocol" in by_key and [kind] not in by_key["protocol"]:
        return False
    if "interface" in by_key:
        return False  # interface routes are direct routes
    if "route-filter" in by_key and not any(_route_filter_matches(w, net) for w in by_key["route-filter"]):
        return False
    for how in ("prefix-list", "prefix-list-filter"):
        if how in by_key and not any(_in_list(lists, w, net) for w in by_key[how]):
            return False
    return True


def _in_list(lists: Mapping[str, model.PrefixList], words: list[str], net: _Net) -> bool:
    pl = lists.get(words[0]) if words else None
    if pl is None:
        return False
    if len(words) > 1 and words[1] in _ROUTE_FILTER_LONGER:
        return any(p.version == net.version and net.subnet_of(p) for p in pl.prefixes)  # type: ignore[arg-type]
    return net in pl.prefixes


def _route_filter_matches(words: list[str], net: _Net) -> bool:
    f = model.network(words[0]) if words else None
    if f is None or f.version != net.version:
        return False
    how = words[1] if len(words) > 1 else "exact"
    if how in _ROUTE_FILTER_LONGER:
        return net.subnet_of(f)  # type: ignore[arg-type]
    return net == f


# ---------------------------------------------------------------- WAN-04


def _ssh_term(t: Term) -> bool:
    """The term can match SSH to the device: TCP (or any protocol) to port 22 (or any port)."""
    protocols = t.values("protocol")
    if protocols and not ({"tcp", "6"} & set(protocols)):
        return False
    if {"tcp", "6"} & set(t.values("protocol-except")):
        return False
    ports = t.values("destination-port") + t.values("port")
    if ports:
        return any(_port_has_ssh(p) for p in ports)
    # a term keyed on the source port only is return traffic of the device's own sessions
    return not (t.values("source-port") or set(t.values("destination-port-except")) & _SSH_PORTS)


def _port_has_ssh(value: str) -> bool:
    if value in _SSH_PORTS:
        return True
    low, sep, high = value.partition("-")
    if sep and low.isdigit() and high.isdigit():
        return int(low) <= 22 <= int(high)
    return False


def lo0_ssh_sources_within(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    """Every lo0.0 input filter term that accepts SSH admits only sources inside the management prefixes."""
    key = str(params.get("prefixes", "management_prefixes"))
    allowed = ctx.networks(key)
    lo0 = next((i for i in ctx.interfaces if i.name == "lo0"), None)
    applied = list(lo0.line.find_children(_LO0_FILTER)) if lo0 is not None else []
    if not applied:
        return Outcome(Status.FAIL, "lo0 unit 0 has no input filter: management is open to any source",
                       expected="interfaces lo0 unit 0 family inet filter input NAME", actual="absent")
    known = model.filters(ctx)
    lists = model.prefix_lists(ctx)
    bad: list[tuple[str, list[ConfigLine]]] = []
    for line, m in applied:
        name = m.group("name")
        terms = known.get(("inet", name))
        if terms is None:
            bad.append((f"lo0 filter {name} is not defined", [line]))
            continue
        for t in terms:
            if t.action == "accept" and _ssh_term(t):
                why = _outside(t, lists, allowed)
                if why:
                    bad.append((f"filter {name} term {t.name} accepts SSH from {why}", [t.line]))
            elif t.matches_all and t.action == "deny":
                break  # later terms are never reached
    return _outcome(ctx, bad, f"SSH only from {', '.join(map(network_text, allowed))}")


def _outside(t: Term, lists: dict[str, model.PrefixList],
             allowed: list[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> str | None:
    """What the term admits outside the allowed prefixes ('any source', a prefix...), None when nothing."""
    sources: list[str] = []
    for key in ("source-address", "address"):
        sources += [v for v in t.values(key) if not v.endswith(" except")]
    for key in ("source-prefix-list", "prefix-list"):
        for v in t.values(key):
            name, _, flag = v.partition(" ")
            if flag == "except":
                continue
            pl = lists.get(name)
            if pl is None or pl.dynamic:
                return f"prefix-list {name} ({'not defined' if pl is None else 'apply-path, not checkable'})"
            sources += [str(p) for p in pl.prefixes]
    if not sources:
        return "any source"
    outside = []
    for s in sources:
        net = model.network(s)
        if net is None or not any(net.version == a.version and net.subnet_of(a) for a in allowed):  # type: ignore[arg-type]
            outside.append(s.split(" ", 1)[0])
    return ", ".join(outside) or None


CHECKS: Mapping[str, CheckFn] = {
    "central_authentication": central_authentication,
    "local_accounts": local_accounts,
    "count_distinct": count_distinct,
    "lldp_off_external": lldp_off_external,
    "bgp_authenticated": bgp_authenticated,
    "ebgp_prefix_limit": ebgp_prefix_limit,
    "ebgp_policies": ebgp_policies,
    "external_units": external_units,
    "no_permit_any_any": no_permit_any_any,
    "separated": separated,
    "exported_routes_within": exported_routes_within,
    "lo0_ssh_sources_within": lo0_ssh_sources_within,
}
