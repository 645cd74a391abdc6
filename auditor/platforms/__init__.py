"""The platform registry: one module per platform, registered here explicitly.

Adding a vendor means adding its module under this package and naming its PLATFORM below.
"""

from __future__ import annotations

from ..errors import UnknownPlatformError
from . import cisco_ios, cisco_nxos, fortinet, huawei_vrp, juniper_junos
from .base import Platform

_REGISTRY: dict[str, Platform] = {p.name: p for p in (cisco_ios.PLATFORM, cisco_nxos.PLATFORM, fortinet.PLATFORM, huawei_vrp.PLATFORM,
                                                 juniper_junos.PLATFORM)}


def known_platforms() -> tuple[str, ...]:
    """Names of every platform the auditor can parse, in registration order."""
    return tuple(_REGISTRY)


def get_platform(name: str | None) -> Platform:
    """The platform called `name`; an unknown name raises an error listing the known ones."""
    if name is None:
        raise UnknownPlatformError(f"no platform given (known: {', '.join(_REGISTRY)})")
    try:
        return _REGISTRY[name]
    except KeyError:
        raise UnknownPlatformError(f"unknown platform {name!r} (known: {', '.join(_REGISTRY)})") from None


__all__ = ["Platform", "get_platform", "known_platforms"]
