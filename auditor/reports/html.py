"""The HTML report: one self-contained, offline, printable file (inline CSS, inline SVG charts, a
little inline JS for the filter box and sortable tables; no network request of any kind)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from ..catalogue import Catalogue, Control
from ..models import AuditRun, Finding, HostResult, Severity, Status
from .labels import Translator
from .ranking import UNKNOWN, by_area, ranking, units
from .summary import summarize, weighted_score

MAX_EVIDENCE = 12
SEVERITIES = tuple(s.value for s in Severity)


@dataclass
class FailingControl:
    control: str
    title: str
    severity: str
    status: str
    reason: str
    findings: list[Finding]
    refs: list[tuple[str, str]]  # (kind, reference)


@dataclass
class HostView:
    result: HostResult
    score: float | None
    failing: list[FailingControl] = field(default_factory=list)
    passing: list[str] = field(default_factory=list)
    not_applicable: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.result.host.name

    def get(self, key: str) -> Any:
        return self.result.host.get(key)


@cache
def _environment() -> Environment:
    return Environment(loader=PackageLoader("auditor.reports", "templates"), autoescape=select_autoescape(["j2"]),
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def _refs(control: Control | None) -> list[tuple[str, str]]:
    if control is None:
        return []
    return [(kind, ref) for kind, values in control.refs.items() for ref in values]


def _host_view(r: HostResult, by_id: dict[str, Control], t: Translator) -> HostView:
    view = HostView(r, weighted_score(r.controls) if r.ok else None)
    if not r.ok:
        return view
    by_control: dict[str, list[Finding]] = defaultdict(list)
    for f in r.findings:
        by_control[f.control].append(f)
    for v in r.controls:
        if v.status == Status.PASS:
            view.passing.append(v.control)
        elif v.status == Status.NOT_APPLICABLE:
            view.not_applicable.append(v.control)
        elif v.status in (Status.FAIL, Status.ERROR):
            control = by_id.get(v.control)
            findings = [f for f in by_control.get(v.control, ()) if f.status == v.status]
            view.failing.append(FailingControl(v.control, t.control_title(control, v.control), v.severity.value,
                                               v.status.value, v.reason, findings, _refs(control)))
    view.failing.sort(key=lambda fc: (SEVERITIES.index(fc.severity), fc.control))
    view.counts = {s: sum(1 for fc in view.failing if fc.severity == s and fc.status == "fail") for s in SEVERITIES}
    return view


def sparkline(points: Sequence[tuple[str, float]], width: int = 90, height: int = 22) -> str:
    """An inline SVG of scores (0-100) over runs, oldest first; '' with fewer than two runs."""
    if len(points) < 2:
        return ""
    step = (width - 4) / (len(points) - 1)
    coords = " ".join(f"{2 + i * step:.1f},{2 + (height - 4) * (1 - score / 100):.1f}"
                      for i, (_, score) in enumerate(points))
    title = ", ".join(f"{started[:10]}: {score:.1f}" for started, score in points)
    return (f'<svg class="trend" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">'
            f"<title>{escape(title)}</title>"
            f'<polyline fill="none" stroke="#1f3864" stroke-width="1.5" points="{coords}"/></svg>')


def _trends(run: AuditRun, key: str) -> dict[str, Markup]:
    found = (run.trends or {}).get(key, {})
    return {unit: Markup(sparkline(points)) for unit, points in found.items()}  # noqa: S704 - built from numbers


def context(run: AuditRun, catalogue: Catalogue, lang: str) -> dict[str, Any]:
    t = Translator(lang)
    by_id = catalogue.by_id
    s = summarize(run)
    views = [_host_view(r, by_id, t) for r in run.hosts]
    by_agency: dict[str, list[HostView]] = defaultdict(list)
    for v in views:
        if v.result.ok:
            by_agency[str(v.get("agency") or UNKNOWN)].append(v)
    for hosts in by_agency.values():
        hosts.sort(key=lambda v: (v.score if v.score is not None else 0.0, v.name))
    agency_ranking = ranking(run, "agency")
    groups = [(u.name, by_agency[u.name]) for u in agency_ranking if by_agency.get(u.name)]
    waived = [(r.host.name, f) for r in run.hosts for f in r.findings if f.status == Status.WAIVED]
    max_sev = max([1, *s.by_severity.values()])
    return {
        "t": t,
        "lang": lang,
        "run": run.run,
        "summary": s,
        "audited": s.hosts - s.errors,
        "max_sev": max_sev,
        "severities": SEVERITIES,
        "rank_agency": agency_ranking,
        "rank_district": ranking(run, "district"),
        "trend_agency": _trends(run, "agency"),
        "trend_district": _trends(run, "district"),
        "has_trends": bool(run.trends),
        "theme": "; ".join(f"{k} {', '.join(v)}" for k, v in (run.run.theme or {}).items()),
        "tiers": units(run, "tier"),
        "areas": by_area(run, catalogue),
        "top_failing": [(cid, n, by_id.get(cid)) for cid, n in s.failing_controls[:25]],
        "groups": groups,
        "not_audited": [r for r in run.hosts if not r.ok],
        "waived": waived,
        "fleet": [(f, by_id.get(f.control)) for f in run.fleet],
        "controls": catalogue.controls,
        "documents": catalogue.documents,
        "max_evidence": MAX_EVIDENCE,
    }


def render(run: AuditRun, catalogue: Catalogue, lang: str) -> str:
    return _environment().get_template("report.html.j2").render(context(run, catalogue, lang))
