"""Load and validate the Nornir SimpleInventory; select hosts with filters.

The files are Nornir's SimpleInventory (hosts.yaml, groups.yaml, defaults.yaml). Before Nornir
reads them, every file is loaded strictly (safe loader, no duplicate keys, no tabs), and after
Nornir applies group and default inheritance every host's data is validated with cerberus.
Every problem is collected and reported at once.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nornir import InitNornir
from nornir.core import Nornir
from nornir.core.inventory import Host

from .checks import short_hostname
from .errors import AuditorError, InventoryError
from .models import HostInfo
from .platforms import known_platforms
from .schemas import HOST_DATA_SCHEMA, Validator, flatten_errors
from .yamlio import load_yaml

HOST_KEYS = ("hostname", "port", "username", "password", "platform", "groups", "data", "connection_options")


@dataclass(frozen=True)
class Filters:
    """Host selection: values within one filter are alternatives, filters combine with AND."""

    sites: tuple[str, ...] = ()
    tiers: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()

    def matches(self, info: HostInfo) -> bool:
        def any_of(wanted: Sequence[str], value: Any) -> bool:
            return not wanted or str(value).lower() in {w.lower() for w in wanted}

        tags = {str(t).lower() for t in info.get("tags") or ()}
        return (
            any_of(self.sites, info.get("site"))
            and any_of(self.tiers, info.get("tier"))
            and any_of(self.roles, info.get("role"))
            and (not self.tags or bool(tags & {t.lower() for t in self.tags}))
            and (not self.hosts or short_hostname(info.name) in {short_hostname(h) for h in self.hosts})
        )

    def describe(self) -> str:
        parts = [
            f"{label} {','.join(values)}"
            for label, values in (("site", self.sites), ("tier", self.tiers), ("role", self.roles),
                                  ("tag", self.tags), ("host", self.hosts))
            if values
        ]
        return "; ".join(parts) or "all hosts"

    def as_dict(self) -> dict[str, list[str]]:
        return {k: list(v) for k, v in (("site", self.sites), ("tier", self.tiers), ("role", self.roles),
                                         ("tag", self.tags), ("host", self.hosts)) if v}


@dataclass
class Inventory:
    """A validated inventory: the Nornir object and every host's effective data."""

    directory: Path
    nornir: Nornir
    hosts: dict[str, HostInfo] = field(default_factory=dict)
    defaults: Mapping[str, Any] = field(default_factory=dict)

    def select(self, filters: Filters) -> list[HostInfo]:
        return [h for h in self.hosts.values() if filters.matches(h)]

    def filtered_nornir(self, filters: Filters) -> Nornir:
        names = {h.name for h in self.select(filters)}
        return self.nornir.filter(filter_func=lambda host: host.name in names)


def _read(path: Path, required: bool, problems: list[str]) -> dict[str, Any]:
    if not path.exists():
        if required:
            problems.append(f"{path}: file not found")
        return {}
    try:
        raw = load_yaml(path)
    except AuditorError as exc:
        problems.append(str(exc))
        return {}
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.append(f"{path}: expected a mapping at the top level, found {type(raw).__name__}")
        return {}
    return raw


def _structure(path: Path, entries: Mapping[str, Any], kind: str, groups: Mapping[str, Any],
               problems: list[str]) -> None:
    platforms = known_platforms()
    for name, entry in entries.items():
        where = f"{path}: {kind} {name}"
        if entry is None:
            continue
        if not isinstance(entry, dict):
            problems.append(f"{where}: expected a mapping, found {type(entry).__name__}")
            continue
        for key in entry:
            if key not in HOST_KEYS:
                problems.append(f"{where}: {key}: unknown key (host data goes under 'data')")
        for secret in ("username", "password"):
            if entry.get(secret):
                problems.append(f"{where}: {secret}: credentials never go in inventory files "
                                "(use AUDITOR_USERNAME / AUDITOR_PASSWORD or --credentials)")
        platform = entry.get("platform")
        if platform is not None and platform not in platforms:
            problems.append(f"{where}: platform: unknown platform {platform!r} (known: {', '.join(platforms)})")
        member_of = entry.get("groups") or []
        if not isinstance(member_of, list):
            problems.append(f"{where}: groups: expected a list")
            member_of = []
        for g in member_of:
            if g not in groups:
                problems.append(f"{where}: groups: unknown group {g!r}")
        if "data" in entry and entry["data"] is not None and not isinstance(entry["data"], dict):
            problems.append(f"{where}: data: expected a mapping")


