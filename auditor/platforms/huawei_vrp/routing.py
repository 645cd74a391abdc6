"""Routing checks for VRP: IGP authentication (RTE-01) and the BGP peer model (RTE-02/03/04, WAN-02).

OSPF: `ospf N [router-id X] [vpn-instance V]` with `area A` sections holding `network A W` and
`authentication-mode ...`; interfaces join by those networks or by `ospf enable N area A`, and an
interface's own `ospf authentication-mode` overrides its area's. `silent-interface all|IF` and
`undo silent-interface IF` make interfaces passive. IS-IS: interfaces join with `isis enable N`
and authenticate hellos with `isis authentication-mode`; `isis silent` makes them passive.

BGP: `bgp ASN` holds global peers and groups (`group G [external|internal]`, `peer X group G`);
`ipv4-family unicast` (and the other global families) add their policies; `ipv4-family
vpn-instance V` holds the peers of instance V, possibly with its own `as-number`. A peer takes
what its group sets (inheritance counts).
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ...config import ConfigLine, ConfigTree, Rx
from ...context import CheckContext
from ...models import Outcome
from .common import Iface, Problem, ifaces, inside, judged, masked, wildcarded

# ---------------------------------------------------------------- pattern tables

# OSPF: process header, areas, networks, authentication (area and interface), passivity
_OSPF = Rx(r"^ospf (?P<pid>\d+)(?P<rest> .*)?$")
_OSPF_AREA = Rx(r"^area (?P<area>\S+)$")
_OSPF_NET = Rx(r"^network (?P<addr>\d+\.\d+\.\d+\.\d+) (?P<wild>\d+\.\d+\.\d+\.\d+)\b")
_AREA_AUTH = Rx(r"^authentication-mode (?P<mode>\S+)")
_IF_OSPF_AUTH = Rx(r"^ospf authentication-mode (?P<mode>\S+)")
_IF_OSPF_ENABLE = Rx(r"^ospf enable (?P<pid>\d+) area (?P<area>\S+)$")
_SILENT = Rx(r"^(?P<undo>undo )?silent-interface (?P<name>.+)$")
# IS-IS: process, interface membership, hello authentication, passivity
_ISIS = Rx(r"^isis(?: (?P<pid>\d+))?(?: .*)?$")
_IF_ISIS = Rx(r"^isis(?: ipv6)? enable(?: (?P<pid>\d+))?$")
_IF_ISIS_AUTH = Rx(r"^isis authentication-mode (?P<mode>\S+)")
_IF_ISIS_SILENT = Rx(r"^isis silent\b")
# Authentication modes that are cryptographic (simple and null are not).
_STRONG = frozenset({"md5", "hmac-md5", "hmac-sha256", "hmac-sha1", "keychain"})
# BGP: the process, families (global or per vpn-instance), groups, peer lines, networks
_BGP = Rx(r"^bgp (?P<asn>\S+)(?: |$)")
_BGP_FAMILY = Rx(r"^ipv[46]-family(?: (?P<kind>\S+))?(?: (?P<vrf>\S+))?$")
_BGP_GROUP = Rx(r"^group (?P<name>\S+)(?: (?P<kind>external|internal))?")
_BGP_PEER = Rx(r"^peer (?P<peer>\S+) (?P<key>\S+)(?: (?P<rest>.*))?$")
_BGP_LOCAL_AS = Rx(r"^as-number (?P<asn>\S+)$")
_BGP_NETWORK = Rx(r"^network (?P<addr>\d+\.\d+\.\d+\.\d+)(?: (?P<mask>\d+\.\d+\.\d+\.\d+|\d+))?(?: |$)")


@functools.lru_cache(maxsize=1024)
def _area(text: str) -> int | str:
    """An OSPF area id as a number (`0.0.0.1` and `1` are the same area); unparsable ids as written."""
    try:
        return int(ipaddress.IPv4Address(text)) if "." in text else int(text)
    except ValueError:
        return text


# ---------------------------------------------------------------- RTE-01


@dataclass
class _Igp:
    """One IGP process: which interfaces run it, which are passive, how one counts as authenticated."""

    header: ConfigLine
    runs_on: Callable[[Iface], bool]
    authenticated: Callable[[Iface], bool]
    passive_default: bool = False
    passive: set[str] = field(default_factory=set)
    active: set[str] = field(default_factory=set)

    def is_passive(self, i: Iface) -> bool:
        return i.key not in self.active and (self.passive_default or i.key in self.passive)


def _ospf(ctx: CheckContext, section: ConfigLine, pid: str, rest: str) -> _Igp:
    words = rest.split()
    vrf = words[words.index("vpn-instance") + 1] if "vpn-instance" in words[:-1] else None
    strong_areas: set[int | str] = set()
    networks: list[tuple[ipaddress.IPv4Network | None, int | str]] = []
    for area_line, a in section.find_children(_OSPF_AREA):
        area = _area(a.group("area"))
        if any(m.group("mode") in _STRONG for _, m in area_line.find_children(_AREA_AUTH)):
            strong_areas.add(area)
        for _, n in area_line.find_children(_OSPF_NET):
            net = wildcarded(n.group("addr"), n.group("wild"))
            networks.append((net if isinstance(net, ipaddress.IPv4Network) else None, area))

    def area_of(i: Iface) -> int | str | None:
        for _, m in i.iface.line.find_children(_IF_OSPF_ENABLE):
            if m.group("pid") == pid:
                return _area(m.group("area"))
        if i.vrf != vrf:
            return None
        return next((area for net, area in networks if net is not None
                     for a in i.addrs if a.ip in net), None)

    def authenticated(i: Iface) -> bool:
        own = next((m.group("mode") for _, m in i.iface.line.find_children(_IF_OSPF_AUTH)), None)
        if own is not None:  # the interface's setting overrides its area's
            return own in _STRONG
        return area_of(i) in strong_areas

    igp = _Igp(section, lambda i: area_of(i) is not None, authenticated)
    for _, m in section.find_children(_SILENT):
        name = m.group("name").strip()
        if name == "all":
            igp.passive_default = m.group("undo") is None
        else:
            (igp.active if m.group("undo") else igp.passive).add(ctx.platform.canonical_ifname(name))
    return igp


def _isis(section: ConfigLine, pid: str) -> _Igp:
    def runs_on(i: Iface) -> bool:
        line = i.iface.line
        return line.child(_IF_ISIS_SILENT) is None and any(
            (m.group("pid") or "1") == pid for _, m in line.find_children(_IF_ISIS))

    def authenticated(i: Iface) -> bool:
        return any(m.group("mode") in _STRONG for _, m in i.iface.line.find_children(_IF_ISIS_AUTH))

    return _Igp(section, runs_on, authenticated)


def _igps(ctx: CheckContext) -> Iterator[_Igp]:
    for section, m in ctx.tree.find(_OSPF):
        yield _ospf(ctx, section, m.group("pid"), m.group("rest") or "")
    for section, m in ctx.tree.find(_ISIS):
        yield _isis(section, m.group("pid") or "1")


def igp_authenticated(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    """Every OSPF/IS-IS interface that can form an adjacency (not passive, not a loopback) is authenticated."""
    interfaces = ifaces(ctx)
    problems: list[Problem] = []
    adjacent = False
    found = False
    for igp in _igps(ctx):
        found = True
        for i in interfaces:
            if i.loopback or not igp.runs_on(i) or igp.is_passive(i):
                continue
            adjacent = True
            if not igp.authenticated(i):
                problems.append(Problem(f"{igp.header.text}: interface {i.iface.name} is not authenticated",
                                        (igp.header, i.iface.line)))
    if not found:
        return judged(ctx, (), "", "no IGP configured")
    return judged(ctx, problems, "md5, hmac-sha256 or keychain authentication on every IGP adjacency",
                  None if adjacent else "no IGP interface can form an adjacency")


# ---------------------------------------------------------------- BGP peer model


@dataclass
class _Peer:
    """A peer or group of one instance, with its settings: (keyword, rest of line, line)."""

    name: str
    settings: list[tuple[str, str, ConfigLine]] = field(default_factory=list)
    external: bool | None = None  # a group's `external` / `internal` keyword


@dataclass
class _Instance:
    """The public instance (vrf None) or a vpn-instance, with its local AS and peers."""

    vrf: str | None
    asn: str
    peers: dict[str, _Peer] = field(default_factory=dict)
    networks: list[tuple[ConfigLine, str, str | None]] = field(default_factory=list)

    def peer(self, name: str) -> _Peer:
        return self.peers.setdefault(name, _Peer(name))

    def read(self, body: ConfigLine) -> None:
        for line in body.children:
            if (p := _BGP_PEER.match(line.text)) is not None:
                self.peer(p.group("peer")).settings.append((p.group("key"), p.group("rest") or "", line))
            elif (g := _BGP_GROUP.match(line.text)) is not None:
                kind = g.group("kind")
                self.peer(g.group("name")).external = None if kind is None else kind == "external"
            elif (n := _BGP_NETWORK.match(line.text)) is not None:
                self.networks.append((line, n.group("addr"), n.group("mask")))
            elif (a := _BGP_LOCAL_AS.match(line.text)) is not None:
                self.asn = a.group("asn")


class _Neighbour(NamedTuple):
    """A peer address of an instance, with its own settings followed by its group's."""

    name: str
    vrf: str | None
    line: ConfigLine  # where its as-number is set (or its first line)
    ebgp: bool
    settings: list[tuple[str, str, ConfigLine]]

    def __str__(self) -> str:
        return f"peer {self.name}" + (f" (vpn-instance {self.vrf})" if self.vrf else "")


