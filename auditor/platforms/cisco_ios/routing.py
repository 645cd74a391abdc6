"""IOS routing: IGP authentication (RTE-01) and the BGP neighbour model (RTE-02/03/04, WAN-02)."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ...addresses import interface, network, network_text
from ...config import ConfigLine, ConfigTree
from ...context import CheckContext
from ...models import Outcome, Status
from .common import (
    AF_IF,
    AF_KEYS,
    AF_MODE,
    AF_PASSIVE,
    BGP,
    BGP_AF,
    BGP_FILTER_KINDS,
    BGP_NEI,
    BGP_NETWORK,
    BGP_TEMPLATE,
    EIGRP,
    EIGRP_AF,
    EIGRP_IF_KEYS,
    EIGRP_IF_MODE,
    EIGRP_NET,
    ISIS,
    ISIS_IF,
    ISIS_IF_AUTH,
    OSPF,
    OSPF_AREA_AUTH,
    OSPF_IF_AREA,
    OSPF_IF_AUTH,
    OSPF_NET,
    PASSIVE,
    Iface,
    child_group,
    ifaces,
    ip_int,
    outcome_of,
)

# ---------------------------------------------------------------- RTE-01


@dataclass
class Igp:
    """One IGP instance: which interfaces it runs on and how an interface counts as authenticated."""

    header: ConfigLine
    vrf: str | None
    authenticated: Callable[[Iface], bool]
    networks: list[tuple[int, int]] = field(default_factory=list)  # (address, wildcard)
    joined: set[str] = field(default_factory=set)  # joined from interface config
    passive_default: bool = False
    passive: set[str] = field(default_factory=set)
    active: set[str] = field(default_factory=set)

    def runs_on(self, i: Iface) -> bool:
        if i.key in self.joined:
            return True
        return i.vrf == self.vrf and any(a & ~w == n & ~w for a in i.addrs for n, w in self.networks)

    def is_passive(self, i: Iface) -> bool:
        if i.key in self.active:
            return False
        return self.passive_default or i.key in self.passive


def _passive(ctx: CheckContext, igp: Igp, section: ConfigLine) -> None:
    for _, m in section.find_children(PASSIVE):
        name = m.group("name")
        if name == "default":
            igp.passive_default = not m.group("no")
        else:
            (igp.active if m.group("no") else igp.passive).add(ctx.platform.canonical_ifname(name))


def _area(text: str) -> int:
    return ip_int(text) if "." in text else int(text)


def _ospf(ctx: CheckContext, ifaces: list[Iface]) -> Iterator[Igp]:
    for section, m in ctx.tree.sections(OSPF):
        pid = m.group("pid")
        areas = {_area(a.group("area")) for _, a in section.find_children(OSPF_AREA_AUTH)}
        nets: list[tuple[int, int, int]] = [(ip_int(n.group("addr")), ip_int(n.group("wild")), _area(n.group("area")))
                                            for _, n in section.find_children(OSPF_NET)]
        if_area: dict[str, int] = {}
        for i in ifaces:
            joined = next((j for _, j in i.iface.line.find_children(OSPF_IF_AREA) if j.group("pid") == pid), None)
            if joined is not None:
                if_area[i.key] = _area(joined.group("area"))
            elif i.vrf == m.group("vrf"):
                area = next((ar for n, w, ar in nets for a in i.addrs if a & ~w == n & ~w), None)
                if area is not None:
                    if_area[i.key] = area

        def authed(i: Iface, if_area: dict[str, int] = if_area, areas: set[int] = areas) -> bool:
            own = i.iface.line.child(OSPF_IF_AUTH)
            if own is not None:  # the interface setting overrides the area's
                return child_group(i.iface.line, OSPF_IF_AUTH, "mode") in ("message-digest", "key-chain")
            return if_area.get(i.key) in areas

        igp = Igp(section, m.group("vrf"), authed, joined=set(if_area))
        _passive(ctx, igp, section)
        yield igp


def _eigrp(ctx: CheckContext) -> Iterator[Igp]:
    for section, m in ctx.tree.sections(EIGRP):
        tag = m.group("tag")
        if tag.isdigit():
            yield _eigrp_classic(ctx, section, tag, None)
        for af, a in section.find_children(EIGRP_AF):
            if tag.isdigit():
                yield _eigrp_classic(ctx, af, a.group("asn") or tag, a.group("vrf"))
            else:
                yield _eigrp_named(ctx, af, a.group("vrf"))


def _networks(section: ConfigLine) -> list[tuple[int, int]]:
    out = []
    for _, n in section.find_children(EIGRP_NET):
        addr = ip_int(n.group("addr"))
        if n.group("wild"):
            out.append((addr, ip_int(n.group("wild"))))
        else:  # classful
            first = addr >> 24
            out.append((addr, 0xFFFFFF if first < 128 else 0xFFFF if first < 192 else 0xFF))
    return out


def _eigrp_classic(ctx: CheckContext, body: ConfigLine, asn: str, vrf: str | None) -> Igp:
    def authed(i: Iface) -> bool:
        line = i.iface.line
        mode = any(m.group("asn") == asn for _, m in line.find_children(EIGRP_IF_MODE))
        keys = any(m.group("asn") == asn for _, m in line.find_children(EIGRP_IF_KEYS))
        return mode and keys

    igp = Igp(body, vrf, authed, _networks(body))
    _passive(ctx, igp, body)
    return igp


def _eigrp_named(ctx: CheckContext, af: ConfigLine, vrf: str | None) -> Igp:
    settings = {ctx.platform.canonical_ifname(m.group("name")): s for s, m in af.find_children(AF_IF)}
    default = settings.pop("default", None)

    def auth_of(s: ConfigLine | None) -> bool | None:
        mode = next((m for _, m in s.find_children(AF_MODE)), None) if s is not None else None
        if s is None or mode is None:
            return None
        return bool(mode.group("inline")) or s.child(AF_KEYS) is not None

    def authed(i: Iface) -> bool:
        own = auth_of(settings.get(i.key))
        return own if own is not None else bool(auth_of(default))

    igp = Igp(af, vrf, authed, _networks(af))
    if default is not None:
        flag = default.child(AF_PASSIVE)
        igp.passive_default = flag is not None and not flag.text.startswith("no ")
    for name, s in settings.items():
        flag = s.child(AF_PASSIVE)
        if flag is not None:
            (igp.active if flag.text.startswith("no ") else igp.passive).add(name)
    return igp


def _isis(ctx: CheckContext, ifaces: list[Iface]) -> Iterator[Igp]:
    for section, m in ctx.tree.sections(ISIS):
        tag = m.group("tag")
        joined = {i.key for i in ifaces for _, j in i.iface.line.find_children(ISIS_IF) if j.group("tag") == tag}
        igp = Igp(section, None, lambda i: i.iface.line.child(ISIS_IF_AUTH) is not None, joined=joined)
        _passive(ctx, igp, section)
        yield igp


def igp_authenticated(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    """Every non-passive, non-loopback OSPF/EIGRP/IS-IS interface is cryptographically authenticated."""
    interfaces = ifaces(ctx)
    return judge_igps(ctx, interfaces, [*_ospf(ctx, interfaces), *_eigrp(ctx), *_isis(ctx, interfaces)])


def judge_igps(ctx: CheckContext, interfaces: list[Iface], igps: list[Igp]) -> Outcome:
    """RTE-01 over IGP instances however a platform found them: every adjacency-capable interface authenticated."""
    if not igps:
        return Outcome(Status.NOT_APPLICABLE, "no IGP configured")
    bad: list[tuple[str, list[ConfigLine]]] = []
    adjacent = False
    for igp in igps:
        for i in interfaces:
            if i.loopback or not igp.runs_on(i) or igp.is_passive(i):
                continue
            adjacent = True
            if not igp.authenticated(i):
                bad.append((f"{igp.header.text}: interface {i.iface.name} is not authenticated",
                            [igp.header, i.iface.line]))
    return outcome_of(ctx, bad, "message-digest or key-chain authentication on every IGP interface",
                    None if adjacent else "no IGP interface can form an adjacency")


# ---------------------------------------------------------------- BGP neighbour model (RTE-02/03/04, WAN-02)


@dataclass
class Peer:
    """A neighbour, peer-group or template with its settings: (keyword, rest of line, line)."""

    name: str
    vrf: str | None
    settings: list[tuple[str, str, ConfigLine]] = field(default_factory=list)


@dataclass
class Bgp:
    asn: str
    peers: dict[tuple[str | None, str], Peer] = field(default_factory=dict)
    templates: dict[tuple[str, str], Peer] = field(default_factory=dict)  # (peer-session|peer-policy|peer, name)

    def resolved(self, peer: Peer, seen: frozenset[int] = frozenset()) -> list[tuple[str, str, ConfigLine]]:
        """The peer's settings with those of its peer-group and inherited templates (inheritance counts)."""
        out = list(peer.settings)
        seen = seen | {id(peer)}
        for key, rest, _ in peer.settings:
            words = rest.split()
            if key == "peer-group" and words:
                parent = self.peers.get((peer.vrf, words[0])) or self.peers.get((None, words[0]))
            elif key == "inherit" and len(words) >= 2:
                parent = self.templates.get((words[0], words[1]))
            else:
                continue
            if parent is not None and id(parent) not in seen:
                out.extend(self.resolved(parent, seen))
        return out


