"""NX-OS routing read into the IOS routing models, whose verdict logic (RTE-01..04, WAN-02) is shared.

NX-OS differs from IOS in where things are written, not in what they mean: an interface joins an
IGP from its own config (`ip router ospf TAG area A`) and is made passive there; a routing process
keeps its VRF settings in `vrf NAME` subsections; a BGP neighbour is a section whose per-address-
family settings sit one level deeper, and templates (`template peer|peer-session|peer-policy`) are
inherited with `inherit peer|peer-session|peer-policy NAME`.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from ...config import ConfigLine, ConfigTree, Rx
from ...context import CheckContext, Interface
from ...models import Outcome
from ..cisco_ios import routing as ios
from ..cisco_ios.common import BGP, OSPF_AREA_AUTH, OSPF_IF_AUTH, Iface, child_group, ip_int
from ..cisco_ios.routing import Bgp, BgpNetwork, Igp, Neighbour, Peer, judge_bgp_networks, judge_igps, neighbours_of

# ---------------------------------------------------------------- pattern tables

# interfaces: VRF membership
_IF_VRF = Rx(r"^vrf member (?P<vrf>\S+)$")
# a routing process's per-VRF subsection, and its passive default
_VRF = Rx(r"^vrf (?P<vrf>\S+)$")
_PASSIVE_DEFAULT = Rx(r"^passive-interface default\b")
# OSPF: interfaces join a process and an area, and are made passive, in their own config
_OSPF = Rx(r"^router ospf (?P<tag>\S+)$")
_OSPF_IF = Rx(r"^ip router ospf (?P<tag>\S+) area (?P<area>\S+)")
_OSPF_IF_PASSIVE = Rx(r"^(?P<no>no )?ip ospf passive-interface$")
# EIGRP: authentication per interface (for a process tag) or for the whole process / VRF
_EIGRP = Rx(r"^router eigrp (?P<tag>\S+)$")
_EIGRP_IF = Rx(r"^ip router eigrp (?P<tag>\S+)$")
_EIGRP_IF_PASSIVE = Rx(r"^(?P<no>no )?ip passive-interface eigrp (?P<tag>\S+)$")
_EIGRP_IF_MODE = Rx(r"^ip authentication mode eigrp (?P<tag>\S+) md5$")
_EIGRP_IF_KEYS = Rx(r"^ip authentication key-chain eigrp (?P<tag>\S+) \S+$")
_EIGRP_MODE = Rx(r"^authentication mode md5$")
_EIGRP_KEYS = Rx(r"^authentication key-chain \S+$")
_AF = Rx(r"^address-family ")
# IS-IS: hellos are authenticated per interface
_ISIS = Rx(r"^router isis (?P<tag>\S+)$")
_ISIS_IF = Rx(r"^ip router isis (?P<tag>\S+)$")
_ISIS_IF_AUTH = Rx(r"^isis authentication-type md5\b")
_ISIS_IF_PASSIVE = Rx(r"^(?P<no>no )?isis passive-interface\b")
# BGP: neighbours (remote-as inline or as a child), templates, IPv4 address families, networks
_BGP_NEI = Rx(r"^neighbor (?P<peer>\S+)(?: remote-as (?P<remote>.+))?$")
_BGP_TEMPLATE = Rx(r"^template (?P<kind>peer|peer-session|peer-policy) (?P<name>\S+)$")
_BGP_AF4 = Rx(r"^address-family ipv4 ")
_BGP_NETWORK = Rx(r"^network (?P<net>\d+\.\d+\.\d+\.\d+/\d+)")


# ---------------------------------------------------------------- interfaces


def ifaces(ctx: CheckContext) -> list[Iface]:
    """Interfaces with their canonical name and VRF (`vrf member`), computed once per host."""
    result: list[Iface] = ctx.memo("nxos.ifaces", lambda: [_iface(ctx, i) for i in ctx.interfaces])
    return result


def _iface(ctx: CheckContext, i: Interface) -> Iface:
    return Iface(i, ctx.platform.canonical_ifname(i.name), child_group(i.line, _IF_VRF, "vrf"), ())


# ---------------------------------------------------------------- RTE-01


def _area(text: str) -> int:
    try:
        return ip_int(text) if "." in text else int(text)
    except ValueError:
        return -1


def _joined(interfaces: list[Iface], rx: Rx, tag: str) -> dict[str | None, dict[str, re.Match[str]]]:
    """Interfaces whose config joins process `tag` (group `tag` of `rx`), by VRF, with the joining match."""
    out: dict[str | None, dict[str, re.Match[str]]] = {}
    for i in interfaces:
        for _, m in i.iface.line.find_children(rx):
            if m.group("tag") == tag:
                out.setdefault(i.vrf, {})[i.key] = m
                break
    return out


def _instances(section: ConfigLine, joined: dict[str | None, dict[str, re.Match[str]]]
               ) -> Iterator[tuple[str | None, ConfigLine | None, dict[str, re.Match[str]]]]:
    """(VRF, its settings section or None, member interfaces) for every VRF a process runs in."""
    bodies: dict[str | None, ConfigLine] = {None: section}
    bodies.update((m.group("vrf"), line) for line, m in section.find_children(_VRF))
    for vrf in dict.fromkeys([*bodies, *joined]):
        yield vrf, bodies.get(vrf), joined.get(vrf, {})


def _own_lines(body: ConfigLine | None, top: ConfigLine) -> list[ConfigLine]:
    """A process or VRF section's settings, its address families' included, not other VRFs'."""
    if body is None:
        return []
    out: list[ConfigLine] = []
    for child in body.children:
        if body is top and _VRF.match(child.text):
            continue
        out.append(child)
        if _AF.match(child.text):
            out.extend(child.children)
    return out


