"""Pattern tables and small helpers shared by the IOS named checks."""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Mapping
from typing import NamedTuple

from ...checks import PASSED
from ...config import ConfigLine, Rx
from ...context import CheckContext, Interface
from ...models import Outcome, Status

# ---------------------------------------------------------------- pattern tables

IP = r"\d+\.\d+\.\d+\.\d+"
# interfaces: VRF membership, IPv4 addresses (primary and secondary)
IF_VRF = Rx(r"^(?:ip )?vrf forwarding (?P<vrf>\S+)")
IF_ADDR = Rx(rf"^ip address (?P<addr>{IP}) (?P<mask>{IP})")
# AAA: new-model, login lists, lists applied on vty lines, server groups
AAA_NEW_MODEL = Rx(r"^aaa new-model$")
AAA_LOGIN = Rx(r"^aaa authentication login (?P<list>\S+) (?P<methods>.+)$")
AAA_GROUP = Rx(r"^aaa group server \S+ (?P<name>\S+)$")
AAA_BUILTIN_GROUPS = frozenset({"tacacs+", "radius", "ldap"})
VTY = Rx(r"^line vty(?: |$)")  # IOS numbers its vty ranges, NX-OS has a single `line vty`
LOGIN_AUTH = Rx(r"^login authentication (?P<list>\S+)$")
ACCESS_CLASS = Rx(r"^access-class (?P<name>\S+) in\b")
# ACLs: numbered entries, named sections (IPv4 standard/extended, IPv6), entries in a section
ACL_NUMBERED = Rx(r"^access-list (?P<name>\d+) (?P<action>permit|deny) (?P<rest>.*)$")
ACL_NAMED = Rx(r"^ip(?:v6)? access-list (?:(?P<kind>standard|extended) )?(?P<name>\S+)$")
ACE = Rx(r"^(?:(?:sequence )?\d+ )?(?P<action>permit|deny) (?P<rest>.*)$")
ACL_IN = Rx(r"^ip(?:v6)? (?:access-group|traffic-filter) (?P<name>\S+) in$")
# words that may follow a permit-any-any without narrowing it
ACE_NEUTRAL = frozenset({"log", "log-input", "sequence"})
# OSPF
OSPF = Rx(r"^router ospf (?P<pid>\d+)(?: vrf (?P<vrf>\S+))?")
OSPF_NET = Rx(rf"^network (?P<addr>{IP}) (?P<wild>{IP}) area (?P<area>\S+)")
OSPF_AREA_AUTH = Rx(r"^area (?P<area>\S+) authentication message-digest$")
OSPF_IF_AREA = Rx(r"^ip ospf (?P<pid>\d+) area (?P<area>\S+)")
OSPF_IF_AUTH = Rx(r"^ip ospf authentication(?:$| (?P<mode>\S+))")
# EIGRP: classic (router eigrp ASN) and named mode (router eigrp NAME / address-family)
EIGRP = Rx(r"^router eigrp (?P<tag>\S+)$")
EIGRP_AF = Rx(r"^address-family ipv4(?: unicast)?(?: vrf (?P<vrf>\S+))?(?: autonomous-system (?P<asn>\d+))?$")
EIGRP_NET = Rx(rf"^network (?P<addr>{IP})(?: (?P<wild>{IP}))?$")
EIGRP_IF_MODE = Rx(r"^ip authentication mode eigrp (?P<asn>\d+) md5$")
EIGRP_IF_KEYS = Rx(r"^ip authentication key-chain eigrp (?P<asn>\d+) \S+$")
AF_IF = Rx(r"^af-interface (?P<name>\S+)$")
AF_MODE = Rx(r"^authentication mode (?P<mode>md5|hmac-sha-256)(?P<inline> .+)?$")
AF_KEYS = Rx(r"^authentication key-chain \S+$")
# IS-IS: interfaces join with `ip router isis [TAG]`, hellos are authenticated per interface
ISIS = Rx(r"^router isis(?: (?P<tag>\S+))?$")
ISIS_IF = Rx(r"^ip router isis(?: (?P<tag>\S+))?$")
ISIS_IF_AUTH = Rx(r"^isis authentication mode (?:md5|hmac-sha\S*)")
# passive interfaces (OSPF, classic EIGRP, IS-IS) and af-interface passivity
PASSIVE = Rx(r"^(?P<no>no )?passive-interface (?P<name>\S+)$")
AF_PASSIVE = Rx(r"^(?P<no>no )?passive-interface$")
# BGP: the process, neighbour lines, address families, templates
BGP = Rx(r"^router bgp (?P<asn>\S+)$")
BGP_NEI = Rx(r"^neighbor (?P<peer>\S+) (?P<key>\S+)(?: (?P<rest>.*))?$")
BGP_AF = Rx(r"^address-family \S+(?: \S+)?(?: vrf (?P<vrf>\S+))?$")
BGP_TEMPLATE = Rx(r"^template (?P<kind>peer-session|peer-policy) (?P<name>\S+)$")
BGP_NETWORK = Rx(rf"^network (?P<addr>{IP})(?: mask (?P<mask>{IP}))?")
# BGP filter keywords and the object kinds (policy `objects`) that define their names
BGP_FILTER_KINDS: Mapping[str, str] = {
    "route-map": "route_map",
    "prefix-list": "prefix_list",
    "distribute-list": "acl",
    "filter-list": "as_path",
}
# switchports
SW_ACCESS = Rx(r"^switchport mode access$")
SW_DYNAMIC = Rx(r"^switchport mode dynamic")
PORTFAST = Rx(r"^spanning-tree portfast(?: edge)?(?P<off> disable)?(?: trunk)?$")
PORTFAST_DEFAULT = Rx(r"^spanning-tree portfast (?:edge )?default$")
BPDUGUARD = Rx(r"^spanning-tree bpduguard (?:enable|disable)$")
BPDUGUARD_DEFAULT = Rx(r"^spanning-tree portfast (?:edge )?bpduguard default$")