def _asn(text: str) -> int:
    """An AS number, asplain or asdot."""
    high, _, low = text.partition(".")
    return int(high) * 65536 + int(low) if low else int(high)


def _bgp(tree: ConfigTree) -> Bgp | None:
    for section, m in tree.sections(BGP):
        bgp = Bgp(m.group("asn"))
        for child in section.children:
            if (t := BGP_TEMPLATE.match(child.text)) is not None:
                tpl = bgp.templates.setdefault((t.group("kind"), t.group("name")), Peer(t.group("name"), None))
                for line in child.children:
                    key, _, rest = line.text.partition(" ")
                    tpl.settings.append((key, rest, line))
            elif (a := BGP_AF.match(child.text)) is not None:
                for line, af_nei in child.find_children(BGP_NEI):
                    _add(bgp, a.group("vrf"), af_nei, line)
            elif (nei := BGP_NEI.match(child.text)) is not None:
                _add(bgp, None, nei, child)
        return bgp
    return None


def _add(bgp: Bgp, vrf: str | None, m: re.Match[str], line: ConfigLine) -> None:
    name = m.group("peer")
    peer = bgp.peers.setdefault((vrf, name), Peer(name, vrf))
    peer.settings.append((m.group("key"), m.group("rest") or "", line))


class Neighbour(NamedTuple):
    name: str
    line: ConfigLine  # where its remote-as is set (or its first line)
    ebgp: bool
    settings: list[tuple[str, str, ConfigLine]]