def _igp(header: ConfigLine, body: ConfigLine | None, top: ConfigLine, vrf: str | None, members: dict[str, Any],
         by_key: Mapping[str, Iface], authenticated: Callable[[Iface], bool], passive: Rx, tag: str | None) -> Igp:
    """An IGP instance with its members, passive by default or per interface (`no ...` makes one active)."""
    igp = Igp(header, vrf, authenticated, joined=set(members))
    igp.passive_default = any(_PASSIVE_DEFAULT.match(line.text) for line in _own_lines(body, top))
    for key in members:
        for _, m in by_key[key].iface.line.find_children(passive):
            if tag is None or m.group("tag") == tag:
                (igp.active if m.group("no") else igp.passive).add(key)
    return igp


def _ospf(ctx: CheckContext, interfaces: list[Iface], by_key: Mapping[str, Iface]) -> Iterator[Igp]:
    for section, m in ctx.tree.sections(_OSPF):
        for vrf, body, members in _instances(section, _joined(interfaces, _OSPF_IF, m.group("tag"))):
            areas = {_area(a.group("area")) for line in _own_lines(body, section)
                     if (a := OSPF_AREA_AUTH.match(line.text)) is not None}
            area_of = {key: _area(j.group("area")) for key, j in members.items()}

            def authed(i: Iface, area_of: dict[str, int] = area_of, areas: set[int] = areas) -> bool:
                if i.iface.line.child(OSPF_IF_AUTH) is not None:  # the interface setting overrides the area's
                    return child_group(i.iface.line, OSPF_IF_AUTH, "mode") in ("message-digest", "key-chain")
                return area_of.get(i.key) in areas

            yield _igp(body or section, body, section, vrf, members, by_key, authed, _OSPF_IF_PASSIVE, None)


def _eigrp(ctx: CheckContext, interfaces: list[Iface], by_key: Mapping[str, Iface]) -> Iterator[Igp]:
    for section, m in ctx.tree.sections(_EIGRP):
        tag = m.group("tag")
        for vrf, body, members in _instances(section, _joined(interfaces, _EIGRP_IF, tag)):
            own = _own_lines(body, section)
            mode = any(_EIGRP_MODE.match(line.text) for line in own)
            keys = any(_EIGRP_KEYS.match(line.text) for line in own)

            def authed(i: Iface, mode: bool = mode, keys: bool = keys, tag: str = tag) -> bool:
                line = i.iface.line
                if_mode = any(j.group("tag") == tag for _, j in line.find_children(_EIGRP_IF_MODE))
                if_keys = any(j.group("tag") == tag for _, j in line.find_children(_EIGRP_IF_KEYS))
                return (mode or if_mode) and (keys or if_keys)

            yield _igp(body or section, body, section, vrf, members, by_key, authed, _EIGRP_IF_PASSIVE, tag)


