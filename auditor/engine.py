"""evaluate(tree, host, rules): the pure heart of the auditor. No I/O, no Nornir.

Per control the verdict is `fail` if any of its rules fails, else `error` if any errs, else `pass`
if any rule passed, else `not_applicable` (fail closed: a control with no rule for the platform
is an error, never a pass).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

from .catalogue import Catalogue, Control
from .checks import NOTHING_TO_CHECK, PASSED
from .config import ConfigTree
from .context import CheckContext, ObjectTable
from .models import ControlVerdict, Finding, HostInfo, Outcome, Severity, Status
from .platforms import get_platform
from .policy import PlatformPolicy, Rule

# Enum members read through the class are slow on the hot path; these are the same objects.
_FAIL, _ERROR, _WAIVED, _PASS, _NA = Status.FAIL, Status.ERROR, Status.WAIVED, Status.PASS, Status.NOT_APPLICABLE


def _finding(rule: Rule, control: Control, outcome: Outcome) -> Finding:
    status = outcome.status
    if status is _FAIL or status is _ERROR:
        message = f"{rule.message}: {outcome.message}" if outcome.message else rule.message
    else:
        message = outcome.message or status.value
    return Finding(control.id, rule.id, status, control.severity, message, outcome.evidence, rule.remediation,
                   outcome.expected, outcome.actual)


def _crashed(exc: Exception) -> Outcome:
    """A check that raised: an `error` outcome, never a crash."""
    return Outcome(Status.ERROR, f"check failed: {type(exc).__name__}: {exc}")


def control_status(statuses: Iterable[Status]) -> Status:
    """Combine the verdicts of a control's rules into the control's verdict."""
    seen = set(statuses)
    for status in (_FAIL, _ERROR, _WAIVED, _PASS):
        if status in seen:
            return status
    return _NA


class _Step(NamedTuple):
    """A rule of the plan, with the findings (and single-rule verdicts) of its constant outcomes."""

    rule: Rule
    run: Callable[[CheckContext], Outcome]  # the rule, or its check itself when nothing limits it
    passed: Finding  # the finding when the check returns PASSED
    fixed: dict[int, tuple[Outcome, Finding, ControlVerdict]]  # by id of the outcome object


def _step(rule: Rule, control: Control) -> _Step:
    fixed = {id(o): (o, _finding(rule, control, o), ControlVerdict(control.id, o.status, control.severity, o.message))
             for o in (NOTHING_TO_CHECK, *rule.constant_outcomes())}
    return _Step(rule, rule.runner(), _finding(rule, control, PASSED), fixed)


class _Item(NamedTuple):
    control: Control
    static: ControlVerdict | None  # n/a on the platform, or no rule implements it
    steps: list[_Step]
    passed: ControlVerdict  # the verdict when a single rule returns PASSED
    other_role: ControlVerdict  # n/a: the host's role is not one the control applies to
    low_level: ControlVerdict  # n/a: the host's level is below the control's


_Plan = list[_Item]


def _plan(policy: PlatformPolicy | None, catalogue: Catalogue, platform: str,
          controls: Sequence[Control] | None) -> _Plan:
    """Per control: its fixed verdict (n/a on the platform, or no rule: error) or its rules."""
    cache: dict[tuple[int, str, tuple[str, ...] | None], _Plan] | None = (
        policy.__dict__.setdefault("_plans", {}) if policy else None)
    key = (id(catalogue), platform, tuple(c.id for c in controls) if controls is not None else None)
    if cache is not None and key in cache:
        return cache[key]
    by_control = policy.by_control() if policy else {}
    na_reasons = catalogue.na_reasons(platform)
    plan: _Plan = []
    for control in controls if controls is not None else catalogue.host_controls:
        na = na_reasons[control.id]
        rules = by_control.get(control.id) or []
        static = None
        if na is not None:
            static = ControlVerdict(control.id, _NA, control.severity, f"n/a on {platform}: {na}")
        elif not rules:
            static = ControlVerdict(control.id, _ERROR, control.severity, f"no rule implements {control.id} on {platform}")
        steps = [_step(r, control) for r in rules]
        plan.append(_Item(control, static, steps, ControlVerdict(control.id, _PASS, control.severity, ""),
                          ControlVerdict(control.id, _NA, control.severity, f"applies to roles {', '.join(control.roles)}"),
                          ControlVerdict(control.id, _NA, control.severity, f"applies from level {control.min_level}")))
    if cache is not None:
        if len(cache) > 64:  # many different subsets of controls: keep the newest only
            cache.clear()
        cache[key] = plan
    return plan


def evaluate(
    tree: ConfigTree,
    host: HostInfo,
    policy: PlatformPolicy | None,
    catalogue: Catalogue,
    controls: Sequence[Control] | None = None,
) -> tuple[tuple[ControlVerdict, ...], tuple[Finding, ...]]:
    """Evaluate every (or the given) per-host control of the catalogue on one parsed config.

    Returns the per-control verdicts and the per-rule findings (every rule that ran, whatever its
    verdict; reports choose what to show). A check that raises gives an `error` outcome.
    """
    platform = get_platform(host.platform)
    ctx = CheckContext(tree, host, platform, policy.objects if policy else ObjectTable({}))
    role, level = ctx.role, ctx.level
    verdicts: list[ControlVerdict] = []
    findings: list[Finding] = []
    append_verdict, append_finding = verdicts.append, findings.append
    for control, static, steps, passed, other_role, low_level in _plan(policy, catalogue, platform.name, controls):
        if static is not None:
            append_verdict(static)
            continue
        if control.roles and role not in control.roles:
            append_verdict(other_role)
            continue
        if control.min_level is not None and (level is None or level < control.min_level):
            append_verdict(low_level)
            continue
        if len(steps) == 1:  # the common case, without lists
            step = steps[0]
            try:
                outcome = step.run(ctx)
            except Exception as exc:
                outcome = _crashed(exc)
            if outcome is PASSED:
                append_finding(step.passed)
                append_verdict(passed)
                continue
            fixed = step.fixed.get(id(outcome))
            if fixed is not None:
                append_finding(fixed[1])
                append_verdict(fixed[2])
                continue
            append_finding(_finding(step.rule, control, outcome))
            append_verdict(ControlVerdict(control.id, outcome.status, control.severity, outcome.message))
            continue
        outcomes = []
        for step in steps:
            try:
                outcome = step.run(ctx)
            except Exception as exc:
                outcome = _crashed(exc)
            outcomes.append(outcome)
            if outcome is PASSED:
                append_finding(step.passed)
            elif (fixed := step.fixed.get(id(outcome))) is not None:
                append_finding(fixed[1])
            else:
                append_finding(_finding(step.rule, control, outcome))
        status = control_status(o.status for o in outcomes)
        reason = next((o.message for o in outcomes if o.status == status and o.message), "")
        append_verdict(ControlVerdict(control.id, status, control.severity, reason))
    return tuple(verdicts), tuple(findings)


def host_score(verdicts: Iterable[ControlVerdict]) -> float | None:
    """Severity-weighted share of passed controls among passed, failed and erroring ones (0-100)."""
    passed = total = 0
    for v in verdicts:
        if v.status in (Status.PASS, Status.FAIL, Status.ERROR):
            w = Severity(v.severity).weight
            total += w
            if v.status == Status.PASS:
                passed += w
    if total == 0:
        return None
    return round(100.0 * passed / total, 1)
