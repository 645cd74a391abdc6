"""`auditor site add|remove`: every problem reported with its key, hosts.yaml untouched on error."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from auditor.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "inventory" / "examples" / "new-commune.yaml"


@pytest.fixture
def inv(tmp_path: Path) -> Path:
    d = tmp_path / "inventory"
    shutil.copytree(ROOT / "inventory", d, ignore=shutil.ignore_patterns("snapshots", "examples"))
    return d


def _entry(**data: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"site": "XA-MOI", "agency": "UBND xã Mới", "role": "wan-edge", "level": 3,
                            "uplinks": {"tslcd": ["GigabitEthernet0/0/0"], "internet": []},
                            "allocated_prefixes": ["10.62.160.0/24"]}
    base.update(data)
    return {"hostname": data.pop("_address", "10.62.160.241"), "platform": "cisco_ios",
            "groups": ["commune", "area-dien-bien"], "data": {k: v for k, v in base.items() if v is not None}}


def _site_file(tmp_path: Path, hosts: dict[str, Any]) -> Path:
    path = tmp_path / "site.yaml"
    path.write_text(yaml.safe_dump({"hosts": hosts}, allow_unicode=True), encoding="utf-8")
    return path


def _add(inv: Path, path: Path) -> int:
    return main(["site", "add", "--inventory", str(inv), "--from", str(path)])


def _refused(inv: Path, path: Path, capsys: pytest.CaptureFixture[str], *expected: str) -> str:
    before = (inv / "hosts.yaml").read_bytes()
    backups = len(list(inv.glob("hosts.yaml.bak-*")))
    assert _add(inv, path) == 2
    err = capsys.readouterr().err
    for text in expected:
        assert text in err, err
    assert (inv / "hosts.yaml").read_bytes() == before
    assert len(list(inv.glob("hosts.yaml.bak-*"))) == backups
    return err


def test_duplicate_name(inv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _site_file(tmp_path, {"dbn-tu-rtr01": _entry()})
    _refused(inv, path, capsys, "host dbn-tu-rtr01: name: duplicate host name")


def test_duplicate_management_address(inv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    entry = _entry()
    entry["hostname"] = "10.62.2.241"  # dbn-tu-rtr01
    path = _site_file(tmp_path, {"dbn-xa-moi-rtr01": entry})
    _refused(inv, path, capsys, "host dbn-xa-moi-rtr01: hostname: management address 10.62.2.241 already used by "
                                "dbn-tu-rtr01")


def test_duplicate_address_within_the_file(inv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _site_file(tmp_path, {"dbn-xa-moi-rtr01": _entry(), "dbn-xa-moi-rtr02": _entry()})
    _refused(inv, path, capsys, "host dbn-xa-moi-rtr02: hostname: management address 10.62.160.241 already used")


def test_overlapping_prefix(inv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    entry = _entry(allocated_prefixes=["10.62.160.0/24", "10.62.131.128/25"])  # XA-MUONGPHANG's /24
    path = _site_file(tmp_path, {"dbn-xa-moi-rtr01": entry})
    _refused(inv, path, capsys, "allocated_prefixes: 10.62.131.128/25 of site XA-MOI overlaps 10.62.131.0/24 of "
                                "site XA-MUONGPHANG")


def test_unknown_role_and_bad_level(inv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _site_file(tmp_path, {"dbn-xa-moi-rtr01": _entry(role="router", level=9)})
    _refused(inv, path, capsys, "host dbn-xa-moi-rtr01: role: unknown role 'router'",
             "host dbn-xa-moi-rtr01: level: max value is 5")


def test_missing_uplinks(inv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _site_file(tmp_path, {"dbn-xa-moi-rtr01": _entry(uplinks=None)})
    _refused(inv, path, capsys, "host dbn-xa-moi-rtr01: uplinks.tslcd: a wan-edge needs its TSLCD uplink")


def test_inconsistent_group_data(inv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _site_file(tmp_path, {"dbn-xa-moi-rtr01": _entry(management_prefixes=["10.0.0.0/8"],
                                                             designated_servers={"ntp": ["10.1.1.1"]})})
    _refused(inv, path, capsys, "management_prefixes: ['10.0.0.0/8'] differs from the groups/defaults",
             "designated_servers: ")


def test_malformed_yaml(inv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "site.yaml"
    path.write_text("hosts:\n  dbn-xa-moi-rtr01:\n    hostname: 10.62.160.241\n   data: [\n", encoding="utf-8")
    _refused(inv, path, capsys, f"{path}:4")
    path.write_text("hosts:\n  a: {hostname: 10.62.160.241}\n  a: {hostname: 10.62.160.242}\n", encoding="utf-8")
    _refused(inv, path, capsys, "duplicate key 'a'")
    path.write_text("- just a list\n", encoding="utf-8")
    _refused(inv, path, capsys, "hosts: expected a mapping")


def test_every_problem_at_once(inv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = _entry(role="router", uplinks=None, allocated_prefixes=["10.62.2.0/25"])
    bad["hostname"] = "10.62.3.241"
    path = _site_file(tmp_path, {"dbn-tu-rtr01": _entry(), "dbn-xa-moi-rtr01": bad})
    _refused(inv, path, capsys, "name: duplicate host name", "hostname: management address 10.62.3.241",
             "allocated_prefixes: 10.62.2.0/25", "role: unknown role")


def test_add_keeps_comments_and_formatting(inv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = (inv / "hosts.yaml").read_text(encoding="utf-8")
    assert _add(inv, EXAMPLE) == 0
    after = (inv / "hosts.yaml").read_text(encoding="utf-8")
    assert after.startswith(before)  # every existing comment, key order and byte kept
    assert "dbn-xa-nuangam-rtr01:  # ISR1111-4P" in after
    assert '    agency: "UBND xã Núa Ngam"\n' in after
    assert "    uplinks: {tslcd: [GigabitEthernet0/0/0], internet: []}\n" in after
    backups = list(inv.glob("hosts.yaml.bak-*"))
    assert len(backups) == 1 and backups[0].read_text(encoding="utf-8") == before
    assert main(["validate", "--inventory", str(inv)]) == 0
    data = yaml.safe_load(after)
    assert data["dbn-xa-nuangam-sw01"]["data"]["role"] == "access"
    # and the same file again is refused, naming both hosts
    _refused(inv, EXAMPLE, capsys, "host dbn-xa-nuangam-rtr01: name: duplicate", "host dbn-xa-nuangam-sw01: name")


def test_add_from_flags_and_remove_restores_the_file(inv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    original = (inv / "hosts.yaml").read_bytes()
    assert main(["site", "add", "--inventory", str(inv), "--host", "dbn-xa-moi-rtr01", "--address", "10.62.160.241",
                 "--group", "commune", "--group", "area-dien-bien", "--site", "XA-MOI", "--agency", "UBND xã Mới",
                 "--role", "wan-edge", "--level", "3", "--tslcd", "GigabitEthernet0/0/0",
                 "--prefix", "10.62.160.0/24", "--tag", "cap-do-3"]) == 0
    assert "dbn-xa-moi-rtr01:" in (inv / "hosts.yaml").read_text(encoding="utf-8")
    assert main(["site", "remove", "--inventory", str(inv), "XA-MOI"]) == 0
    assert (inv / "hosts.yaml").read_bytes() == original


def test_remove_keeps_section_comments(inv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = (inv / "hosts.yaml").read_text(encoding="utf-8")
    assert main(["site", "remove", "--inventory", str(inv), "TU"]) == 0
    after = (inv / "hosts.yaml").read_text(encoding="utf-8")
    assert "dbn-tu-rtr01" not in after and "dbn-tu-sw01" not in after
    comments = [line for line in before.splitlines() if line.startswith("#")]
    assert comments == [line for line in after.splitlines() if line.startswith("#")]
    assert main(["validate", "--inventory", str(inv)]) == 0


def test_remove_unknown_changes_nothing(inv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = (inv / "hosts.yaml").read_bytes()
    assert main(["site", "remove", "--inventory", str(inv), "NO-SUCH", "--host", "dbn-nope"]) == 2
    err = capsys.readouterr().err
    assert "site: no host of site 'NO-SUCH'" in err and "host dbn-nope: name: not in the inventory" in err
    assert (inv / "hosts.yaml").read_bytes() == before


def test_dry_run_writes_nothing(inv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = (inv / "hosts.yaml").read_bytes()
    assert main(["site", "add", "--inventory", str(inv), "--from", str(EXAMPLE), "--dry-run"]) == 0
    assert (inv / "hosts.yaml").read_bytes() == before
