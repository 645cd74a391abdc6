"""Shared helpers for the benchmarks: corpus discovery and the host data every rule can use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

# Corpus folder name -> platform (the shared corpus names folders after netmiko-ish labels).
CORPUS_PLATFORMS = {
    "cisco_ios": "cisco_ios",
    "cisco_nxos": "cisco_nxos",
    "juniper_junos": "juniper_junos",
    "juniper_junos_set": "juniper_junos",
    "huawei_vrp": "huawei_vrp",
    "fortinet_fortios": "fortinet",
    "fortinet": "fortinet",
}

# Host data that makes every data-driven rule run (servers, prefixes, management networks).
HOST_DATA: dict[str, Any] = {
    "site": "BENCH",
    "agency": "bench",
    "tier": "department",
    "level": 3,
    "allocated_prefixes": ["10.0.0.0/8"],
    "management_prefixes": ["10.62.250.0/24"],
    "designated_servers": {"ntp": ["10.62.0.10", "10.62.0.11"], "syslog": ["10.62.0.20", "10.62.0.21"],
                           "aaa": ["10.62.0.30", "10.62.0.31"]},
}


def corpus_sets(root: Path, platform: str | None) -> dict[str, list[Path]]:
    """Files to benchmark, grouped by platform: `root` is one platform folder or the corpus root."""
    if platform:
        return {platform: sorted(p for p in root.iterdir() if p.is_file())}
    if root.name in CORPUS_PLATFORMS:
        return {CORPUS_PLATFORMS[root.name]: sorted(p for p in root.iterdir() if p.is_file())}
    out: dict[str, list[Path]] = {}
    for sub in sorted(root.iterdir()):
        if sub.is_dir() and sub.name in CORPUS_PLATFORMS:
            out.setdefault(CORPUS_PLATFORMS[sub.name], []).extend(sorted(p for p in sub.iterdir() if p.is_file()))
    return out
