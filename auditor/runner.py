"""One audit run: Nornir runs collect -> parse -> evaluate per host, then the fleet checks.

The Nornir task is a thin layer: it fetches the config, calls the pure `evaluate`, and returns a
HostResult. A host that fails becomes an `error` HostResult with the reason; the run goes on.
"""

from __future__ import annotations

import secrets
import sys
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from nornir.core.inventory import Host
from nornir.core.task import AggregatedResult, MultiResult, Result, Task
from nornir.plugins.runners import ThreadedRunner

from .catalogue import Catalogue, Control
from .collect import ConfigSource, FileSource
from .engine import evaluate
from .errors import AuditorError
from .files import write_private
from .fleet import evaluate_fleet
from .inventory import Filters, Inventory
from .models import AuditRun, ControlVerdict, HostInfo, HostResult, RunInfo, Status
from .platforms import get_platform
from .policy import Policy


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


def error_result(host: HostInfo, reason: str, catalogue: Catalogue, seconds: float = 0.0) -> HostResult:
    """A host that could not be audited: every control is an `error` with the reason."""
    verdicts = tuple(ControlVerdict(c.id, Status.ERROR, c.severity, reason) for c in catalogue.host_controls)
    return HostResult(host, "error", reason, verdicts, (), 0, seconds)


def audit_host(
    host: HostInfo,
    source: ConfigSource,
    policy: Policy,
    catalogue: Catalogue,
    controls: Sequence[Control] | None = None,
    task: Task | None = None,
    save_to: Path | None = None,
) -> HostResult:
    """Fetch, parse and evaluate one host; any AuditorError becomes an error result.

    With `save_to`, the collected config is stored there as NAME.cfg, secrets redacted (type digits
    kept, so auditing the stored copy gives the same verdicts), owner-readable only.
    """
    started = time.perf_counter()
    try:
        text, origin = source.fetch(host, task)
        platform = get_platform(host.platform)
        if save_to is not None:
            write_private(save_to / f"{host.name}.cfg", platform.redact_config(text))
        try:
            tree = platform.parse(text)
        except AuditorError as exc:
            if exc.source is None:
                exc.source = origin
            raise
        verdicts, findings = evaluate(tree, host, policy.for_platform(platform.name), catalogue, controls)
    except AuditorError as exc:
        return error_result(host, str(exc), catalogue, time.perf_counter() - started)
    path = str(save_to / f"{host.name}.cfg") if save_to is not None else origin
    return HostResult(host, "ok", None, verdicts, findings, tree.source_lines, time.perf_counter() - started, path)


class Progress:
    """Hosts done / failed / rate on stderr, redrawn in place; silent unless stderr is a terminal."""

    def __init__(self, total: int, stream: TextIO | None = None, enabled: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.total = total
        self.done = 0
        self.failed = 0
        self.started = time.monotonic()
        self._lock = threading.Lock()

    def update(self, result: HostResult) -> None:
        with self._lock:
            self.done += 1
            self.failed += not result.ok
            if self.enabled:
                self._draw()

    def _draw(self) -> None:
        width = 30
        filled = int(width * self.done / self.total) if self.total else width
        rate = self.done / max(time.monotonic() - self.started, 1e-6)
        self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} hosts, "
                          f"{self.failed} not audited, {rate:.1f}/s ")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.total:
            self.stream.write("\n")
            self.stream.flush()


class _ProgressProcessor:
    """Nornir processor that reports each host's result as soon as it finishes."""

    def __init__(self, progress: Progress, on_host: Callable[[HostResult], None] | None = None) -> None:
        self.progress = progress
        self.on_host = on_host

    def task_started(self, task: Task) -> None: ...

    def task_completed(self, task: Task, result: AggregatedResult) -> None: ...

    def task_instance_started(self, task: Task, host: Host) -> None: ...

    def task_instance_completed(self, task: Task, host: Host, result: MultiResult) -> None:
        value = result[0].result if result else None
        if isinstance(value, HostResult):
            if self.on_host is not None:  # e.g. stream it into the history store
                self.on_host(value)
            self.progress.update(value)

    def subtask_instance_started(self, task: Task, host: Host) -> None: ...

    def subtask_instance_completed(self, task: Task, host: Host, result: MultiResult) -> None: ...


def _audit_task(task: Task, infos: dict[str, HostInfo], source: ConfigSource, policy: Policy,
                catalogue: Catalogue, controls: Sequence[Control] | None, save_to: Path | None,
                postprocess: Callable[[HostResult], HostResult] | None = None) -> Result:
    info = infos[task.host.name]
    result = audit_host(info, source, policy, catalogue, controls, task, save_to)
    if postprocess is not None:  # e.g. waivers, applied after evaluation
        result = postprocess(result)
    return Result(host=task.host, result=result)


def audit_inventory(
    inventory: Inventory,
    filters: Filters,
    source: ConfigSource,
    policy: Policy,
    catalogue: Catalogue,
    *,
    workers: int = 10,
    controls: Sequence[Control] | None = None,
    progress: Progress | None = None,
    save_to: Path | None = None,
    host_key_policy: str | None = None,
    postprocess: Callable[[HostResult], HostResult] | None = None,
    on_host: Callable[[HostResult], None] | None = None,
    run_id: str | None = None,
) -> AuditRun:
    """Audit the selected hosts of the inventory with Nornir's threaded runner.

    `postprocess` turns each host's result into its final form in the worker (waivers);
    `on_host` sees each final result as soon as its host is done (history store).
    """
    run_id, started = run_id or new_run_id(), now_iso()
    selected = inventory.select(filters)
    infos = {h.name: h for h in selected}
    progress = progress or Progress(len(selected))
    nr = (inventory.filtered_nornir(filters)
          .with_processors([_ProgressProcessor(progress, on_host)])
          .with_runner(ThreadedRunner(num_workers=max(1, workers))))
    aggregated = nr.run(task=_audit_task, infos=infos, source=source, policy=policy, catalogue=catalogue,
                        controls=controls, save_to=save_to, postprocess=postprocess)
    progress.close()
    results: list[HostResult] = []
    for info in selected:
        multi = aggregated.get(info.name)
        value: Any = multi[0].result if multi else None
        if isinstance(value, HostResult):
            results.append(value)
        else:  # the task itself crashed: Nornir kept the exception for this host
            exc = multi[0].exception if multi else None
            results.append(error_result(info, f"internal error: {type(exc).__name__}: {exc}", catalogue))
    fleet = evaluate_fleet(selected, catalogue)
    run = RunInfo(run_id, started, now_iso(), policy.version, source.label, host_key_policy)
    return AuditRun(run, tuple(results), fleet)


def audit_files(
    paths: Sequence[Path],
    platform: str,
    data: dict[str, Any],
    policy: Policy,
    catalogue: Catalogue,
    progress: Progress | None = None,
) -> AuditRun:
    """Audit config files with no inventory; every file gets the same host data."""
    run_id, started = new_run_id(), now_iso()
    by_name: dict[str, Path] = {}
    for p in paths:
        name = p.stem if p.suffix in (".cfg", ".conf", ".txt") else p.name
        while name in by_name:
            name += "_"
        by_name[name] = p
    source = FileSource(by_name)
    progress = progress or Progress(len(by_name))
    results = []
    for name in by_name:
        result = audit_host(HostInfo(name, platform, data), source, policy, catalogue)
        progress.update(result)
        results.append(result)
    progress.close()
    run = RunInfo(run_id, started, now_iso(), policy.version, source.label)
    return AuditRun(run, tuple(results), ())