def _isis(ctx: CheckContext, interfaces: list[Iface], by_key: Mapping[str, Iface]) -> Iterator[Igp]:
    for section, m in ctx.tree.sections(_ISIS):
        for vrf, body, members in _instances(section, _joined(interfaces, _ISIS_IF, m.group("tag"))):
            yield _igp(body or section, body, section, vrf, members, by_key,
                       lambda i: i.iface.line.child(_ISIS_IF_AUTH) is not None, _ISIS_IF_PASSIVE, None)


def igp_authenticated(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    """Every non-passive, non-loopback OSPF/EIGRP/IS-IS interface is cryptographically authenticated."""
    interfaces = ifaces(ctx)
    by_key = {i.key: i for i in interfaces}
    igps = [*_ospf(ctx, interfaces, by_key), *_eigrp(ctx, interfaces, by_key), *_isis(ctx, interfaces, by_key)]
    return judge_igps(ctx, interfaces, igps)


# ---------------------------------------------------------------- BGP (RTE-02/03/04, WAN-02)


def _neighbours(tree: ConfigTree) -> list[Neighbour] | None:
    """Every BGP neighbour, global and per VRF, with the settings it has or inherits from templates."""
    for section, m in tree.sections(BGP):
        bgp = Bgp(m.group("asn"))
        _peers(bgp, section, None)
        for body, v in section.find_children(_VRF):
            _peers(bgp, body, v.group("vrf"))
        return neighbours_of(bgp)
    return None


def _peers(bgp: Bgp, body: ConfigLine, vrf: str | None) -> None:
    for child in body.children:
        if (t := _BGP_TEMPLATE.match(child.text)) is not None:
            peer = bgp.templates.setdefault((t.group("kind"), t.group("name")), Peer(t.group("name"), None))
        elif (n := _BGP_NEI.match(child.text)) is not None:
            peer = bgp.peers.setdefault((vrf, n.group("peer")), Peer(n.group("peer"), vrf))
            peer.settings.append(("neighbor", n.group("peer"), child))  # the evidence when remote-as is inherited
            if n.group("remote"):
                peer.settings.append(("remote-as", n.group("remote"), child))
        else:
            continue
        # settings of the neighbour and of its address families, flattened: (keyword, rest, line)
        for line in child.children:
            for setting in line.children if _AF.match(line.text) else (line,):
                key, _, rest = setting.text.partition(" ")
                peer.settings.append((key, rest, setting))


def bgp_authenticated(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    """Every BGP neighbour has a password, directly or through its templates."""
    return ios.bgp_authenticated(ctx, params, model=_neighbours)


def ebgp_maximum_prefix(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    """Every eBGP neighbour has a maximum-prefix limit in an address family, directly or inherited."""
    return ios.ebgp_maximum_prefix(ctx, params, model=_neighbours)


def ebgp_filtered(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    """Every eBGP neighbour has a defined inbound and outbound filter, directly or inherited."""
    return ios.ebgp_filtered(ctx, params, model=_neighbours)


def bgp_networks_within(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    """BGP networks of the routing instance(s) of the tslcd interfaces lie in the host's prefixes."""
    tslcd = [_iface(ctx, i) for i in ctx.interfaces_with("tslcd")]  # only their VRFs matter
    return judge_bgp_networks(ctx, params, tslcd, _bgp_networks(ctx.tree))


def _bgp_networks(tree: ConfigTree) -> Iterator[BgpNetwork]:
    for section, _ in tree.sections(BGP):
        for vrf, body in [(None, section), *((v.group("vrf"), b) for b, v in section.find_children(_VRF))]:
            for af, _ in body.find_children(_BGP_AF4):
                for line, m in af.find_children(_BGP_NETWORK):
                    try:
                        yield vrf, line, ipaddress.IPv4Network(m.group("net"), strict=False)
                    except ValueError:
                        yield vrf, line, None
