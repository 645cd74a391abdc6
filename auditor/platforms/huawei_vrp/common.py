"""Pattern tables and small helpers shared by the VRP named checks."""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable
from typing import NamedTuple

from ...checks import PASSED
from ...config import ConfigLine, Rx
from ...context import CheckContext, Interface
from ...models import Outcome, Status

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# ---------------------------------------------------------------- pattern tables

_V4 = r"\d+\.\d+\.\d+\.\d+"
# interfaces: vpn-instance binding, IPv4 addresses (mask dotted or as a length, `sub` for secondary)
IF_VPN = Rx(r"^ip binding vpn-instance (?P<vrf>\S+)$")
IF_ADDR = Rx(rf"^ip address (?P<addr>{_V4}) (?P<mask>{_V4}|\d+)(?: sub)?$")
# user-interface vty ranges and their inbound ACLs (`acl 2000 inbound`, `acl ipv6 name X inbound`)
VTY = Rx(r"^user-interface vty \d")
VTY_ACL = Rx(r"^acl (?:ipv6 )?(?:name )?(?P<name>\S+) inbound$")
# ACLs: `acl number 3000 [match-order ...]`, `acl name X [basic|advanced|3001]`, `acl ipv6 ...`;
# rules inside them, and ACLs applied inbound on an interface
ACL = Rx(r"^acl (?P<v6>ipv6 )?(?:number (?P<number>\d+)|name (?P<name>\S+)(?: (?P<kind>basic|advanced?|\d+))?|(?P<bare>\d+))"
         r"(?: match-order \S+)?$")
ACL_RULE = Rx(r"^rule (?:\d+ )?(?P<action>permit|deny)(?: (?P<rest>.*))?$")
FILTER_IN = Rx(r"^traffic-filter inbound (?:ipv6 )?acl (?:name )?(?P<name>\S+)$")
# SNMPv3: users (one line, VRP5, or several lines per user, VRP8), groups, trap targets
USM_USER = Rx(r"^snmp-agent usm-user v3 (?P<user>\S+)(?: (?P<rest>.*))?$")
V3_GROUP = Rx(r"^snmp-agent group v3 (?P<name>\S+)(?: (?P<level>\S+))?")
V3_TARGET = Rx(r"^snmp-agent target-host (?:.* )?params securityname (?:.* )?v3(?: (?P<level>\S+))?")


# ---------------------------------------------------------------- outcomes


class Problem(NamedTuple):
    """One thing a named check found wrong, with the lines that show it."""

    why: str
    lines: tuple[ConfigLine, ...]


def judged(ctx: CheckContext, problems: Iterable[Problem], expected: str, nothing: str | None = None) -> Outcome:
    """FAIL with every problem as evidence; else PASS, or NOT_APPLICABLE (reason `nothing`)."""
    found = list(problems)
    if not found:
        return PASSED if nothing is None else Outcome(Status.NOT_APPLICABLE, nothing)
    shown = dict.fromkeys(line for p in found for line in p.lines)
    summary = "; ".join(p.why for p in found)
    return Outcome(Status.FAIL, summary, tuple(map(ctx.evidence, shown)), expected=expected, actual=summary)


@functools.lru_cache(maxsize=256)
def rx(source: str) -> Rx:
    """A policy-supplied pattern (named-check `params`), compiled once per process."""
    return Rx(source)


# ---------------------------------------------------------------- addresses


@functools.lru_cache(maxsize=8192)
def masked(addr: str, mask: str | None) -> Network | None:
    """The network of `addr` with a dotted mask or a length (no mask: the host); None if invalid."""
    try:
        return ipaddress.ip_network(f"{addr}/{mask}" if mask else addr, strict=False)
    except ValueError:
        return None


@functools.lru_cache(maxsize=8192)
def wildcarded(addr: str, wildcard: str | None) -> Network | None:
    """The network an ACL address matches: `addr` with a wildcard (`0.0.0.255`), `0` or nothing
    for a host, or a length; None when invalid or not contiguous (then it is inside nothing)."""
    if wildcard is None or not wildcard.strip("0."):  # `0` / `0.0.0.0`: a host
        return masked(addr, None)
    if "." not in wildcard:
        return masked(addr, wildcard)
    try:
        bits = int(ipaddress.IPv4Address(wildcard))
    except ValueError:
        return None
    if bits & (bits + 1):
        return None
    return masked(addr, str(32 - bits.bit_length()))


def inside(net: Network | None, allowed: Iterable[Network]) -> bool:
    return net is not None and any(net.version == a.version and net.subnet_of(a) for a in allowed)  # type: ignore[arg-type]


# ---------------------------------------------------------------- interfaces


class Iface(NamedTuple):
    """An interface with what the routing checks need: canonical name, vpn-instance, IPv4 addresses."""

    iface: Interface
    key: str
    vrf: str | None
    addrs: tuple[ipaddress.IPv4Interface, ...]  # the interface's addresses with their masks

    @property
    def loopback(self) -> bool:
        return self.key.startswith(("loopback", "null"))


def ifaces(ctx: CheckContext) -> list[Iface]:
    """Every interface of the config with its vpn-instance and addresses (built once per host)."""
    result: list[Iface] = ctx.memo("vrp.ifaces", lambda: _build_ifaces(ctx))
    return result


def _build_ifaces(ctx: CheckContext) -> list[Iface]:
    canonical = ctx.platform.canonical_ifname
    return [Iface(i, canonical(i.name), next((m.group("vrf") for _, m in i.line.find_children(IF_VPN)), None),
                  _addresses(i.line)) for i in ctx.interfaces]


def _addresses(line: ConfigLine) -> tuple[ipaddress.IPv4Interface, ...]:
    found = (_address(m.group("addr"), m.group("mask")) for _, m in line.find_children(IF_ADDR))
    return tuple(a for a in found if a is not None)


@functools.lru_cache(maxsize=4096)
def _address(addr: str, mask: str) -> ipaddress.IPv4Interface | None:
    try:
        return ipaddress.IPv4Interface(f"{addr}/{mask}")
    except ValueError:
        return None
