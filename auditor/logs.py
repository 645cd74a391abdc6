"""Structured log lines for journald and log collectors: one per host outcome, one per run.

Format `kv` (default): `ts=... level=info event=host run=... host=... status=ok score=93.1`, values
with spaces or quotes are double-quoted; format `json`: one JSON object per line. Lines go to
stderr, or are appended to `--log-file` (created mode 0600). Never secrets: only names, verdict
counts, errors and paths are logged.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from .models import AuditRun, HostResult, Status
from .reports.summary import summarize, weighted_score


def _quote(value: Any) -> str:
    text = str(value)
    if text == "" or any(c in text for c in ' "=\n\t'):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    return text


class EventLog:
    def __init__(self, path: Path | None = None, fmt: str = "kv", stream: TextIO | None = None) -> None:
        self.fmt = fmt
        self.path = path
        self._lock = threading.Lock()
        self._own: TextIO | None = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            self._own = os.fdopen(fd, "a", encoding="utf-8")
        self.stream = self._own or stream or sys.stderr

    def close(self) -> None:
        if self._own is not None:
            self._own.close()
            self._own = None

    def event(self, event: str, level: str = "info", **fields: Any) -> None:
        record: dict[str, Any] = {"ts": datetime.now(UTC).isoformat(timespec="seconds"), "level": level,
                                  "event": event}
        record.update({k: v for k, v in fields.items() if v is not None})
        if self.fmt == "json":
            line = json.dumps(record, ensure_ascii=False, default=str)
        else:
            line = " ".join(f"{k}={_quote(v)}" for k, v in record.items())
        with self._lock:
            self.stream.write(line + "\n")
            self.stream.flush()

    def host(self, run_id: str | None, result: HostResult, schedule: str | None = None) -> None:
        failed = sum(1 for v in result.controls if v.status == Status.FAIL)
        if result.ok:
            score = weighted_score(result.controls)
            self.event("host", "warning" if failed else "info", run=run_id, schedule=schedule,
                       host=result.host.name, status="ok", failed_controls=failed,
                       score=round(score, 1) if score is not None else None, seconds=round(result.seconds, 2))
        else:
            self.event("host", "error", run=run_id, schedule=schedule, host=result.host.name, status="error",
                       error=result.error, seconds=round(result.seconds, 2))

    def run(self, run: AuditRun, exit_code: int, schedule: str | None = None, theme: str | None = None,
            report: Path | None = None) -> None:
        s = summarize(run)
        self.event("run", "info" if exit_code == 0 else "warning", run=run.run.id, schedule=schedule, theme=theme,
                   source=run.run.source, hosts=s.hosts, compliant=s.compliant_hosts, errors=s.errors,
                   score=round(s.score or 0.0, 1), critical=s.by_severity.get("critical", 0),
                   high=s.by_severity.get("high", 0), exit_code=exit_code, report=report)
