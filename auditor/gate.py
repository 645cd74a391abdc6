"""The onboarding acceptance gate (`auditor onboard HOST`).

A new device is accepted only when, audited against the policy for its platform, role and level,
no critical or high control fails (or cannot be evaluated) and no baseline placeholder
`<<CHANGE-ME:...>>` remains in its config. Waivers never apply here: an exception approved for a
running device does not let a new one in.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from nornir.core.task import Result, Task

from .baseline import placeholders
from .catalogue import Catalogue
from .collect import ConfigSource
from .errors import AuditorError
from .files import write_private
from .inventory import Filters, Inventory
from .models import AuditRun, Finding, HostInfo, HostResult, RunInfo, Severity, Status
from .policy import Policy
from .reports import write_reports
from .runner import audit_host, new_run_id, now_iso

BLOCKING = (Severity.CRITICAL, Severity.HIGH)


class TextSource:
    """A config already in hand (from --config FILE or collected live)."""

    def __init__(self, text: str, origin: str, label: str = "files") -> None:
        self.text, self.origin, self.label = text, origin, label

    def fetch(self, host: HostInfo, task: Task | None = None) -> tuple[str, str]:
        return self.text, self.origin


@dataclass(frozen=True)
class GateResult:
    host: HostInfo
    accepted: bool
    result: HostResult
    run: AuditRun
    blocking: tuple[Finding, ...]  # failing critical/high rule findings
    unevaluated: tuple[str, ...]  # critical/high controls in error (reason)
    placeholders: tuple[tuple[int, str], ...]
    text: str = ""  # the config audited (for the history store, redacted there)

    def reasons(self) -> list[str]:
        out = [f"line {n}: placeholder <<CHANGE-ME:{name}>> still in the config (set the real secret)"
               for n, name in self.placeholders]
        if not self.result.ok:
            out.append(f"config could not be audited: {self.result.error}")
        out += [f"{f.control} ({f.severity.value}) {f.rule}: {f.message}" for f in self.blocking]
        out += list(self.unevaluated)
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "schema": "auditor-onboarding/1",
            "host": self.host.name, "platform": self.host.platform,
            "site": self.host.get("site"), "role": self.host.get("role"), "level": self.host.get("level"),
            "run": self.run.run.id, "started": self.run.run.started, "source": self.result.source,
            "accepted": self.accepted,
            "decision": "accepted" if self.accepted else "blocked",
            "rule": "blocked while a critical or high control fails or a placeholder remains; waivers do not apply",
            "placeholders": [{"line": n, "name": name} for n, name in self.placeholders],
            "audit_error": None if self.result.ok else self.result.error,
            "blocking": [
                {"control": f.control, "rule": f.rule, "severity": f.severity.value, "message": f.message,
                 "remediation": f.remediation, "evidence": [{"line": e.line, "text": e.text} for e in f.evidence]}
                for f in self.blocking
            ],
            "unevaluated": list(self.unevaluated),
            "other_failures": [
                {"control": f.control, "rule": f.rule, "severity": f.severity.value, "message": f.message,
                 "remediation": f.remediation}
                for f in self.result.findings if f.status is Status.FAIL and f.severity not in BLOCKING
            ],
        }


def run_gate(host: HostInfo, text: str, origin: str, policy: Policy, catalogue: Catalogue,
             label: str = "files") -> GateResult:
    """Audit `text` as the config of `host` and decide (no waivers)."""
    started = now_iso()
    result = audit_host(host, TextSource(text, origin, label), policy, catalogue)
    if result.source is None:
        result = HostResult(result.host, result.status, result.error, result.controls, result.findings,
                            result.lines, result.seconds, origin)
    run = AuditRun(RunInfo(new_run_id(), started, now_iso(), policy.version, label), (result,), ())
    blocking = tuple(f for f in result.findings if f.status is Status.FAIL and f.severity in BLOCKING)
    unevaluated = tuple(f"{v.control} ({v.severity.value}) could not be evaluated: {v.reason}"
                        for v in result.controls
                        if result.ok and v.status is Status.ERROR and v.severity in BLOCKING)
    failing_controls = {v.control for v in result.controls if v.status is Status.FAIL and v.severity in BLOCKING}
    # a failing blocking control always has a failing finding; keep the control listed if not
    missing = failing_controls - {f.control for f in blocking}
    unevaluated += tuple(f"{c}: failed" for c in sorted(missing))
    marks = tuple(placeholders(text))
    accepted = result.ok and not blocking and not unevaluated and not marks
    return GateResult(host, accepted, result, run, blocking, unevaluated, marks, text)


def collect_live(inventory: Inventory, host: HostInfo, source: ConfigSource) -> tuple[str, str]:
    """Collect one host's running config over SSH through Nornir (errors: AuditorError)."""
    nr = inventory.filtered_nornir(Filters(hosts=(host.name,)))

    def task(t: Task) -> Result:
        text, origin = source.fetch(host, t)
        return Result(host=t.host, result=(text, origin))

    agg = nr.run(task=task, on_failed=True)
    multi = agg[host.name]
    if multi.failed:
        exc = multi[0].exception
        if isinstance(exc, AuditorError):
            raise exc
        raise AuditorError(f"{host.name}: collection failed: {exc or multi[0].result}")
    text, origin = multi[0].result
    return str(text), str(origin)