def _host_problems(path: Path, host: Host, data: Mapping[str, Any]) -> list[str]:
    where = f"{path}: host {host.name}"
    problems: list[str] = []
    v = Validator(HOST_DATA_SCHEMA)
    if not v.validate(dict(data)):
        for line in flatten_errors(v.errors):
            key, _, msg = line.partition(": ")
            rule = HOST_DATA_SCHEMA.get(key.split(".", 1)[0], {})
            if msg.startswith("unallowed value") and "allowed" in rule:
                msg = f"unknown {key} {data.get(key)!r} (allowed: {', '.join(rule['allowed'])})"
            elif msg.startswith("unknown field"):
                msg = "unknown key"
            problems.append(f"{where}: {key}: {msg}")
    uplinks = data.get("uplinks")
    if isinstance(uplinks, dict):
        seen: dict[str, str] = {}
        for role in ("tslcd", "internet"):
            for name in uplinks.get(role) or ():
                low = str(name).lower()
                if low in seen:
                    problems.append(f"{where}: uplinks.{role}: interface {name} listed twice "
                                    f"(also in uplinks.{seen[low]})")
                seen[low] = role
    if host.platform is None:
        problems.append(f"{where}: platform: missing (set it on the host, a group or defaults)")
    return problems


def load_inventory(directory: Path) -> Inventory:
    """Load and validate the inventory in `directory`; InventoryError lists every problem."""
    if not directory.is_dir():
        raise InventoryError([f"{directory}: inventory directory not found"])
    hosts_file, groups_file, defaults_file = (directory / n for n in ("hosts.yaml", "groups.yaml", "defaults.yaml"))
    problems: list[str] = []
    hosts = _read(hosts_file, True, problems)
    groups = _read(groups_file, False, problems)
    defaults = _read(defaults_file, False, problems)
    _structure(hosts_file, hosts, "host", groups, problems)
    _structure(groups_file, groups, "group", groups, problems)
    _structure(defaults_file, {"defaults": defaults}, "section", groups, problems)
    seen: dict[str, str] = {}
    for name in hosts:
        key = short_hostname(str(name))
        if key in seen:
            problems.append(f"{hosts_file}: host {name}: duplicate host name (same as {seen[key]})")
        seen[key] = str(name)
    if not hosts and not problems:
        problems.append(f"{hosts_file}: no hosts defined")
    if problems:
        raise InventoryError(problems)
    logging.getLogger("nornir").setLevel(logging.WARNING)
    try:
        nr = InitNornir(
            inventory={
                "plugin": "SimpleInventory",
                "options": {"host_file": str(hosts_file), "group_file": str(groups_file),
                            "defaults_file": str(defaults_file)},
            },
            runner={"plugin": "threaded", "options": {"num_workers": 10}},
            logging={"enabled": False},
        )
    except Exception as exc:
        raise InventoryError([f"{directory}: Nornir cannot load the inventory: {type(exc).__name__}: {exc}"]) from exc
    infos: dict[str, HostInfo] = {}
    for host in nr.inventory.hosts.values():
        data = dict(host.items())
        problems.extend(_host_problems(hosts_file, host, data))
        data.pop("report_lang", None)
        if host.hostname:
            data["management_address"] = host.hostname
            data["management_port"] = host.port or 22
        infos[host.name] = HostInfo(host.name, str(host.platform), data)
    if problems:
        raise InventoryError(problems)
    return Inventory(directory, nr, infos, dict(defaults.get("data") or {}))


def overlapping(prefixes: Iterable[tuple[str, str]]) -> list[tuple[str, str, str, str]]:
    """Pairs of (owner, prefix) whose prefixes overlap, for owners that differ."""
    nets = sorted(
        ((ipaddress.ip_network(p, strict=False), owner, p) for owner, p in prefixes),
        key=lambda t: (t[0].version, t[0].network_address, -t[0].prefixlen),
    )
    out = []
    for i, (net, owner, p) in enumerate(nets):
        for other, o2, p2 in nets[i + 1 :]:
            if other.version != net.version or int(other.network_address) > int(net.broadcast_address):
                break
            if owner != o2 and net.overlaps(other):
                out.append((owner, p, o2, p2))
    return out
