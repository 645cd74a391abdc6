"""The HTML report shows each unit's score over its last stored runs (inline SVG)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import ROOT

from auditor.cli import main
from auditor.reports.html import sparkline


def test_sparkline_needs_two_runs_and_draws_every_score() -> None:
    assert sparkline([("2026-11-01T00:00:00", 80.0)]) == ""
    svg = sparkline([("2026-11-01T00:00:00", 80.0), ("2026-11-08T00:00:00", 90.5), ("2026-11-15T00:00:00", 100.0)])
    assert svg.startswith("<svg") and svg.count(",") >= 3
    assert "2026-11-08: 90.5" in svg and "2026-11-15: 100.0" in svg


def test_html_report_shows_unit_trends_over_stored_runs(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inventory = ROOT / "inventory"
    snaps = tmp_path / "snaps"
    shutil.copytree(inventory / "snapshots", snaps)
    db = tmp_path / "history.db"

    def audit(out: Path) -> str:
        main(["audit", "--inventory", str(inventory), "--from-dir", str(snaps), "--db", str(db),
              "--format", "html", "--output", str(out), "--no-progress", "--lang", "en"])
        capsys.readouterr()
        return (out / "report.html").read_text(encoding="utf-8")

    first = audit(tmp_path / "r1")
    assert 'class="trend"' not in first  # a single run has no trend yet
    # Sở Tài chính's router loses its SSH version line: its score drops in the second run
    cfg = snaps / "dbn-so-tc-rtr01.cfg"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("ip ssh version 2\n", ""), encoding="utf-8")
    second = audit(tmp_path / "r2")
    row = next(r for r in re.findall(r"<tr class=\"f\">.*?</tr>", second, flags=re.S) if "Sở Tài chính" in r)
    titles = re.findall(r"<title>(.*?)</title>", row)
    assert titles, row
    scores = [float(part.split(": ")[1]) for part in titles[0].split(", ")]
    assert scores[0] == 100.0 and scores[1] < 100.0


def test_html_title_names_the_theme_of_a_thematic_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inventory = ROOT / "inventory"
    out = tmp_path / "out"
    main(["audit", "--inventory", str(inventory), "--from-dir", str(inventory / "snapshots"), "--no-store",
          "--areas", "snmp", "--format", "html", "--output", str(out), "--no-progress", "--lang", "vi"])
    capsys.readouterr()
    html = (out / "report.html").read_text(encoding="utf-8")
    title = re.search(r"<h1>(.*?)</h1>", html, flags=re.S)
    assert title is not None and "Chuyên đề: areas snmp" in title.group(1)
