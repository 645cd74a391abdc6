"""Named checks for Cisco IOS that the policy language cannot express.

Each takes the check context and the rule's `params` and returns an Outcome. The patterns they
read are module-level tables (compiled once); shared models (ACL entries, IGP membership, the BGP
neighbour table) are small private helpers below the tables.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ...checks import CheckContext, CheckFn, Interface
from ...config import ConfigLine, ConfigTree, Rx
from ...models import Outcome, Status

# ---------------------------------------------------------------- pattern tables

_IP = r"\d+\.\d+\.\d+\.\d+"
# interfaces: VRF membership, IPv4 addresses (primary and secondary)
_IF_VRF = Rx(r"^(?:ip )?vrf forwarding (?P<vrf>\S+)")
_IF_ADDR = Rx(rf"^ip address (?P<addr>{_IP}) (?P<mask>{_IP})")
# AAA: new-model, login lists, lists applied on vty lines, server groups
_AAA_NEW_MODEL = Rx(r"^aaa new-model$")
_AAA_LOGIN = Rx(r"^aaa authentication login (?P<list>\S+) (?P<methods>.+)$")
_AAA_GROUP = Rx(r"^aaa group server \S+ (?P<name>\S+)$")
_AAA_BUILTIN_GROUPS = frozenset({"tacacs+", "radius", "ldap"})
_VTY = Rx(r"^line vty ")
_LOGIN_AUTH = Rx(r"^login authentication (?P<list>\S+)$")
_ACCESS_CLASS = Rx(r"^access-class (?P<name>\S+) in\b")
# ACLs: numbered entries, named sections (IPv4 standard/extended, IPv6), entries in a section
_ACL_NUMBERED = Rx(r"^access-list (?P<name>\d+) (?P<action>permit|deny) (?P<rest>.*)$")
_ACL_NAMED = Rx(r"^ip(?:v6)? access-list (?:(?P<kind>standard|extended) )?(?P<name>\S+)$")
_ACE = Rx(r"^(?:(?:sequence )?\d+ )?(?P<action>permit|deny) (?P<rest>.*)$")
_ACL_IN = Rx(r"^ip(?:v6)? (?:access-group|traffic-filter) (?P<name>\S+) in$")
# words that may follow a permit-any-any without narrowing it
_ACE_NEUTRAL = frozenset({"log", "log-input", "sequence"})
# OSPF
_OSPF = Rx(r"^router ospf (?P<pid>\d+)(?: vrf (?P<vrf>\S+))?")
_OSPF_NET = Rx(rf"^network (?P<addr>{_IP}) (?P<wild>{_IP}) area (?P<area>\S+)")
_OSPF_AREA_AUTH = Rx(r"^area (?P<area>\S+) authentication message-digest$")
_OSPF_IF_AREA = Rx(r"^ip ospf (?P<pid>\d+) area (?P<area>\S+)")
_OSPF_IF_AUTH = Rx(r"^ip ospf authentication(?:$| (?P<mode>\S+))")
# EIGRP: classic (router eigrp ASN) and named mode (router eigrp NAME / address-family)
_EIGRP = Rx(r"^router eigrp (?P<tag>\S+)$")
_EIGRP_AF = Rx(r"^address-family ipv4(?: unicast)?(?: vrf (?P<vrf>\S+))?(?: autonomous-system (?P<asn>\d+))?$")
_EIGRP_NET = Rx(rf"^network (?P<addr>{_IP})(?: (?P<wild>{_IP}))?$")
_EIGRP_IF_MODE = Rx(r"^ip authentication mode eigrp (?P<asn>\d+) md5$")
_EIGRP_IF_KEYS = Rx(r"^ip authentication key-chain eigrp (?P<asn>\d+) \S+$")
_AF_IF = Rx(r"^af-interface (?P<name>\S+)$")
_AF_MODE = Rx(r"^authentication mode (?P<mode>md5|hmac-sha-256)(?P<inline> .+)?$")
_AF_KEYS = Rx(r"^authentication key-chain \S+$")
# IS-IS: interfaces join with `ip router isis [TAG]`, hellos are authenticated per interface
_ISIS = Rx(r"^router isis(?: (?P<tag>\S+))?$")
_ISIS_IF = Rx(r"^ip router isis(?: (?P<tag>\S+))?$")
_ISIS_IF_AUTH = Rx(r"^isis authentication mode (?:md5|hmac-sha\S*)")
# passive interfaces (OSPF, classic EIGRP, IS-IS) and af-interface passivity
_PASSIVE = Rx(r"^(?P<no>no )?passive-interface (?P<name>\S+)$")
_AF_PASSIVE = Rx(r"^(?P<no>no )?passive-interface$")
# BGP: the process, neighbour lines, address families, templates
_BGP = Rx(r"^router bgp (?P<asn>\S+)$")
_BGP_NEI = Rx(r"^neighbor (?P<peer>\S+) (?P<key>\S+)(?: (?P<rest>.*))?$")
_BGP_AF = Rx(r"^address-family \S+(?: \S+)?(?: vrf (?P<vrf>\S+))?$")
_BGP_TEMPLATE = Rx(r"^template (?P<kind>peer-session|peer-policy) (?P<name>\S+)$")
_BGP_NETWORK = Rx(rf"^network (?P<addr>{_IP})(?: mask (?P<mask>{_IP}))?")
# BGP filter keywords and the object kinds (policy `objects`) that define their names
_BGP_FILTER_KINDS: Mapping[str, str] = {
    "route-map": "route_map",
    "prefix-list": "prefix_list",
    "distribute-list": "acl",
    "filter-list": "as_path",
}
# switchports
_SW_ACCESS = Rx(r"^switchport mode access$")
_SW_DYNAMIC = Rx(r"^switchport mode dynamic")
_PORTFAST = Rx(r"^spanning-tree portfast(?: edge)?(?P<off> disable)?(?: trunk)?$")
_PORTFAST_DEFAULT = Rx(r"^spanning-tree portfast (?:edge )?default$")
_BPDUGUARD = Rx(r"^spanning-tree bpduguard (?:enable|disable)$")
_BPDUGUARD_DEFAULT = Rx(r"^spanning-tree portfast (?:edge )?bpduguard default$")

_ALL_ONES = 0xFFFFFFFF


def _outcome(ctx: CheckContext, bad: list[tuple[str, list[ConfigLine]]], expected: str,
             nothing: str | None = None) -> Outcome:
    """FAIL listing the problems, PASS when there are none, NOT_APPLICABLE when `nothing` says so."""
    if bad:
        lines = dict.fromkeys(line for _, group in bad for line in group)
        return Outcome(Status.FAIL, "; ".join(why for why, _ in bad), tuple(ctx.evidence(li) for li in lines),
                       expected=expected, actual="; ".join(why for why, _ in bad))
    if nothing is not None:
        return Outcome(Status.NOT_APPLICABLE, nothing)
    return Outcome(Status.PASS)


@functools.lru_cache(maxsize=4096)
def _int(addr: str) -> int:
    return int(ipaddress.IPv4Address(addr))


def _child_group(line: ConfigLine, rx: Rx, group: str) -> str | None:
    """Group `group` of the first child of `line` matching `rx`, None when no child matches."""
    for _, m in line.find_children(rx):
        return m.group(group)
    return None


# ---------------------------------------------------------------- interfaces


@dataclass(frozen=True)
class _Iface:
    """An interface with what the routing checks need: canonical name, VRF and IPv4 addresses."""

    iface: Interface
    key: str
    vrf: str | None
    addrs: tuple[int, ...]

    @property
    def loopback(self) -> bool:
        return self.key.startswith("loopback")


def _ifaces(ctx: CheckContext) -> list[_Iface]:
    result: list[_Iface] = ctx.memo("ios.ifaces", lambda: _build_ifaces(ctx))
    return result


def _build_ifaces(ctx: CheckContext) -> list[_Iface]:
    out = []
    for i in ctx.interfaces:
        addrs = tuple(_int(m.group("addr")) for _, m in i.line.find_children(_IF_ADDR))
        out.append(_Iface(i, ctx.platform.canonical_ifname(i.name), _child_group(i.line, _IF_VRF, "vrf"), addrs))
    return out


# ---------------------------------------------------------------- AAA-01


def aaa_central_login(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    """AAA is on and every vty logs in through a list whose first method is a server group."""
    tree = ctx.tree
    if tree.first(_AAA_NEW_MODEL) is None:
        return Outcome(Status.FAIL, "aaa new-model is not configured", expected="aaa new-model", actual="absent")
    lists = {m.group("list"): (line, m.group("methods").split()) for line, m in tree.find(_AAA_LOGIN)}
    groups = {m.group("name") for _, m in tree.find(_AAA_GROUP)} | _AAA_BUILTIN_GROUPS
    used: dict[str, list[ConfigLine]] = {}
    for vty, _ in tree.sections(_VTY):
        name = _child_group(vty, _LOGIN_AUTH, "list")
        used.setdefault(name or "default", []).append(vty)
    if not used:
        used["default"] = []
    bad: list[tuple[str, list[ConfigLine]]] = []
    for name, where in used.items():
        if name not in lists:
            bad.append((f"login list {name!r} is not defined", where))
            continue
        line, methods = lists[name]
        if methods[:1] != ["group"] or len(methods) < 2:
            bad.append((f"login list {name!r} does not start with a server group", [line, *where]))
        elif methods[1] not in groups:
            bad.append((f"login list {name!r} uses undefined server group {methods[1]!r}", [line, *where]))
    return _outcome(ctx, bad, "aaa authentication login LIST group SERVERS ... on every vty")


# ---------------------------------------------------------------- ACL model (DP-07, WAN-04)


@dataclass(frozen=True)
class _Ace:
    line: ConfigLine
    permit: bool
    words: tuple[str, ...]  # after permit/deny
    standard: bool


def _acl(tree: ConfigTree, name: str) -> list[_Ace] | None:
    """The entries of ACL `name` in order, None when it is not defined."""
    if name.isdigit():
        standard = int(name) < 100 or 1300 <= int(name) < 2000
        entries = [_Ace(line, m.group("action") == "permit", tuple(m.group("rest").split()), standard)
                   for line, m in tree.find(_ACL_NUMBERED) if m.group("name") == name]
        if entries:
            return entries
    return _named_acl(tree, name)


def _named_acl(tree: ConfigTree, name: str) -> list[_Ace] | None:
    for section, m in tree.find(_ACL_NAMED):
        if m.group("name") == name:
            standard = m.group("kind") == "standard"
            return [_Ace(line, a.group("action") == "permit", tuple(a.group("rest").split()), standard)
                    for line, a in section.find_children(_ACE)]
    return None


# An address spec: (address, wildcard) for IPv4, an IPv6 network, or None when unknown (object groups).
_Spec = tuple[int, int] | ipaddress.IPv6Network | None


def _address(words: tuple[str, ...], i: int) -> tuple[_Spec, int]:
    """Parse the address spec at words[i]: (spec, index after it)."""
    if i >= len(words):
        return None, i
    w = words[i]
    if w == "any":
        return (0, _ALL_ONES), i + 1
    if w == "host" and i + 1 < len(words):
        return _host(words[i + 1]), i + 2
    if w in ("object-group", "addrgroup"):
        return None, i + 2
    if "/" in w:
        try:
            return ipaddress.IPv6Network(w, strict=False), i + 1
        except ValueError:
            return None, i + 1
    try:
        addr = _int(w)
    except ValueError:
        return None, i + 1
    nxt = words[i + 1] if i + 1 < len(words) else ""
    if nxt.count(".") == 3:
        try:
            return (addr, _int(nxt)), i + 2
        except ValueError:
            return None, i + 2
    # a standard ACL entry without a wildcard is a host
    return (addr, 0), i + 1


def _host(word: str) -> _Spec:
    try:
        return (_int(word), 0)
    except ValueError:
        try:
            return ipaddress.IPv6Network(word)
        except ValueError:
            return None


def _is_any(spec: _Spec) -> bool:
    if isinstance(spec, tuple):
        return spec[1] == _ALL_ONES
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
    return all(w in _ACE_NEUTRAL or words[j - 1] in ("log", "log-input", "sequence")
               for j, w in enumerate(rest, start=i))


def no_permit_any_inbound(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    """No ACL applied inbound on an external interface permits ip any any before a catch-all deny."""
    applied: dict[str, list[ConfigLine]] = {}
    for i in ctx.interfaces_with("external"):
        for line, m in i.line.find_children(_ACL_IN):
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
    return _outcome(ctx, bad, "no permit ip any any in inbound external ACLs",
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
    prefixes = [ipaddress.ip_network(str(p), strict=False) for p in ctx.host_value(key) or ()]
    vtys = list(ctx.tree.sections(_VTY))
    if not vtys:
        return Outcome(Status.NOT_APPLICABLE, "no line vty")
    bad: list[tuple[str, list[ConfigLine]]] = []
    checked: set[str] = set()
    for vty, _ in vtys:
        name = _child_group(vty, _ACCESS_CLASS, "name")
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
    return _outcome(ctx, bad, f"permits only from {', '.join(str(p) for p in prefixes)}")


# ---------------------------------------------------------------- RTE-01


@dataclass
class _Igp:
    """One IGP instance: which interfaces it runs on and how an interface counts as authenticated."""

    header: ConfigLine
    vrf: str | None
    authenticated: Callable[[_Iface], bool]
    networks: list[tuple[int, int]] = field(default_factory=list)  # (address, wildcard)
    joined: set[str] = field(default_factory=set)  # joined from interface config
    passive_default: bool = False
    passive: set[str] = field(default_factory=set)
    active: set[str] = field(default_factory=set)

    def runs_on(self, i: _Iface) -> bool:
        if i.key in self.joined:
            return True
        return i.vrf == self.vrf and any(a & ~w == n & ~w for a in i.addrs for n, w in self.networks)

    def is_passive(self, i: _Iface) -> bool:
        if i.key in self.active:
            return False
        return self.passive_default or i.key in self.passive


def _passive(ctx: CheckContext, igp: _Igp, section: ConfigLine) -> None:
    for _, m in section.find_children(_PASSIVE):
        name = m.group("name")
        if name == "default":
            igp.passive_default = not m.group("no")
        else:
            (igp.active if m.group("no") else igp.passive).add(ctx.platform.canonical_ifname(name))


def _area(text: str) -> int:
    return _int(text) if "." in text else int(text)


def _ospf(ctx: CheckContext, ifaces: list[_Iface]) -> Iterator[_Igp]:
    for section, m in ctx.tree.sections(_OSPF):
        pid = m.group("pid")
        areas = {_area(a.group("area")) for _, a in section.find_children(_OSPF_AREA_AUTH)}
        nets: list[tuple[int, int, int]] = [(_int(n.group("addr")), _int(n.group("wild")), _area(n.group("area")))
                                            for _, n in section.find_children(_OSPF_NET)]
        if_area: dict[str, int] = {}
        for i in ifaces:
            joined = next((j for _, j in i.iface.line.find_children(_OSPF_IF_AREA) if j.group("pid") == pid), None)
            if joined is not None:
                if_area[i.key] = _area(joined.group("area"))
            elif i.vrf == m.group("vrf"):
                area = next((ar for n, w, ar in nets for a in i.addrs if a & ~w == n & ~w), None)
                if area is not None:
                    if_area[i.key] = area

        def authed(i: _Iface, if_area: dict[str, int] = if_area, areas: set[int] = areas) -> bool:
            own = i.iface.line.child(_OSPF_IF_AUTH)
            if own is not None:  # the interface setting overrides the area's
                return _child_group(i.iface.line, _OSPF_IF_AUTH, "mode") in ("message-digest", "key-chain")
            return if_area.get(i.key) in areas

        igp = _Igp(section, m.group("vrf"), authed, joined=set(if_area))
        _passive(ctx, igp, section)
        yield igp


def _eigrp(ctx: CheckContext) -> Iterator[_Igp]:
    for section, m in ctx.tree.sections(_EIGRP):
        tag = m.group("tag")
        if tag.isdigit():
            yield _eigrp_classic(ctx, section, tag, None)
        for af, a in section.find_children(_EIGRP_AF):
            if tag.isdigit():
                yield _eigrp_classic(ctx, af, a.group("asn") or tag, a.group("vrf"))
            else:
                yield _eigrp_named(ctx, af, a.group("vrf"))


def _networks(section: ConfigLine) -> list[tuple[int, int]]:
    out = []
    for _, n in section.find_children(_EIGRP_NET):
        addr = _int(n.group("addr"))
        if n.group("wild"):
            out.append((addr, _int(n.group("wild"))))
        else:  # classful
            first = addr >> 24
            out.append((addr, 0xFFFFFF if first < 128 else 0xFFFF if first < 192 else 0xFF))
    return out


def _eigrp_classic(ctx: CheckContext, body: ConfigLine, asn: str, vrf: str | None) -> _Igp:
    def authed(i: _Iface) -> bool:
        line = i.iface.line
        mode = any(m.group("asn") == asn for _, m in line.find_children(_EIGRP_IF_MODE))
        keys = any(m.group("asn") == asn for _, m in line.find_children(_EIGRP_IF_KEYS))
        return mode and keys

    igp = _Igp(body, vrf, authed, _networks(body))
    _passive(ctx, igp, body)
    return igp


def _eigrp_named(ctx: CheckContext, af: ConfigLine, vrf: str | None) -> _Igp:
    settings = {ctx.platform.canonical_ifname(m.group("name")): s for s, m in af.find_children(_AF_IF)}
    default = settings.pop("default", None)

    def auth_of(s: ConfigLine | None) -> bool | None:
        mode = next((m for _, m in s.find_children(_AF_MODE)), None) if s is not None else None
        if s is None or mode is None:
            return None
        return bool(mode.group("inline")) or s.child(_AF_KEYS) is not None

    def authed(i: _Iface) -> bool:
        own = auth_of(settings.get(i.key))
        return own if own is not None else bool(auth_of(default))

    igp = _Igp(af, vrf, authed, _networks(af))
    if default is not None:
        flag = default.child(_AF_PASSIVE)
        igp.passive_default = flag is not None and not flag.text.startswith("no ")
    for name, s in settings.items():
        flag = s.child(_AF_PASSIVE)
        if flag is not None:
            (igp.active if flag.text.startswith("no ") else igp.passive).add(name)
    return igp


def _isis(ctx: CheckContext, ifaces: list[_Iface]) -> Iterator[_Igp]:
    for section, m in ctx.tree.sections(_ISIS):
        tag = m.group("tag")
        joined = {i.key for i in ifaces for _, j in i.iface.line.find_children(_ISIS_IF) if j.group("tag") == tag}
        igp = _Igp(section, None, lambda i: i.iface.line.child(_ISIS_IF_AUTH) is not None, joined=joined)
        _passive(ctx, igp, section)
        yield igp


def igp_authenticated(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    """Every non-passive, non-loopback OSPF/EIGRP/IS-IS interface is cryptographically authenticated."""
    ifaces = _ifaces(ctx)
    igps = [*_ospf(ctx, ifaces), *_eigrp(ctx), *_isis(ctx, ifaces)]
    if not igps:
        return Outcome(Status.NOT_APPLICABLE, "no IGP configured")
    bad: list[tuple[str, list[ConfigLine]]] = []
    adjacent = False
    for igp in igps:
        for i in ifaces:
            if i.loopback or not igp.runs_on(i) or igp.is_passive(i):
                continue
            adjacent = True
            if not igp.authenticated(i):
                bad.append((f"{igp.header.text}: interface {i.iface.name} is not authenticated",
                            [igp.header, i.iface.line]))
    return _outcome(ctx, bad, "message-digest or key-chain authentication on every IGP interface",
                    None if adjacent else "no IGP interface can form an adjacency")


# ---------------------------------------------------------------- BGP neighbour model (RTE-02/03/04, WAN-02)


@dataclass
class _Peer:
    """A neighbour, peer-group or template with its settings: (keyword, rest of line, line)."""

    name: str
    vrf: str | None
    settings: list[tuple[str, str, ConfigLine]] = field(default_factory=list)


@dataclass
class _Bgp:
    asn: str
    peers: dict[tuple[str | None, str], _Peer] = field(default_factory=dict)
    templates: dict[tuple[str, str], _Peer] = field(default_factory=dict)  # (peer-session|peer-policy, name)

    def resolved(self, peer: _Peer, seen: frozenset[int] = frozenset()) -> list[tuple[str, str, ConfigLine]]:
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


def _bgp(tree: ConfigTree) -> _Bgp | None:
    for section, m in tree.sections(_BGP):
        bgp = _Bgp(m.group("asn"))
        for child in section.children:
            if (t := _BGP_TEMPLATE.match(child.text)) is not None:
                tpl = bgp.templates.setdefault((t.group("kind"), t.group("name")), _Peer(t.group("name"), None))
                for line in child.children:
                    key, _, rest = line.text.partition(" ")
                    tpl.settings.append((key, rest, line))
            elif (a := _BGP_AF.match(child.text)) is not None:
                for line, af_nei in child.find_children(_BGP_NEI):
                    _add(bgp, a.group("vrf"), af_nei, line)
            elif (nei := _BGP_NEI.match(child.text)) is not None:
                _add(bgp, None, nei, child)
        return bgp
    return None


def _add(bgp: _Bgp, vrf: str | None, m: re.Match[str], line: ConfigLine) -> None:
    name = m.group("peer")
    peer = bgp.peers.setdefault((vrf, name), _Peer(name, vrf))
    peer.settings.append((m.group("key"), m.group("rest") or "", line))


@dataclass(frozen=True)
class _Neighbour:
    name: str
    line: ConfigLine  # where its remote-as is set (or its first line)
    ebgp: bool
    settings: list[tuple[str, str, ConfigLine]]


def _neighbours(tree: ConfigTree) -> list[_Neighbour] | None:
    """Every neighbour (an address with a remote-as, own or inherited); None without BGP."""
    bgp = _bgp(tree)
    if bgp is None:
        return None
    out = []
    for peer in bgp.peers.values():
        try:
            ipaddress.ip_address(peer.name)
        except ValueError:
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
        out.append(_Neighbour(peer.name, line, ebgp, settings))
    return out


def _bgp_check(ctx: CheckContext, ebgp_only: bool, what: str,
               problem: Callable[[_Neighbour], str | None]) -> Outcome:
    neighbours: list[_Neighbour] | None = ctx.memo("ios.bgp-neighbours", lambda: _neighbours(ctx.tree))
    if neighbours is None:
        return Outcome(Status.NOT_APPLICABLE, "BGP is not configured")
    selected = [n for n in neighbours if n.ebgp or not ebgp_only]
    if not selected:
        return Outcome(Status.NOT_APPLICABLE, f"no {'eBGP ' if ebgp_only else ''}neighbour")
    bad = [(f"neighbor {n.name} {why}", [n.line]) for n in selected if (why := problem(n)) is not None]
    return _outcome(ctx, bad, what)


def bgp_authenticated(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    """Every BGP neighbour has a password or TCP-AO, directly or inherited."""
    def problem(n: _Neighbour) -> str | None:
        return None if any(k in ("password", "ao") for k, _, _ in n.settings) else "has no password or ao"
    return _bgp_check(ctx, False, "neighbor X password or neighbor X ao", problem)


def ebgp_maximum_prefix(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    """Every eBGP neighbour has a maximum-prefix limit, directly or inherited."""
    def problem(n: _Neighbour) -> str | None:
        return None if any(k == "maximum-prefix" for k, _, _ in n.settings) else "has no maximum-prefix"
    return _bgp_check(ctx, True, "neighbor X maximum-prefix N", problem)


def ebgp_filtered(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    """Every eBGP neighbour has an inbound and an outbound filter, each defined."""
    kinds = {**_BGP_FILTER_KINDS, **dict(params.get("kinds") or {})}

    def problem(n: _Neighbour) -> str | None:
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

    return _bgp_check(ctx, True, "defined in and out filters on every eBGP neighbour", problem)


def bgp_networks_within(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    """BGP networks of the routing instance(s) of the tslcd interfaces lie in the host's prefixes."""
    key = str(params.get("prefixes", "allocated_prefixes"))
    allowed = [ipaddress.ip_network(str(p), strict=False) for p in ctx.host_value(key) or ()]
    vrfs = {i.vrf for i in _ifaces(ctx) if "tslcd" in i.iface.roles}
    if not vrfs:
        return Outcome(Status.NOT_APPLICABLE, "no tslcd interface")
    bad: list[tuple[str, list[ConfigLine]]] = []
    seen = False
    for section, _ in ctx.tree.sections(_BGP):
        scopes: list[tuple[str | None, ConfigLine]] = [(None, section)]
        scopes += [(a.group("vrf"), af) for af, a in section.find_children(_BGP_AF)]
        for vrf, body in scopes:
            if vrf not in vrfs:
                continue
            for line, m in body.find_children(_BGP_NETWORK):
                seen = True
                net = _classful(m.group("addr"), m.group("mask"))
                if not any(net.subnet_of(a) for a in allowed if a.version == 4):
                    bad.append((f"network {net} is outside {key}", [line]))
    return _outcome(ctx, bad, f"inside {', '.join(str(a) for a in allowed)}",
                    None if seen else "no BGP network in the tslcd routing instance")


