"""Figures every report shares: scores, compliant hosts, failures by severity."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from ..engine import host_score
from ..models import AuditRun, ControlVerdict, HostResult, Severity, Status


def is_compliant(result: HostResult) -> bool:
    """A host is compliant when it was audited and no control failed or erred."""
    return result.ok and all(v.status not in (Status.FAIL, Status.ERROR) for v in result.controls)


def weighted_score(verdicts: Iterable[ControlVerdict]) -> float | None:
    return host_score(verdicts)


@dataclass(frozen=True)
class Summary:
    hosts: int
    compliant_hosts: int
    errors: int
    by_severity: dict[str, int]
    score: float | None
    failing_controls: list[tuple[str, int]]  # control id, hosts failing it; most first


def summarize(run: AuditRun) -> Summary:
    by_severity: Counter[str] = Counter()
    failing: Counter[str] = Counter()
    all_verdicts: list[ControlVerdict] = []
    for r in run.hosts:
        if not r.ok:
            continue
        all_verdicts.extend(r.controls)
        for v in r.controls:
            if v.status == Status.FAIL:
                by_severity[v.severity.value] += 1
                failing[v.control] += 1
    for f in run.fleet:
        if f.status == Status.FAIL:
            by_severity[f.severity.value] += 1
            failing[f.control] += max(1, len(f.hosts))
    ordered = {s.value: by_severity.get(s.value, 0) for s in Severity}
    score = weighted_score(all_verdicts)
    return Summary(
        hosts=len(run.hosts),
        compliant_hosts=sum(1 for r in run.hosts if is_compliant(r)),
        errors=sum(1 for r in run.hosts if not r.ok),
        by_severity=ordered,
        score=score if score is not None else 0.0,
        failing_controls=sorted(failing.items(), key=lambda kv: (-kv[1], kv[0])),
    )


def exit_code(run: AuditRun) -> int:
    """0 compliant, 1 violations (or erroring controls), 3 some hosts could not be audited."""
    if any(not r.ok for r in run.hosts):
        return 3
    failed = any(v.status in (Status.FAIL, Status.ERROR) for r in run.hosts for v in r.controls)
    failed = failed or any(f.status in (Status.FAIL, Status.ERROR) for f in run.fleet)
    return 1 if failed else 0
