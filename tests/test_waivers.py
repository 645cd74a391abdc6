"""Waivers: validation, application after evaluation, expired and unused waivers, reports."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

from auditor.catalogue import Catalogue
from auditor.cli import main
from auditor.errors import ValidationError
from auditor.models import HostInfo, HostResult, Status
from auditor.reports.summary import exit_code, summarize
from auditor.waivers import WaiverSet, load_waivers

TODAY = date(2026, 11, 27)


def _waiver(**kw: object) -> dict[str, object]:
    base: dict[str, object] = {"control": "RTE-05", "host": "dbn-ttr-rtr01", "reason": "Tạm thời",
                               "approved_by": "Giám đốc Sở", "reference": "12/SKHCN", "expires": TODAY + timedelta(days=30)}
    base.update(kw)
    return base


def _write(tmp_path: Path, *waivers: dict[str, object]) -> Path:
    path = tmp_path / "waivers.yaml"
    path.write_text(yaml.safe_dump({"waivers": list(waivers)}, allow_unicode=True), encoding="utf-8")
    return path


def test_validation_errors(tmp_path: Path, catalogue: Catalogue) -> None:
    no_expiry = _waiver()
    del no_expiry["expires"]
    path = _write(tmp_path, no_expiry)
    with pytest.raises(ValidationError, match="expires"):
        load_waivers(path, catalogue, TODAY)
    no_selector = _waiver()
    del no_selector["host"]
    path = _write(tmp_path, _waiver(expires=TODAY + timedelta(days=366)), _waiver(control="NOPE-1"),
                  no_selector, _waiver(expires=TODAY + timedelta(days=365)))
    with pytest.raises(ValidationError) as exc:
        load_waivers(path, catalogue, TODAY)
    problems = "\n".join(exc.value.problems)
    assert "waivers[0]: expires" in problems and "more than 365 days" in problems
    assert "unknown control 'NOPE-1'" in problems
    assert "waivers[2]: needs a selector" in problems
    assert len(exc.value.problems) == 3, problems
    assert load_waivers(_write(tmp_path, _waiver(expires=TODAY + timedelta(days=365))), catalogue, TODAY)


def test_validate_command_checks_waivers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    policies = tmp_path / "policies"
    policies.mkdir()
    for p in (ROOT / "policies").glob("*.yaml"):
        if p.name != "waivers.yaml":
            (policies / p.name).write_text(p.read_text(encoding="utf-8"), encoding="utf-8")
    _write(policies, _waiver(expires=date.today() + timedelta(days=400)))
    assert main(["validate", "--policies", str(policies)]) == 2
    assert "more than 365 days" in capsys.readouterr().err
    assert main(["validate"]) == 0
    assert "2 waiver(s)" in capsys.readouterr().out


def test_apply_expired_and_unused(catalogue: Catalogue, tmp_path: Path) -> None:
    from auditor.models import ControlVerdict, Finding, Severity

    host = HostInfo("r1", "cisco_ios", {"site": "S1", "agency": "A"})
    result = HostResult(host, "ok", None,
                        (ControlVerdict("RTE-05", Status.FAIL, Severity.HIGH), ControlVerdict("SVC-02", Status.FAIL,
                                                                                              Severity.MEDIUM)),
                        (Finding("RTE-05", "r", Status.FAIL, Severity.HIGH, "m"),))
    svc = _waiver(control="SVC-02", site="S1", expires=TODAY - timedelta(days=1))
    log = _waiver(control="LOG-01", agency="A")
    del svc["host"], log["host"]
    path = _write(tmp_path, _waiver(host="r1"), svc, log)
    ws = WaiverSet(load_waivers(path, catalogue, TODAY), TODAY)
    out = ws.apply(result)
    assert [v.status for v in out.controls] == [Status.WAIVED, Status.FAIL]
    assert out.findings[0].status == Status.WAIVED
    report = ws.report()
    assert [(a["host"], a["control"]) for a in report["applied"]] == [("r1", "RTE-05")]
    assert [e["control"] for e in report["expired"]] == ["SVC-02"]
    assert [u["control"] for u in report["unused"]] == ["LOG-01"]


def test_sample_waivers_cover_real_failures(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["audit", "--from-dir", str(ROOT / "inventory" / "snapshots"), "--format", "json", "--no-progress"]) == 1
    report = json.loads(capsys.readouterr().out)
    applied = {(a["host"], a["control"]) for a in report["waivers"]["applied"]}
    assert applied == {("dbn-ttr-rtr01", "RTE-05"), ("dbn-so-vhttdl-rtr01", "SVC-02")}
    assert report["waivers"]["expired"] == [] and report["waivers"]["unused"] == []
    ttr = next(h for h in report["hosts"] if h["name"] == "dbn-ttr-rtr01")
    assert {c["control"]: c["status"] for c in ttr["controls"]}["RTE-05"] == "waived"
    assert all(f["status"] == "waived" for f in ttr["findings"] if f["control"] == "RTE-05")
    # without a waivers file: no "waivers" key, and the failures count again
    policies = tmp_path / "policies"
    policies.mkdir()
    for p in (ROOT / "policies").glob("*.yaml"):
        if p.name != "waivers.yaml":
            (policies / p.name).write_text(p.read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["audit", "--from-dir", str(ROOT / "inventory" / "snapshots"), "--format", "json", "--no-progress",
                 "--policies", str(policies), "--no-store"]) == 1
    plain = json.loads(capsys.readouterr().out)
    assert "waivers" not in plain
    ttr_plain = next(h for h in plain["hosts"] if h["name"] == "dbn-ttr-rtr01")
    assert ttr["score"] > ttr_plain["score"]  # waived counts as neither pass nor fail
    assert sum(plain["summary"]["by_severity"].values()) == sum(report["summary"]["by_severity"].values()) + 2


def test_waived_only_host_is_compliant(catalogue: Catalogue) -> None:
    from auditor.models import AuditRun, ControlVerdict, RunInfo, Severity

    host = HostInfo("r1", "cisco_ios", {})
    r = HostResult(host, "ok", None, (ControlVerdict("RTE-05", Status.WAIVED, Severity.HIGH),
                                      ControlVerdict("SVC-02", Status.PASS, Severity.MEDIUM)))
    run = AuditRun(RunInfo("x", "", "", "v", "snapshot"), (r,))
    assert exit_code(run) == 0 and summarize(run).compliant_hosts == 1 and summarize(run).score == 100.0
