"""Render a baseline configuration for an inventory host from Jinja2 templates.

Templates live in `templates/<platform>/<role>.cfg.j2` and are filled from the host's inventory
data: name, management address, uplinks, allocated and management prefixes, designated NTP /
syslog / AAA servers and level. Addresses not in the inventory follow the address plan of
inventory/README.md, computed over the last /24 of the site's first allocated prefix: LAN .0/25
(gateway .1), management .224/28 (gateway .225), TSLCD link .252/30 (provider PE .253, site
.254), private AS 65000 + the third octet of the first allocated prefix.

Secrets are never rendered: each is a placeholder `<<CHANGE-ME:NAME>>` that the technician
replaces, and the onboarding gate blocks while any remains (`placeholders`).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2

from .errors import AuditorError
from .models import HostInfo

PLACEHOLDER = re.compile(r"<<CHANGE-ME:([^<>\s]*)>>")
DEFAULT_TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


def templates_dir(given: Path | None = None) -> Path:
    """--templates, else the repository's templates/, else ./templates."""
    if given is not None:
        return given
    return DEFAULT_TEMPLATES if DEFAULT_TEMPLATES.is_dir() else Path("templates")


def placeholders(text: str) -> list[tuple[int, str]]:
    """(line number, placeholder name) of every `<<CHANGE-ME:...>>` left in a config."""
    return [(n, m.group(1)) for n, line in enumerate(text.splitlines(), 1) for m in PLACEHOLDER.finditer(line)]


def supported(directory: Path | None = None) -> list[tuple[str, str]]:
    """Every (platform, role) with a template."""
    root = templates_dir(directory)
    return sorted((p.parent.name, p.name.removesuffix(".cfg.j2")) for p in root.glob("*/*.cfg.j2"))


def _net(prefix: str) -> dict[str, Any]:
    net = ipaddress.ip_network(prefix, strict=False)
    return {"prefix": str(net), "network": str(net.network_address), "netmask": str(net.netmask),
            "wildcard": str(net.hostmask), "length": net.prefixlen}


def context(host: HostInfo) -> dict[str, Any]:
    """Template variables for `host` (raises AuditorError when the data cannot support a baseline)."""
    data: Mapping[str, Any] = host.data
    allocated = [str(p) for p in data.get("allocated_prefixes") or ()]
    problems = []
    if not allocated:
        problems.append("allocated_prefixes: needed for a baseline (the site's address block)")
    servers = dict(data.get("designated_servers") or {})
    for kind in ("ntp", "syslog", "aaa"):
        if not servers.get(kind):
            problems.append(f"designated_servers.{kind}: needed for a baseline")
    if not data.get("management_prefixes"):
        problems.append("management_prefixes: needed for a baseline (the only permitted management source)")
    mgmt = str(data.get("management_address") or "")
    if not mgmt:
        problems.append("hostname: the management address is needed for a baseline")
    first = ipaddress.ip_network(allocated[0], strict=False) if allocated else None
    if first is not None and (first.version != 4 or first.prefixlen > 24):
        problems.append(f"allocated_prefixes: {allocated[0]}: a baseline needs an IPv4 block of /24 or larger")
    if problems:
        raise AuditorError(f"host {host.name}: " + "; ".join(problems))
    assert first is not None
    last24 = list(first.subnets(new_prefix=24))[-1]
    base = int(last24.network_address)  # type: ignore[attr-defined]

    def at(offset: int) -> str:
        return str(ipaddress.IPv4Address(base + offset))

    uplinks = dict(data.get("uplinks") or {})
    return {
        "hostname": host.name,
        "platform": host.platform,
        "site": data.get("site"),
        "agency": data.get("agency"),
        "role": data.get("role"),
        "tier": data.get("tier"),
        "level": data.get("level"),
        "management_address": mgmt,
        "tslcd": list(uplinks.get("tslcd") or ()),
        "internet": list(uplinks.get("internet") or ()),
        "allocated": [_net(p) for p in allocated],
        "management": [_net(str(p)) for p in data.get("management_prefixes") or ()],
        "servers": {k: [str(s) for s in servers.get(k) or ()] for k in ("ntp", "syslog", "aaa")},
        "asn": 65000 + int(str(first.network_address).split(".")[2]),
        "lan": {"gateway": at(1), "netmask": "255.255.255.128", "network": at(0), "wildcard": "0.0.0.127"},
        "mgmt_lan": {"network": at(224), "gateway": at(225), "netmask": "255.255.255.240",
                     "wildcard": "0.0.0.15"},
        "link": {"pe": at(253), "site": at(254), "netmask": "255.255.255.252"},
        "domain": f"{str(data.get('site') or host.name).lower().replace('-', '')}.tinh.gov.vn",
    }


def render_baseline(host: HostInfo, directory: Path | None = None) -> str:
    """The baseline config of `host` for its platform and role."""
    root = templates_dir(directory)
    role = str(host.get("role"))
    path = root / host.platform / f"{role}.cfg.j2"
    if not path.is_file():
        have = ", ".join(f"{p}/{r}" for p, r in supported(root)) or "none"
        raise AuditorError(f"no baseline template for platform {host.platform} role {role} "
                           f"(expected {path}; templates: {have})")
    env = jinja2.Environment(  # noqa: S701 - renders device configs, not HTML
        loader=jinja2.FileSystemLoader(str(root)), undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    try:
        return env.get_template(f"{host.platform}/{role}.cfg.j2").render(**context(host))
    except jinja2.TemplateError as exc:
        raise AuditorError(f"{path}: template error: {exc}") from exc
