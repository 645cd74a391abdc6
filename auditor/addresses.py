"""IP address parsing for checks, memoised: configs repeat the same addresses and prefixes, and
`ipaddress` objects are costly to build on the evaluation hot path."""

from __future__ import annotations

import functools
import ipaddress

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Interface = ipaddress.IPv4Interface | ipaddress.IPv6Interface


@functools.lru_cache(maxsize=8192)
def network(text: str) -> Network | None:
    """`10.0.0.0/8`, `10.0.0.1/24` (host bits dropped) or `10.0.0.0/255.0.0.0`; None when invalid."""
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None


@functools.lru_cache(maxsize=8192)
def interface(text: str) -> Interface | None:
    """An address with its prefix (`10.0.0.1/30`, `10.0.0.1/255.255.255.252`); None when invalid."""
    try:
        return ipaddress.ip_interface(text)
    except ValueError:
        return None


Span = tuple[int, int, int]  # IP version, first and last address of a network, as integers


def span(net: Network) -> Span:
    """A network as an integer range: containment is then two integer comparisons."""
    return (net.version, int(net.network_address), int(net.broadcast_address))


@functools.lru_cache(maxsize=8192)
def network_span(text: str) -> Span | None:
    """The span of a network given as text (as `network` reads it); None when invalid."""
    found = network(text)
    return None if found is None else span(found)


@functools.lru_cache(maxsize=8192)
def interface_span(text: str) -> Span | None:
    """The span of the network of an address with its prefix (`10.0.0.1/30`); None when invalid."""
    found = interface(text)
    return None if found is None else span(found.network)


@functools.lru_cache(maxsize=8192)
def network_text(net: Network) -> str:
    """`10.0.0.0/8`: ipaddress builds the text anew each time it is asked."""
    return str(net)


@functools.lru_cache(maxsize=1024)
def networks_text(texts: tuple[str, ...]) -> str:
    """`10.0.0.0/8, 10.1.0.0/16` for host data addresses or prefixes (the valid ones)."""
    return ", ".join(str(n) for t in texts if (n := network(t)) is not None)


def inside(inner: Span, outers: list[Span]) -> bool:
    """Whether the network `inner` lies within one of `outers` (same IP version)."""
    version, first, last = inner
    for v, lo, hi in outers:
        if v == version and lo <= first and last <= hi:
            return True
    return False