_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Onboarding {{ g.host }}: {{ g.decision }}</title>
<style>body{font-family:sans-serif;margin:2em;max-width:60em}.accepted{color:#060}.blocked{color:#b00}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.3em;vertical-align:top;text-align:left}
pre{margin:0;white-space:pre-wrap}</style></head><body>
<h1>Onboarding gate: {{ g.host }} — <span class="{{ g.decision }}">{{ g.decision | upper }}</span></h1>
<p>Platform {{ g.platform }}, site {{ g.site }}, role {{ g.role }}, level {{ g.level }}; config {{ g.source }};
run {{ g.run }} ({{ g.started }}). {{ g.rule | capitalize }}.</p>
{% if g.audit_error %}<p class="blocked">The config could not be audited: {{ g.audit_error }}</p>{% endif %}
{% if g.placeholders %}<h2>Placeholders to replace</h2><ul>
{% for p in g.placeholders %}<li>line {{ p.line }}: <code>&lt;&lt;CHANGE-ME:{{ p.name }}&gt;&gt;</code></li>{% endfor %}
</ul>{% endif %}
<h2>Blocking findings ({{ g.blocking | length }})</h2>
{% if g.blocking %}<table><tr><th>Control</th><th>Severity</th><th>Finding</th><th>Evidence</th><th>Remediation</th></tr>
{% for f in g.blocking %}<tr><td>{{ f.control }}<br><small>{{ f.rule }}</small></td><td>{{ f.severity }}</td>
<td>{{ f.message }}</td><td><pre>{% for e in f.evidence %}{{ e.line }}: {{ e.text }}
{% endfor %}</pre></td><td>{{ f.remediation }}</td></tr>{% endfor %}</table>
{% else %}<p>None.</p>{% endif %}
{% for u in g.unevaluated %}<p class="blocked">{{ u }}</p>{% endfor %}
{% if g.other_failures %}<h2>Other failures (medium/low, not blocking)</h2><table>
<tr><th>Control</th><th>Severity</th><th>Finding</th><th>Remediation</th></tr>
{% for f in g.other_failures %}<tr><td>{{ f.control }}</td><td>{{ f.severity }}</td><td>{{ f.message }}</td>
<td>{{ f.remediation }}</td></tr>{% endfor %}</table>{% endif %}
</body></html>
"""


def write_gate_reports(gate: GateResult, catalogue: Catalogue, directory: Path,
                       formats: Sequence[str] = ("json", "html")) -> list[Path]:
    """onboarding.json and onboarding.html (the decision), plus the full audit report.<ext>."""
    data = gate.as_dict()
    paths = []
    if "json" in formats:
        path = directory / "onboarding.json"
        write_private(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        paths.append(path)
    if "html" in formats:
        env = jinja2.Environment(autoescape=True)
        path = directory / "onboarding.html"
        write_private(path, env.from_string(_HTML).render(g=data))
        paths.append(path)
    paths += write_reports(gate.run, catalogue, list(formats), directory)
    return paths
