"""Comparing stored runs: what is new, what was fixed, which scores and configs moved.

A failure is a (host, control) whose control verdict is `fail`. Between run A (older) and run B:
- new failure: failing in B, not failing in A (or the host was absent / not audited in A);
- resolved failure: failing in A, and in B the host was audited and the control passes, is not
  applicable or is waived (a host not audited in B resolves nothing: it is "newly unreachable");
- score moved: the host's score differs (both audited);
- config changed: both runs stored a config for the host and the contents differ (unified diff of
  the redacted texts);
- newly unreachable: not audited (error) in B, audited in A.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from .errors import AuditorError
from .store import RunRow, Store


@dataclass
class RunDiff:
    run_a: str
    run_b: str
    new_failures: list[tuple[str, str]] = field(default_factory=list)
    resolved_failures: list[tuple[str, str]] = field(default_factory=list)
    score_changes: list[tuple[str, float, float]] = field(default_factory=list)
    config_changes: dict[str, str] = field(default_factory=dict)  # host -> unified diff
    newly_unreachable: list[tuple[str, str]] = field(default_factory=list)  # host, error

    @property
    def empty(self) -> bool:
        return not (self.new_failures or self.resolved_failures or self.score_changes or self.config_changes
                    or self.newly_unreachable)


def pick_runs(store: Store, a: str | None, b: str | None) -> tuple[RunRow, RunRow]:
    """The two runs to compare: as given, or the last two complete runs over the same scope."""
    if a and b:
        return store.get_run(a), store.get_run(b)
    complete = [r for r, _score, _n in store.runs(completed_only=True)]
    if a:  # compare A with the latest complete run over its scope
        ra = store.get_run(a)
        later = [r for r in complete if r.scope == ra.scope and r.id != ra.id and r.started >= ra.started]
        if not later:
            raise AuditorError(f"no complete run over the same scope after {ra.id} to compare with")
        return ra, later[0]
    if not complete:
        raise AuditorError("no complete run in the history")
    rb = complete[0]
    earlier = [r for r in complete[1:] if r.scope == rb.scope]
    if not earlier:
        raise AuditorError(f"only one complete run over the scope of {rb.id}: nothing to compare")
    return earlier[0], rb


def diff_runs(store: Store, ra: RunRow, rb: RunRow, context: int = 3) -> RunDiff:
    for r in (ra, rb):
        if r.pruned:
            raise AuditorError(f"run {r.id}: details pruned, cannot diff")
    out = RunDiff(ra.id, rb.id)
    hosts_a = {h.host: h for h in store.host_rows(ra.id)}
    hosts_b = {h.host: h for h in store.host_rows(rb.id)}
    va, vb = store.failing(ra.id), store.failing(rb.id)
    fail_a = {k for k, s in va.items() if s == "fail"}
    fail_b = {k for k, s in vb.items() if s == "fail"}
    out.new_failures = sorted(fail_b - fail_a)
    for key in sorted(fail_a - fail_b):
        hb = hosts_b.get(key[0])
        if hb is not None and hb.status == "ok" and key in vb:
            out.resolved_failures.append(key)
    for name, hb in sorted(hosts_b.items()):
        ha = hosts_a.get(name)
        if ha is None:
            continue
        if hb.status != "ok" and ha.status == "ok":
            out.newly_unreachable.append((name, hb.error or ""))
        if ha.score is not None and hb.score is not None and ha.score != hb.score:
            out.score_changes.append((name, ha.score, hb.score))
        if ha.config_sha256 and hb.config_sha256 and ha.config_sha256 != hb.config_sha256:
            old = store.config_text(ha.config_sha256) or ""
            new = store.config_text(hb.config_sha256) or ""
            out.config_changes[name] = "".join(difflib.unified_diff(
                old.splitlines(keepends=True), new.splitlines(keepends=True),
                fromfile=f"{ra.id}/{name}.cfg", tofile=f"{rb.id}/{name}.cfg", n=context))
    return out


def render_text(d: RunDiff) -> str:
    out = [f"Diff {d.run_a} -> {d.run_b}"]
    if d.empty:
        out.append("no change")
    sections: list[tuple[str, list[str]]] = [
        ("New failures", [f"  {h:<32} {c}" for h, c in d.new_failures]),
        ("Resolved failures", [f"  {h:<32} {c}" for h, c in d.resolved_failures]),
        ("Newly unreachable", [f"  {h:<32} {e}" for h, e in d.newly_unreachable]),
        ("Scores moved", [f"  {h:<32} {a:5.1f} -> {b:5.1f} ({b - a:+.1f})" for h, a, b in d.score_changes]),
    ]
    for title, lines in sections:
        if lines:
            out.extend(["", f"{title} ({len(lines)}):", *lines])
    if d.config_changes:
        out.extend(["", f"Configs changed ({len(d.config_changes)}):"])
        for name, text in d.config_changes.items():
            out.append(f"  {name}")
            out.extend("    " + line for line in text.rstrip("\n").splitlines())
    return "\n".join(out) + "\n"


def render_json(d: RunDiff) -> str:
    data: dict[str, Any] = asdict(d)
    data["new_failures"] = [{"host": h, "control": c} for h, c in d.new_failures]
    data["resolved_failures"] = [{"host": h, "control": c} for h, c in d.resolved_failures]
    data["score_changes"] = [{"host": h, "from": a, "to": b} for h, a, b in d.score_changes]
    data["newly_unreachable"] = [{"host": h, "error": e} for h, e in d.newly_unreachable]
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