def _classful(addr: str, mask: str | None) -> ipaddress.IPv4Network:
    if mask is None:
        first = _int(addr) >> 24
        mask = "255.0.0.0" if first < 128 else "255.255.0.0" if first < 192 else "255.255.255.0"
    return ipaddress.IPv4Network(f"{addr}/{mask}", strict=False)


# ---------------------------------------------------------------- IFC-02


def access_ports_guarded(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    """Access ports do not negotiate (no dynamic mode) and have BPDU guard, per port or by portfast default."""
    tree = ctx.tree
    portfast_default = tree.first(_PORTFAST_DEFAULT) is not None
    guard_default = tree.first(_BPDUGUARD_DEFAULT) is not None
    bad: list[tuple[str, list[ConfigLine]]] = []
    ports = 0
    for i in ctx.interfaces:
        if i.shutdown:
            continue
        line = i.line
        dynamic = line.child(_SW_DYNAMIC)
        if dynamic is not None:
            ports += 1
            bad.append((f"{i.name} negotiates its mode (DTP)", [line, dynamic]))
            continue
        if line.child(_SW_ACCESS) is None:
            continue
        ports += 1
        guard = line.child(_BPDUGUARD)
        if guard is not None:
            if guard.text.endswith("enable"):
                continue
            bad.append((f"{i.name} disables BPDU guard", [line, guard]))
            continue
        pf = next((m for _, m in line.find_children(_PORTFAST)), None)
        portfast = portfast_default if pf is None else pf.group("off") is None
        if not (guard_default and portfast):
            why = "has no BPDU guard" if not guard_default else "is not portfast, so the BPDU guard default misses it"
            bad.append((f"{i.name} {why}", [line]))
    return _outcome(ctx, bad, "spanning-tree bpduguard on every access port, no dynamic ports",
                    None if ports else "no active access port")


CHECKS: Mapping[str, CheckFn] = {
    "aaa_central_login": aaa_central_login,
    "no_permit_any_inbound": no_permit_any_inbound,
    "vty_filters_within": vty_filters_within,
    "igp_authenticated": igp_authenticated,
    "bgp_authenticated": bgp_authenticated,
    "ebgp_maximum_prefix": ebgp_maximum_prefix,
    "ebgp_filtered": ebgp_filtered,
    "bgp_networks_within": bgp_networks_within,
    "access_ports_guarded": access_ports_guarded,
}
