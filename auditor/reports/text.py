"""The text report: a readable summary for the terminal, worst hosts and controls first."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..catalogue import Catalogue
from ..models import AuditRun, HostResult, Severity, Status
from .summary import summarize, weighted_score

MAX_EVIDENCE = 4


def _sort_key(r: HostResult) -> tuple[int, float, str]:
    score = weighted_score(r.controls)
    return (0 if not r.ok else 1, score if score is not None else 0.0, r.host.name)


def render(run: AuditRun, catalogue: Catalogue, *, details: bool = True) -> str:
    s = summarize(run)
    titles = {c.id: c.title for c in catalogue.controls}
    out: list[str] = []
    r = run.run
    out.append(f"Audit {r.id}  source: {r.source}  policy: {r.policy_version}  {r.started} .. {r.finished}")
    if r.theme:
        out.append("Theme: " + "; ".join(f"{k} {','.join(v)}" for k, v in r.theme.items()))
    out.append(
        f"Hosts: {s.hosts} audited, {s.compliant_hosts} compliant, {s.errors} not audited    "
        f"Score: {s.score:.1f} %"
    )
    out.append("Failures by severity: " + ", ".join(f"{k} {v}" for k, v in s.by_severity.items()))
    errors = [h for h in run.hosts if not h.ok]
    if errors:
        out.append("")
        out.append("Not audited:")
        out.extend(f"  {h.host.name:<32} {h.error}" for h in errors)
    audited = sorted((h for h in run.hosts if h.ok), key=_sort_key)
    if audited:
        out.append("")
        out.append("Hosts, worst first:")
    for h in audited:
        failing = [v for v in h.controls if v.status in (Status.FAIL, Status.ERROR)]
        counts = {sev.value: sum(1 for v in failing if v.severity == sev and v.status == Status.FAIL) for sev in Severity}
        errs = sum(1 for v in failing if v.status == Status.ERROR)
        tally = ", ".join(f"{n} {k}" for k, n in counts.items() if n) or "no failures"
        if errs:
            tally += f", {errs} error"
        score = weighted_score(h.controls)
        site = h.host.get("site") or "-"
        out.append(f"  {h.host.name:<32} {site:<18} score {score if score is not None else 0:5.1f}   {tally}")
        if not details:
            continue
        for f in sorted((f for f in h.findings if f.status in (Status.FAIL, Status.ERROR)),
                        key=lambda f: (f.severity.rank, f.control, f.rule)):
            out.append(f"      [{f.severity.value}] {f.control} {titles.get(f.control, '')} ({f.rule}, {f.status.value})")
            out.append(f"          {f.message}")
            for e in f.evidence[:MAX_EVIDENCE]:
                out.append(f"          line {e.line}: {e.text}")
            if len(f.evidence) > MAX_EVIDENCE:
                out.append(f"          ... {len(f.evidence) - MAX_EVIDENCE} more line(s)")
            if f.status == Status.FAIL:
                out.append(f"          fix: {f.remediation}")
    if s.failing_controls:
        out.append("")
        out.append("Controls failing most:")
        sev = {c.id: c.severity.value for c in catalogue.controls}
        for control, n in s.failing_controls:
            out.append(f"  {control:<9} {sev.get(control, ''):<9} {n:>4} host(s)  {titles.get(control, '')}")
    if run.fleet:
        out.append("")
        out.append("Fleet-wide:")
        for fr in run.fleet:
            out.append(f"  {fr.control:<9} {fr.status.value:<6} {fr.message}")
    if run.waivers is not None:
        out.extend(_waivers(run.waivers))
    return "\n".join(out) + "\n"


def _waivers(w: Mapping[str, Any]) -> list[str]:
    """Waived failures (not counted as failures), expired and unused waivers."""
    out: list[str] = []
    applied, expired, unused = w.get("applied", []), w.get("expired", []), w.get("unused", [])
    if applied:
        out += ["", f"Waived (approved exceptions, not counted as failures): {len(applied)}"]
        out += [f"  {a['host']:<32} {a['control']:<9} {a['reference']}, until {a['expires']} ({a['approved_by']})"
                for a in applied]
    for title, items in (("Expired waivers (no longer applied)", expired), ("Unused waivers (no failure covered)", unused)):
        if items:
            out += ["", f"{title}: {len(items)}"]
            out += [f"  {i['control']:<9} {i.get('host') or i.get('site') or i.get('agency')}  {i['reference']}, "
                    f"expires {i['expires']}" for i in items]
    return out