def _instances(ctx: CheckContext) -> dict[str | None, _Instance] | None:
    """The BGP instances (None without BGP), built once per host."""
    found: dict[str | None, _Instance] | None = ctx.memo("vrp.bgp", lambda: _read_bgp(ctx.tree))
    return found


def _read_bgp(tree: ConfigTree) -> dict[str | None, _Instance] | None:
    for section, m in tree.find(_BGP):
        out: dict[str | None, _Instance] = {None: _Instance(None, m.group("asn"))}
        out[None].read(section)
        for family, f in section.find_children(_BGP_FAMILY):
            vrf = f.group("vrf") if f.group("kind") == "vpn-instance" else None
            inst = out.get(vrf)
            if inst is None:
                inst = out[vrf] = _Instance(vrf, m.group("asn"))
            inst.read(family)
        return out
    return None


def _asn(text: str) -> int:
    """An AS number, asplain or asdot."""
    high, _, low = text.partition(".")
    return int(high) * 65536 + int(low) if low else int(high)


def _neighbours(ctx: CheckContext) -> list[_Neighbour] | None:
    """Every peer address with a remote AS (own or its group's), with its group's settings; None without BGP."""
    instances = _instances(ctx)
    if instances is None:
        return None
    out = []
    for inst in instances.values():
        for peer in inst.peers.values():
            try:
                ipaddress.ip_address(peer.name)
            except ValueError:
                continue  # a group
            if not peer.settings:
                continue
            settings = list(peer.settings)
            group = next((inst.peers.get(rest.split()[0]) for key, rest, _ in peer.settings
                          if key == "group" and rest), None)
            if group is not None:
                settings += group.settings
            remote = next((rest.split()[0] for key, rest, _ in settings if key == "as-number" and rest), None)
            if remote is None and (group is None or group.external is None):
                continue
            line = next((ln for key, _, ln in peer.settings if key == "as-number"), peer.settings[0][2])
            try:
                ebgp = _asn(remote) != _asn(inst.asn) if remote is not None else bool(group and group.external)
            except ValueError:
                ebgp = True
            out.append(_Neighbour(peer.name, inst.vrf, line, ebgp, settings))
    return out


