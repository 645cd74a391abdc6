"""`auditor diff`: a snapshot changed between two runs gives exactly the new and resolved failures,
the changed lines, the moved scores and the newly unreachable host."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import ROOT

from auditor.cli import main

HOSTS = ["dbn-so-tc-rtr01", "dbn-xa-quaito-rtr01", "dbn-tu-rtr01", "dbn-so-nv-rtr01"]


def _audit(snapshots: Path, db: str) -> int:
    args = ["audit", "--inventory", str(ROOT / "inventory"), "--from-dir", str(snapshots), "--no-progress", "--db", db]
    for h in HOSTS:
        args += ["--host", h]
    return main(args)


def test_diff_reports_exactly_what_changed(db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    snaps = tmp_path / "snaps"
    snaps.mkdir()
    for h in HOSTS:
        shutil.copy(ROOT / "inventory" / "snapshots" / f"{h}.cfg", snaps / f"{h}.cfg")
    assert _audit(snaps, db_url) == 1
    # so-tc now claims another device's name (new WAN-05 failure); quaito gets its own name back
    # (WAN-05 resolved); tu-rtr01 cannot be read any more (newly unreachable)
    tc = snaps / "dbn-so-tc-rtr01.cfg"
    tc.write_text(tc.read_text(encoding="utf-8").replace("hostname dbn-so-tc-rtr01", "hostname dbn-so-tc-rtr99"),
                  encoding="utf-8")
    qt = snaps / "dbn-xa-quaito-rtr01.cfg"
    qt.write_text(qt.read_text(encoding="utf-8").replace("hostname dbn-duphong-rtr02", "hostname dbn-xa-quaito-rtr01"),
                  encoding="utf-8")
    (snaps / "dbn-tu-rtr01.cfg").unlink()
    assert _audit(snaps, db_url) == 3
    capsys.readouterr()
    assert main(["diff", "--db", db_url, "--format", "json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["new_failures"] == [{"host": "dbn-so-tc-rtr01", "control": "WAN-05"}]
    assert d["resolved_failures"] == [{"host": "dbn-xa-quaito-rtr01", "control": "WAN-05"}]
    assert [u["host"] for u in d["newly_unreachable"]] == ["dbn-tu-rtr01"]
    assert sorted(d["config_changes"]) == ["dbn-so-tc-rtr01", "dbn-xa-quaito-rtr01"]
    changed = [line for line in d["config_changes"]["dbn-so-tc-rtr01"].splitlines()
               if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert changed == ["-hostname dbn-so-tc-rtr01", "+hostname dbn-so-tc-rtr99"]
    qchanged = [line for line in d["config_changes"]["dbn-xa-quaito-rtr01"].splitlines()
                if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert qchanged == ["-hostname dbn-duphong-rtr02", "+hostname dbn-xa-quaito-rtr01"]
    moved = {m["host"]: (m["from"], m["to"]) for m in d["score_changes"]}
    assert set(moved) == {"dbn-so-tc-rtr01", "dbn-xa-quaito-rtr01"}
    assert moved["dbn-so-tc-rtr01"][1] < moved["dbn-so-tc-rtr01"][0]
    assert moved["dbn-xa-quaito-rtr01"][1] > moved["dbn-xa-quaito-rtr01"][0]
    # the same, explicitly and as text
    assert main(["diff", d["run_a"], d["run_b"], "--db", db_url]) == 0
    text = capsys.readouterr().out
    assert "New failures (1):" in text and "Resolved failures (1):" in text and "+hostname dbn-so-tc-rtr99" in text


def test_diff_needs_two_runs_of_the_same_scope(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert _audit(ROOT / "inventory" / "snapshots", db_url) == 1
    assert main(["audit", "--from-dir", str(ROOT / "inventory" / "snapshots"), "--site", "SO-YT", "--no-progress",
                 "--db", db_url]) == 1
    assert main(["diff", "--db", db_url]) == 2
    assert "nothing to compare" in capsys.readouterr().err
