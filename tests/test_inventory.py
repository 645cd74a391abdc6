"""Inventory loading and validation: every problem at once, naming host, key and reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import host, write_inventory

from auditor.errors import InventoryError
from auditor.inventory import Filters, load_inventory


def _problems(directory: Path) -> list[str]:
    with pytest.raises(InventoryError) as err:
        load_inventory(directory)
    return err.value.problems


def test_inheritance_from_groups_and_defaults(tmp_path: Path) -> None:
    inv = write_inventory(
        tmp_path,
        {"r1": {"hostname": "10.0.0.1", "groups": ["commune", "area-a"],
                "data": {"site": "XA-A", "agency": "UBND xã A", "role": "wan-edge"}}},
        groups={"commune": {"data": {"tier": "commune", "level": 2}}, "area-a": {"data": {"district": "Mường Chà"}}},
        defaults={"platform": "cisco_ios", "data": {"management_prefixes": ["10.62.250.0/24"], "report_lang": "vi"}},
    )
    loaded = load_inventory(inv)
    r1 = loaded.hosts["r1"]
    assert r1.platform == "cisco_ios"
    assert r1.get("tier") == "commune" and r1.get("level") == 2 and r1.get("district") == "Mường Chà"
    assert r1.get("management_prefixes") == ["10.62.250.0/24"]
    assert r1.get("management_address") == "10.0.0.1"
    assert loaded.defaults["report_lang"] == "vi"


def test_every_problem_reported_at_once(tmp_path: Path) -> None:
    inv = write_inventory(
        tmp_path,
        {
            "a": host("S1", "10.0.0.1", role="router"),
            "b": host("S2", "10.0.0.2", level=7),
            "c": host("S3", "10.0.0.3", allocated_prefixes=["10.1.1.0/33"]),
            "d": host("S4", "10.0.0.4", uplinks={"tslcd": ["Gi0/0"], "internet": ["gi0/0"]}),
            "e": host("S5", "10.0.0.5", tier="huyen"),
            "f": host("S6", "10.0.0.6", management_prefixes=["10.62.250.1/24"]),
            "g": host("S7", "10.0.0.7", designated_servers={"ntp": ["ntp.local"]}),
            "h": {"hostname": "10.0.0.8", "data": {"site": "S8"}},
        },
    )
    problems = _problems(inv)
    text = "\n".join(problems)
    assert "host a: role: unknown role 'router'" in text
    assert "host b: level: max value is 5" in text
    assert "host c: allocated_prefixes.0: malformed CIDR '10.1.1.0/33'" in text
    assert "host d: uplinks.internet: interface gi0/0 listed twice" in text
    assert "host e: tier: unknown tier 'huyen'" in text
    assert "host f: management_prefixes.0: malformed CIDR '10.62.250.1/24'" in text
    assert "host g: designated_servers.ntp.0: malformed IP address 'ntp.local'" in text
    assert "host h: agency: required field" in text and "host h: role: required field" in text
    assert all("hosts.yaml" in p for p in problems)


def test_structural_problems(tmp_path: Path) -> None:
    inv = write_inventory(
        tmp_path,
        {
            "r1": {**host("S1", "10.0.0.1"), "platform": "cisco_xr"},
            "r2": {**host("S2", "10.0.0.2"), "groups": ["nope"]},
            "r3": {**host("S3", "10.0.0.3"), "password": "hunter2"},
            "R1.dbn.gov.vn": host("S4", "10.0.0.4"),
            "r5": {**host("S5", "10.0.0.5"), "site": "S5"},
        },
    )
    text = "\n".join(_problems(inv))
    assert "host r1: platform: unknown platform 'cisco_xr' (known: cisco_ios" in text
    assert "host r2: groups: unknown group 'nope'" in text
    assert "host r3: password: credentials never go in inventory files" in text
    assert "hunter2" not in text
    assert ("host R1.dbn.gov.vn: duplicate host name (same as r1)" in text
            or "host r1: duplicate host name (same as R1.dbn.gov.vn)" in text)
    assert "host r5: site: unknown key (host data goes under 'data')" in text


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("r1:\n\thostname: 10.0.0.1\n", "hosts.yaml:2: tab character"),
        ("r1:\n  hostname: 10.0.0.1\nr1:\n  hostname: 10.0.0.2\n", "hosts.yaml:3: duplicate key 'r1'"),
        ("- r1\n- r2\n", "expected a mapping at the top level"),
        ("r1: [1, 2\n", "hosts.yaml:2:"),
        ("r1:\n  hostname: 10.0.0.1\n  data: [site, S1]\n", "host r1: data: expected a mapping"),
    ],
)
def test_malformed_yaml_one_line_with_file_and_line(tmp_path: Path, content: str, expected: str) -> None:
    write_inventory(tmp_path, {})
    (tmp_path / "hosts.yaml").write_text(content, encoding="utf-8")
    problems = _problems(tmp_path)
    assert any(expected in p for p in problems), problems
    assert all("\n" not in p for p in problems)


def test_missing_directory(tmp_path: Path) -> None:
    assert "inventory directory not found" in _problems(tmp_path / "nope")[0]


def test_filters(tmp_path: Path) -> None:
    inv = write_inventory(
        tmp_path,
        {
            "a": host("SO-TC", "10.0.0.1", tier="department", tags=["mot-cua"]),
            "b": host("SO-TC", "10.0.0.2", tier="department", role="access"),
            "c": host("XA-A", "10.0.0.3", tags=["mot-cua", "cap-do-3"]),
            "d.dbn.gov.vn": host("XA-B", "10.0.0.4", role="core"),
        },
    )
    loaded = load_inventory(inv)

    def names(**kw: tuple[str, ...]) -> list[str]:
        return sorted(h.name for h in loaded.select(Filters(**kw)))

    assert names() == ["a", "b", "c", "d.dbn.gov.vn"]
    assert names(sites=("so-tc",)) == ["a", "b"]
    assert names(sites=("SO-TC", "XA-A"), roles=("wan-edge",)) == ["a", "c"]
    assert names(tags=("mot-cua",)) == ["a", "c"]
    assert names(tiers=("commune",), tags=("cap-do-3",)) == ["c"]
    assert names(hosts=("D", "b")) == ["b", "d.dbn.gov.vn"]
    assert names(sites=("nowhere",)) == []
    nr = loaded.filtered_nornir(Filters(roles=("access",)))
    assert list(nr.inventory.hosts) == ["b"]
