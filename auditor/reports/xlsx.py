"""Excel workbook (openpyxl): sheets Summary, Ranking, Hosts, Findings, Controls; frozen header,
auto-filter, column widths, severities colour-coded."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..catalogue import Catalogue
from ..models import AuditRun, Status
from .labels import Translator
from .ranking import ranking
from .summary import summarize, weighted_score

SHEETS = ("Summary", "Ranking", "Hosts", "Findings", "Controls")
COLOURS = {"critical": "C00000", "high": "FF6600", "medium": "FFC000", "low": "9BC2E6"}
HEADER_FILL = PatternFill("solid", fgColor="1F3864")
MAX_CELL = 32000  # Excel's cell limit is 32,767 characters


def _cell(value: Any) -> Any:
    return value[:MAX_CELL] if isinstance(value, str) else value


def _sheet(ws: Worksheet, header: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[int],
           severity_col: int | None = None, severity_of: dict[str, str] | None = None) -> None:
    ws.append(list(header))
    for c in ws[1]:
        c.font = Font(bold=True, color="FFFFFF")
        c.fill = HEADER_FILL
    for row in rows:
        ws.append([_cell(v) for v in row])
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{max(1, len(rows) + 1)}"
    for i, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = w
    if severity_col is None or severity_of is None:
        return
    fills = {label: PatternFill("solid", fgColor=colour) for label, colour in
             ((severity_of[k], v) for k, v in COLOURS.items())}
    white = {severity_of["critical"], severity_of["high"]}
    for (cell,) in ws.iter_rows(min_row=2, min_col=severity_col, max_col=severity_col):
        fill = fills.get(str(cell.value))
        if fill is not None:
            cell.fill = fill
            if cell.value in white:
                cell.font = Font(bold=True, color="FFFFFF")


def render(run: AuditRun, catalogue: Catalogue, lang: str) -> bytes:
    t = Translator(lang)
    title = t.titles(catalogue)
    sev_label = {k: t.severity(k) for k in COLOURS}
    s = summarize(run)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEETS[0]
    summary_rows: list[list[Any]] = [
        [t("run"), run.run.id], [t("source"), run.run.source], [t("policy"), run.run.policy_version],
        [t("period"), f"{run.run.started} .. {run.run.finished}"], [t("overall_score"), s.score],
        [t("hosts_audited"), s.hosts - s.errors], [t("hosts_compliant"), s.compliant_hosts],
        [t("hosts_not_audited"), s.errors],
    ]
    summary_rows += [[f"{t('failures_by_severity')}: {sev_label[k]}", n] for k, n in s.by_severity.items()]
    _sheet(ws, [t("title"), t("score")], summary_rows, [48, 40])

    rank_rows = [[t("agency"), u.rank, u.name, u.score, u.critical, u.high, u.hosts, u.owner]
                 for u in ranking(run, "agency")]
    rank_rows += [[t("district"), u.rank, u.name, u.score, u.critical, u.high, u.hosts, u.owner]
                  for u in ranking(run, "district")]
    _sheet(wb.create_sheet(SHEETS[1]), [t("group"), t("rank"), t("unit"), t("score"), t("failing_critical"),
                                        t("failing_high"), t("hosts"), t("owner")], rank_rows,
           [16, 7, 44, 9, 12, 12, 9, 50])

    host_rows = []
    for r in run.hosts:
        h = r.host
        fails = [v for v in r.controls if v.status == Status.FAIL]
        host_rows.append([h.name, h.platform, h.get("site"), h.get("agency"), h.get("district"),
                          t.tier(str(h.get("tier") or "")), h.get("role"), h.get("level"), h.get("owner"),
                          t.status(r.status if r.ok else "error"),
                          weighted_score(r.controls) if r.ok else None, len(fails),
                          sum(1 for v in fails if v.severity.value == "critical"), r.error or ""])
    _sheet(wb.create_sheet(SHEETS[2]), [t("host"), t("platform"), t("site"), t("agency"), t("district"), t("tier"),
                                        t("role"), t("level"), t("owner"), t("status"), t("score"), t("failures"),
                                        t("failing_critical"), t("reason")], host_rows,
           [26, 14, 12, 40, 18, 18, 11, 8, 44, 14, 8, 10, 12, 40])

    finding_rows = []
    for r in run.hosts:
        for f in r.findings:
            if f.status in (Status.FAIL, Status.ERROR, Status.WAIVED):
                finding_rows.append([r.host.name, r.host.get("agency"), f.control, title(f.control),
                                     sev_label[f.severity.value], t.status(f.status.value), f.rule, f.message,
                                     "\n".join(f"{e.line}: {e.text}" for e in f.evidence), f.remediation])
    _sheet(wb.create_sheet(SHEETS[3]), [t("host"), t("agency"), t("control"), t("title"), t("severity"),
                                        t("status"), t("rule"), t("message"), t("evidence"), t("remediation")],
           finding_rows, [26, 36, 10, 50, 13, 12, 22, 60, 50, 60], severity_col=5, severity_of=sev_label)

    failing = dict(s.failing_controls)
    control_rows = [[c.id, t.area(c.area), sev_label[c.severity.value], t.control_title(c), failing.get(c.id, 0),
                     "; ".join(f"{k}: {', '.join(v)}" for k, v in c.refs.items())] for c in catalogue.controls]
    _sheet(wb.create_sheet(SHEETS[4]), [t("control"), t("area"), t("severity"), t("title"), t("hosts_failing"),
                                        t("references")], control_rows, [10, 20, 13, 60, 12, 60],
           severity_col=3, severity_of=sev_label)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