def _bgp_check(ctx: CheckContext, ebgp_only: bool, what: str, problem: Callable[[_Neighbour], str | None]) -> Outcome:
    neighbours: list[_Neighbour] | None = ctx.memo("vrp.bgp-peers", lambda: _neighbours(ctx))
    if neighbours is None:
        return judged(ctx, (), "", "BGP is not configured")
    selected = [n for n in neighbours if n.ebgp or not ebgp_only]
    if not selected:
        return judged(ctx, (), "", f"no {'eBGP ' if ebgp_only else ''}peer")
    return judged(ctx, [Problem(f"{n} {why}", (n.line,)) for n in selected
                        if (why := problem(n)) is not None], what)


def bgp_authenticated(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    """Every BGP peer has a password, a keychain or TCP-AO, directly or through its group."""
    keys = {"password", "keychain", "tcp-ao"}

    def problem(n: _Neighbour) -> str | None:
        return None if any(k in keys for k, _, _ in n.settings) else "has no password, keychain or tcp-ao"
    return _bgp_check(ctx, False, "peer X password / keychain / tcp-ao", problem)


def ebgp_route_limit(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    """Every eBGP peer has a route-limit, directly or through its group."""
    def problem(n: _Neighbour) -> str | None:
        return None if any(k == "route-limit" for k, _, _ in n.settings) else "has no route-limit"
    return _bgp_check(ctx, True, "peer X route-limit N", problem)


def ebgp_filtered(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    """Every eBGP peer has an import and an export filter of the kinds in `params`, each defined."""
    kinds: Mapping[str, str] = params.get("kinds") or {"route-policy": "route_policy", "ip-prefix": "ip_prefix"}

    def filters(n: _Neighbour) -> Iterator[tuple[str, str, str]]:
        """(import|export, keyword, object name) of every route filter the peer has."""
        for key, rest, _ in n.settings:
            name, _, direction = rest.rpartition(" ")
            if key in kinds and name and direction in ("import", "export"):
                yield direction, key, name.split()[0]

    def problem(n: _Neighbour) -> str | None:
        found = list(filters(n))
        why = [f"has no {d} filter" for d in ("import", "export") if d not in {f[0] for f in found}]
        why += [f"uses undefined {key} {name}" for _, key, name in found if name not in ctx.defined(kinds[key])]
        return ", ".join(why) or None

    return _bgp_check(ctx, True, "defined import and export filters on every eBGP peer", problem)


def bgp_networks_within(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    """BGP networks of the instance(s) of the tslcd interfaces lie inside the host's prefixes."""
    key = str(params.get("prefixes", "allocated_prefixes"))
    allowed = ctx.networks(key)
    vrfs = {i.vrf for i in ifaces(ctx) if "tslcd" in i.iface.roles}
    if not vrfs:
        return judged(ctx, (), "", "no tslcd interface")
    instances = _instances(ctx) or {}
    problems: list[Problem] = []
    seen = False
    for vrf in vrfs:
        inst = instances.get(vrf)
        for line, addr, mask in inst.networks if inst is not None else ():
            seen = True
            net = masked(addr, mask if mask is not None else _classful(addr))
            if not inside(net, allowed):
                problems.append(Problem(f"network {net if net is not None else addr} is outside {key}", (line,)))
    return judged(ctx, problems, f"inside {', '.join(map(str, allowed))}",
                  None if seen else "no BGP network in the tslcd instance")


def _classful(addr: str) -> str:
    first = int(addr.split(".", 1)[0])
    return "8" if first < 128 else "16" if first < 192 else "24"