# Builds the neighbour table of a config (None without BGP); each platform has its own.
NeighbourModel = Callable[[ConfigTree], list[Neighbour] | None]


def _neighbours(tree: ConfigTree) -> list[Neighbour] | None:
    """Every neighbour (an address with a remote-as, own or inherited); None without BGP."""
    return neighbours_of(_bgp(tree))


def neighbours_of(bgp: Bgp | None) -> list[Neighbour] | None:
    """The neighbours (addresses or prefixes with a remote-as, own or inherited) of a BGP model."""
    if bgp is None:
        return None
    out = []
    for peer in bgp.peers.values():
        if interface(peer.name) is None:
            continue  # a peer-group
        settings = bgp.resolved(peer)
        remote = next((rest.split()[0] for key, rest, _ in settings if key == "remote-as" and rest), None)
        if remote is None:
            continue
        line = next((ln for key, _, ln in peer.settings if key == "remote-as"), peer.settings[0][2])
        try:
            ebgp = _asn(remote) != _asn(bgp.asn)
        except ValueError:
            ebgp = True
        out.append(Neighbour(peer.name, line, ebgp, settings))
    return out


def _bgp_check(ctx: CheckContext, model: NeighbourModel, ebgp_only: bool, what: str,
               problem: Callable[[Neighbour], str | None]) -> Outcome:
    key = f"bgp-neighbours:{model.__module__}.{model.__qualname__}"
    neighbours: list[Neighbour] | None = ctx.memo(key, lambda: model(ctx.tree))
    if neighbours is None:
        return Outcome(Status.NOT_APPLICABLE, "BGP is not configured")
    selected = [n for n in neighbours if n.ebgp or not ebgp_only]
    if not selected:
        return Outcome(Status.NOT_APPLICABLE, f"no {'eBGP ' if ebgp_only else ''}neighbour")
    bad = [(f"neighbor {n.name} {why}", [n.line]) for n in selected if (why := problem(n)) is not None]
    return outcome_of(ctx, bad, what)


