"""CSV of findings: one row per host x failing or erroring control (its rules' messages, evidence and
fixes joined), one row per host that could not be audited; UTF-8 with a BOM so Excel shows Vietnamese."""

from __future__ import annotations

import csv
import io

from ..catalogue import Catalogue
from ..models import AuditRun, Status
from .labels import Translator

COLUMNS = ("host", "agency", "site", "district", "owner", "control", "title", "severity", "status", "rule",
           "message", "evidence", "remediation")


def render(run: AuditRun, catalogue: Catalogue, lang: str) -> str:
    t = Translator(lang)
    title = t.titles(catalogue)
    buf = io.StringIO()
    buf.write("\ufeff")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([t(c) for c in COLUMNS])
    for r in run.hosts:
        h = r.host
        unit = [h.get("agency") or "", h.get("site") or "", h.get("district") or "", h.get("owner") or ""]
        if not r.ok:
            w.writerow([h.name, *unit, "", "", "", t.status("error"), "", r.error or "", "", ""])
            continue
        for v in r.controls:
            if v.status not in (Status.FAIL, Status.ERROR):
                continue
            fs = [f for f in r.findings if f.control == v.control and f.status == v.status]
            w.writerow([h.name, *unit, v.control, title(v.control), t.severity(v.severity.value),
                        t.status(v.status.value), "\n".join(f.rule for f in fs),
                        "\n".join(f.message for f in fs) or v.reason,
                        "\n".join(f"{e.line}: {e.text}" for f in fs for e in f.evidence),
                        "\n".join(dict.fromkeys(f.remediation for f in fs if f.remediation))])
    return buf.getvalue()
