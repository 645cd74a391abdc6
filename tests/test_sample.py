"""The shipped sample network end to end: validation, the JSON contract, the expected spread, and
no secret in any output."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from test_redaction import IOS_SECRET_LINES
from test_reports import all_text

from auditor.cli import main
from auditor.reports import FORMATS

INVENTORY = ROOT / "inventory"
SNAPSHOTS = INVENTORY / "snapshots"
POLICIES = ROOT / "policies"
CLEAN = ["dbn-ttdl-fw01", "dbn-ttdl-core01", "dbn-ttdl-core02", "dbn-tu-rtr01", "dbn-so-tc-rtr01", "dbn-so-tc-sw01",
         "dbn-so-khcn-rtr01", "dbn-xa-tuachua-rtr01", "dbn-xa-muongcha-rtr01",
         "dbn-hub-tuangiao-core01", "dbn-phuong-muongthanh-rtr01", "dbn-xa-muongphang-rtr01"]
BAD = ["dbn-so-yt-sw01", "dbn-so-xd-rtr01", "dbn-xa-sinthau-rtr01", "dbn-xa-nahy-rtr01"]
SUBSTITUTED = "dbn-xa-quaito-rtr01"


def _audit_json(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, dict[str, Any]]:
    code = main(["audit", "--inventory", str(INVENTORY), "--policies", str(POLICIES), "--no-progress",
                 "--format", "json", *extra])
    return code, json.loads(capsys.readouterr().out)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("sample")
    code = main(["audit", "--inventory", str(INVENTORY), "--policies", str(POLICIES), "--no-progress",
                 "--from-dir", str(SNAPSHOTS), "--format", "json", "--output", str(out)])
    assert code == 1
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


def test_sample_validates(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--inventory", str(INVENTORY), "--policies", str(POLICIES)]) == 0
    assert "53 hosts" in capsys.readouterr().out


def test_sample_report_has_every_control_for_every_host(report: dict[str, Any], catalogue) -> None:  # type: ignore[no-untyped-def]
    per_host = [c.id for c in catalogue.host_controls]
    assert len(report["hosts"]) == 53
    for h in report["hosts"]:
        assert h["status"] == "ok", h["error"]
        assert [c["control"] for c in h["controls"]] == per_host
        assert all(c["status"] != "error" for c in h["controls"]), h["name"]
    assert report["summary"]["hosts"] == 53 and report["summary"]["errors"] == 0
    assert [f["control"] for f in report["fleet"]] == ["FLEET-01"]


def test_sample_spread(report: dict[str, Any]) -> None:
    failing = {h["name"]: [c["control"] for c in h["controls"] if c["status"] == "fail"] for h in report["hosts"]}
    for name in CLEAN:
        assert failing[name] == [], (name, failing[name])
    for name in BAD:
        assert len(failing[name]) >= 15, (name, failing[name])
    assert "WAN-05" in failing[SUBSTITUTED]
    assert report["summary"]["compliant_hosts"] == len(CLEAN)
    # every catalogue control that applies to IOS fails somewhere in the sample
    seen = {c for controls in failing.values() for c in controls}
    assert len(seen) >= 40


def test_a_clean_host_exits_0_and_a_filtered_run_covers_only_its_hosts(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = _audit_json(capsys, "--from-dir", str(SNAPSHOTS), "--site", "SO-TC")
    assert code == 0
    assert sorted(h["name"] for h in data["hosts"]) == ["dbn-so-tc-rtr01", "dbn-so-tc-sw01"]


def test_no_secret_in_any_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Canary secrets planted at top level and inside sections never reach a report."""
    snaps = tmp_path / "snaps"
    shutil.copytree(SNAPSHOTS, snaps)
    target = snaps / "dbn-xa-nahy-rtr01.cfg"
    text = target.read_text(encoding="utf-8")
    planted = "\n".join(IOS_SECRET_LINES) + "\n"
    in_vty = "".join(f" {line}\n" for line in IOS_SECRET_LINES)
    in_bgp = "router bgp 64999\n neighbor 10.9.9.9 remote-as 65000\n neighbor 10.9.9.9 password 7 CANARYbgp\n"
    target.write_text(planted + text.replace("line vty 0 4\n", "line vty 0 4\n" + in_vty, 1) + in_bgp,
                      encoding="utf-8")
    out = tmp_path / "out"
    code = main(["audit", "--inventory", str(INVENTORY), "--policies", str(POLICIES), "--no-progress",
                 "--from-dir", str(snaps), "--host", "dbn-xa-nahy-rtr01", "--format", ",".join(FORMATS),
                 "--output", str(out), "--split-by", "district"])
    assert code == 1
    printed = capsys.readouterr()
    outputs = [printed.out, printed.err, *all_text(out)]
    assert len(outputs) > 2 * len(FORMATS)
    assert any("<redacted>" in o for o in outputs)
    for o in outputs:
        assert "CANARY" not in o