def bgp_authenticated(ctx: CheckContext, params: Mapping[str, Any], *, model: NeighbourModel = _neighbours) -> Outcome:
    """Every BGP neighbour has a password or TCP-AO, directly or inherited."""
    def problem(n: Neighbour) -> str | None:
        return None if any(k in ("password", "ao") for k, _, _ in n.settings) else "has no password or ao"
    return _bgp_check(ctx, model, False, "neighbor X password or neighbor X ao", problem)


def ebgp_maximum_prefix(ctx: CheckContext, params: Mapping[str, Any], *, model: NeighbourModel = _neighbours) -> Outcome:
    """Every eBGP neighbour has a maximum-prefix limit, directly or inherited."""
    def problem(n: Neighbour) -> str | None:
        return None if any(k == "maximum-prefix" for k, _, _ in n.settings) else "has no maximum-prefix"
    return _bgp_check(ctx, model, True, "neighbor X maximum-prefix N", problem)


def ebgp_filtered(ctx: CheckContext, params: Mapping[str, Any], *, model: NeighbourModel = _neighbours) -> Outcome:
    """Every eBGP neighbour has an inbound and an outbound filter, each defined."""
    kinds = {**BGP_FILTER_KINDS, **dict(params.get("kinds") or {})}

    def problem(n: Neighbour) -> str | None:
        seen: set[str] = set()
        missing: list[str] = []
        for key, rest, _ in n.settings:
            words = rest.split()
            if key not in kinds or len(words) < 2 or words[-1] not in ("in", "out"):
                continue
            seen.add(words[-1])
            if words[0] not in ctx.defined(str(kinds[key])):
                missing.append(f"{key} {words[0]}")
        why = [f"has no {d}bound filter" for d in ("in", "out") if d not in seen]
        why += [f"uses undefined {m}" for m in missing]
        return ", ".join(why) or None

    return _bgp_check(ctx, model, True, "defined in and out filters on every eBGP neighbour", problem)


def bgp_networks_within(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    """BGP networks of the routing instance(s) of the tslcd interfaces lie in the host's prefixes."""
    if not ctx.interfaces_with("tslcd"):  # known before the interface model is built
        return NO_TSLCD
    return judge_bgp_networks(ctx, params, ifaces(ctx), _bgp_networks(ctx.tree))


NO_TSLCD = Outcome(Status.NOT_APPLICABLE, "no tslcd interface")
# A BGP network: its VRF (None: global), its line and its prefix (None when it is not a valid one).
BgpNetwork = tuple[str | None, ConfigLine, ipaddress.IPv4Network | None]


def _bgp_networks(tree: ConfigTree) -> Iterator[BgpNetwork]:
    for section, _ in tree.sections(BGP):
        scopes: list[tuple[str | None, ConfigLine]] = [(None, section)]
        scopes += [(a.group("vrf"), af) for af, a in section.find_children(BGP_AF)]
        for vrf, body in scopes:
            for line, m in body.find_children(BGP_NETWORK):
                yield vrf, line, _classful(m.group("addr"), m.group("mask"))


def judge_bgp_networks(ctx: CheckContext, params: Mapping[str, Any], interfaces: list[Iface],
                       networks: Iterable[BgpNetwork]) -> Outcome:
    """WAN-02 over BGP networks however a platform found them: those in a tslcd VRF lie in the host's prefixes."""
    key = str(params.get("prefixes", "allocated_prefixes"))
    allowed = [a for a in ctx.networks(key) if a.version == 4]
    vrfs = {i.vrf for i in interfaces if "tslcd" in i.iface.roles}
    if not vrfs:
        return NO_TSLCD
    bad: list[tuple[str, list[ConfigLine]]] = []
    seen = False
    for vrf, line, net in networks:
        if vrf not in vrfs:
            continue
        seen = True
        if net is None or not any(net.subnet_of(a) for a in allowed):
            bad.append((f"network {net or line.text} is outside {key}", [line]))
    return outcome_of(ctx, bad, f"inside {', '.join(map(network_text, allowed))}",
                    None if seen else "no BGP network in the tslcd routing instance")


def _classful(addr: str, mask: str | None) -> ipaddress.IPv4Network:
    if mask is None:
        first = ip_int(addr) >> 24
        mask = "255.0.0.0" if first < 128 else "255.255.0.0" if first < 192 else "255.255.255.0"
    net = network(f"{addr}/{mask}")
    assert isinstance(net, ipaddress.IPv4Network)  # both parts matched dotted quads
    return net