ALL_ONES = 0xFFFFFFFF


def outcome_of(ctx: CheckContext, bad: list[tuple[str, list[ConfigLine]]], expected: str,
             nothing: str | None = None) -> Outcome:
    """FAIL listing the problems, PASS when there are none, NOT_APPLICABLE when `nothing` says so."""
    if bad:
        lines = dict.fromkeys(line for _, group in bad for line in group)
        return Outcome(Status.FAIL, "; ".join(why for why, _ in bad), tuple(ctx.evidence(li) for li in lines),
                       expected=expected, actual="; ".join(why for why, _ in bad))
    if nothing is not None:
        return Outcome(Status.NOT_APPLICABLE, nothing)
    return PASSED


@functools.lru_cache(maxsize=4096)
def ip_int(addr: str) -> int:
    return int(ipaddress.IPv4Address(addr))


def child_group(line: ConfigLine, rx: Rx, group: str) -> str | None:
    """Group `group` of the first child of `line` matching `rx`, None when no child matches."""
    for _, m in line.find_children(rx):
        return m.group(group)
    return None


# ---------------------------------------------------------------- interfaces


class Iface(NamedTuple):
    """An interface with what the routing checks need: canonical name, VRF and IPv4 addresses."""

    iface: Interface
    key: str
    vrf: str | None
    addrs: tuple[int, ...]

    @property
    def loopback(self) -> bool:
        return self.key.startswith("loopback")


def ifaces(ctx: CheckContext) -> list[Iface]:
    result: list[Iface] = ctx.memo("ios.ifaces", lambda: _build_ifaces(ctx))
    return result


def _build_ifaces(ctx: CheckContext) -> list[Iface]:
    out = []
    for i in ctx.interfaces:
        addrs = tuple(ip_int(m.group("addr")) for _, m in i.line.find_children(IF_ADDR))
        out.append(Iface(i, ctx.platform.canonical_ifname(i.name), child_group(i.line, IF_VRF, "vrf"), addrs))
    return out
