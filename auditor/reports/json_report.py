"""The JSON report, schema `auditor-report/1` (DESIGN.md)."""

from __future__ import annotations

import json
from typing import Any

from ..models import AuditRun, Finding, HostResult, Status
from .summary import summarize, weighted_score

SCHEMA = "auditor-report/1"

# Rule verdicts a report lists as findings; passes and not_applicable appear only per control.
REPORTED = (Status.FAIL, Status.ERROR, Status.WAIVED)


def _finding(f: Finding) -> dict[str, Any]:
    return {
        "control": f.control,
        "rule": f.rule,
        "status": f.status.value,
        "severity": f.severity.value,
        "message": f.message,
        "evidence": [{"line": e.line, "text": e.text} for e in f.evidence],
        "remediation": f.remediation,
    }


def host_dict(r: HostResult) -> dict[str, Any]:
    h = r.host
    return {
        "name": h.name,
        "platform": h.platform,
        "site": h.get("site"),
        "agency": h.get("agency"),
        "tier": h.get("tier"),
        "role": h.get("role"),
        "level": h.get("level"),
        "status": r.status,
        "error": r.error,
        "score": weighted_score(r.controls) if r.ok else None,
        "controls": [{"control": v.control, "status": v.status.value, "severity": v.severity.value}
                     for v in r.controls],
        "findings": [_finding(f) for f in r.findings if f.status in REPORTED],
        "seconds": round(r.seconds, 3),
    }


def report_dict(run: AuditRun) -> dict[str, Any]:
    s = summarize(run)
    info: dict[str, Any] = {
        "id": run.run.id,
        "started": run.run.started,
        "finished": run.run.finished,
        "policy_version": run.run.policy_version,
        "source": run.run.source,
    }
    if run.run.host_key_verification is not None:
        info["host_key_verification"] = run.run.host_key_verification
    if run.run.theme:
        info["theme"] = {k: list(v) for k, v in run.run.theme.items()}
    out = {
        "schema": SCHEMA,
        "run": info,
        "hosts": [host_dict(r) for r in run.hosts],
        "fleet": [{"control": f.control, "status": f.status.value, "hosts": list(f.hosts), "message": f.message}
                  for f in run.fleet],
        "summary": {
            "hosts": s.hosts,
            "compliant_hosts": s.compliant_hosts,
            "errors": s.errors,
            "by_severity": s.by_severity,
            "score": s.score,
        },
    }
    if run.waivers is not None:  # extension: only when a waivers file exists (auditor/waivers.py)
        out["waivers"] = {k: list(run.waivers.get(k, [])) for k in ("applied", "expired", "unused")}
    return out


def render(run: AuditRun) -> str:
    return json.dumps(report_dict(run), ensure_ascii=False, indent=2) + "\n"
