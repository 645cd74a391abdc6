"""Shared fixtures: paths, the catalogue, the shipped policy, and a small inventory builder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from auditor.catalogue import Catalogue, load_catalogue
from auditor.policy import Policy, load_policy

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPORA = SHARED / "corpora"


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture(scope="session")
def policy(catalogue: Catalogue) -> Policy:
    return load_policy(ROOT / "policies", catalogue)


def write_inventory(directory: Path, hosts: dict[str, Any], groups: dict[str, Any] | None = None,
                    defaults: dict[str, Any] | None = None) -> Path:
    """Write a SimpleInventory to `directory` and return it."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "hosts.yaml").write_text(yaml.safe_dump(hosts, allow_unicode=True), encoding="utf-8")
    (directory / "groups.yaml").write_text(yaml.safe_dump(groups or {}, allow_unicode=True), encoding="utf-8")
    (directory / "defaults.yaml").write_text(
        yaml.safe_dump(defaults if defaults is not None else {"platform": "cisco_ios"}, allow_unicode=True),
        encoding="utf-8",
    )
    return directory


def host(site: str, address: str, **data: Any) -> dict[str, Any]:
    """A valid host entry; keyword arguments override its data."""
    base: dict[str, Any] = {"site": site, "agency": f"Đơn vị {site}", "tier": "commune", "role": "wan-edge",
                            "level": 3}
    base.update(data)
    return {"hostname": address, "data": base}
