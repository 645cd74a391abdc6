"""CLI side of unattended operation for `auditor audit`: config file, themes, schedules, logs, notifications.

cli.py calls `add_audit_args` on the audit parser, `audit(args, cmd_audit)` around the audit, and
`run_audit` instead of cli_history.run_audit (same arguments; it adds the theme's controls, the
per-host log lines, and keeps the run for the notifications).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import cli_history
from .catalogue import Catalogue, Control, load_catalogue
from .errors import AuditorError
from .inventory import Filters
from .logs import EventLog
from .models import AuditRun, HostResult
from .notify import Context, load_secrets, notify
from .schedule import EXIT_BUSY, ScheduleBusy, check_name, schedule_lock
from .settings import Settings, add_config_arg
from .store import Store, resolve_db, scope_json


def add_audit_args(p: argparse.ArgumentParser) -> None:
    add_config_arg(p)
    g = p.add_argument_group("thematic, scheduled and unattended audits")
    g.add_argument("--areas", action="append", default=[], metavar="AREA[,AREA]",
                   help="only the controls of these catalogue areas (thematic audit, e.g. management,snmp)")
    g.add_argument("--controls", action="append", default=[], metavar="ID[,ID]",
                   help="only these controls (e.g. MGMT-01,SNMP-01)")
    g.add_argument("--schedule", metavar="NAME", default=None,
                   help="run as schedule NAME: never overlaps its own previous run (exit 3), per-run output "
                        "directories OUTPUT/<timestamp>/ with OUTPUT/latest")
    g.add_argument("--wait", action="store_true", help="with --schedule: wait for a previous run still in progress")
    g.add_argument("--log-file", metavar="FILE", type=Path, default=None,
                   help="append structured log lines (one per host, one per run) to FILE instead of stderr")
    g.add_argument("--log-format", choices=("kv", "json"), default=None, help="log line format (default: kv)")
    g.add_argument("--no-notify", action="store_true", help="send no notification for this run")


def _split(values: list[str]) -> list[str]:
    return [x.strip() for v in values for x in str(v).split(",") if x.strip()]


def resolve_theme(args: argparse.Namespace, catalogue: Catalogue) -> tuple[list[Control] | None, dict[str, tuple[str, ...]]]:
    """The controls of --areas / --controls (None: all) and the theme to record."""
    areas, ids = _split(getattr(args, "areas", []) or []), [x.upper() for x in _split(getattr(args, "controls", []) or [])]
    if not areas and not ids:
        return None, {}
    known_areas = sorted({c.area for c in catalogue.host_controls})
    bad = [a for a in areas if a not in known_areas]
    if bad:
        raise AuditorError(f"unknown area(s) {', '.join(bad)} (known: {', '.join(known_areas)})")
    by_id = {c.id: c for c in catalogue.host_controls}
    bad = [i for i in ids if i not in by_id]
    if bad:
        raise AuditorError(f"unknown or fleet-wide control(s) {', '.join(bad)}")
    chosen = [c for c in catalogue.host_controls if c.area in areas or c.id in ids]
    theme: dict[str, tuple[str, ...]] = {}
    if areas:
        theme["areas"] = tuple(sorted(set(areas)))
    if ids:
        theme["controls"] = tuple(sorted(set(ids)))
    return chosen, theme


@dataclass
class _State:
    log: EventLog | None = None
    controls: list[Control] | None = None
    theme: dict[str, tuple[str, ...]] = field(default_factory=dict)
    run: AuditRun | None = None
    filters: Filters | None = None


def run_audit(args: argparse.Namespace, *a: Any, **kw: Any) -> AuditRun:
    """cli_history.run_audit with the theme's controls, per-host log lines, and the run kept for `audit`."""
    state: _State = getattr(args, "_ops", None) or _State()
    log = state.log
    schedule = getattr(args, "schedule", None)

    def on_host(r: HostResult) -> None:
        if log is not None:
            log.host(None, r, schedule)  # the run id is known once the run ends (its own log line)

    state.filters = a[1] if len(a) > 1 else None
    run = cli_history.run_audit(args, *a, controls=state.controls, theme=state.theme or None,
                                on_host=on_host if log is not None else None, **kw)
    state.run = run
    return run


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + f"-{os.getpid()}"


def _update_latest(base: Path, target: Path) -> None:
    link = base / "latest"
    tmp = base / f".latest-{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    tmp.symlink_to(target.name)
    os.replace(tmp, link)  # atomic: a reader sees the old or the new run, never none


def _failing_from_report(path: Path) -> tuple[str | None, dict[tuple[str, str], str]] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    out = {(h["name"] if "name" in h else h.get("host", ""), v["control"]): v["status"]
           for h in data.get("hosts", []) for v in h.get("controls", [])}
    return data.get("run", {}).get("id"), out


def _previous_from_store(args: argparse.Namespace, state: _State, run: AuditRun) -> tuple[str | None, dict[tuple[str, str], str]] | None:
    if getattr(args, "no_store", False) or state.filters is None:
        return None
    scope = {**cli_history._scope(state.filters), **{k: list(v) for k, v in state.theme.items()}}
    wanted = json.loads(scope_json(scope))
    with Store(resolve_db(args.db)) as store:
        for row, _score, _n in store.runs(completed_only=True):
            if row.id != run.run.id and row.scope == wanted and row.started <= run.run.started and not row.pruned:
                return row.id, store.failing(row.id)
    return None


def _report_path(output: Path | None) -> Path | None:
    if output is None:
        return None
    for name in ("report.html", "report.json", "report.txt"):
        if (output / name).exists():
            return (output / name).resolve()
    return output.resolve()


def audit(args: argparse.Namespace, inner: Callable[[argparse.Namespace], int]) -> int:
    """Run `inner` (cmd_audit) under the schedule lock, with logs and notifications around it."""
    settings: Settings = getattr(args, "settings", None) or Settings()
    state = _State()
    state.controls, state.theme = resolve_theme(args, load_catalogue())
    if args.wait and not args.schedule:
        raise AuditorError("--wait needs --schedule NAME")
    if args.schedule:
        check_name(args.schedule)
    if args.log_file or args.log_format or args.schedule:
        state.log = EventLog(args.log_file, args.log_format or "kv")
    args._ops = state
    try:
        lock = schedule_lock(args.schedule, wait=args.wait) if args.schedule else contextlib.nullcontext()
        with lock:
            base = previous_report = previous_from_report = None
            if args.schedule:
                base = args.output or Path("out") / f"schedule-{args.schedule}"
                base.mkdir(parents=True, exist_ok=True)
                previous_report = base / "latest" / "report.json"
                previous_from_report = _failing_from_report(previous_report) if previous_report.exists() else None
                args.output = base / _stamp()
                if not any("json" in f for f in args.format):
                    args.format = [*(args.format or ["text"]), "json"]
            code = inner(args)
            run = state.run
            if base is not None and args.output is not None and args.output.exists():
                _update_latest(base, args.output)
            if run is not None:
                if state.log is not None:
                    state.log.run(run, code, args.schedule, _theme_text(state.theme), _report_path(args.output))
                targets = settings.notifications
                if targets and not args.no_notify:
                    _notify(args, state, run, targets, previous_from_report if base is not None else None)
            return code
    except ScheduleBusy as exc:
        print(f"auditor: {exc}", file=sys.stderr)
        if state.log is not None:
            state.log.event("run", "warning", schedule=args.schedule, outcome="skipped", reason="previous run still running")
        return EXIT_BUSY
    finally:
        if state.log is not None:
            state.log.close()


def _theme_text(theme: Mapping[str, tuple[str, ...]]) -> str | None:
    return "; ".join(f"{k}={','.join(v)}" for k, v in theme.items()) or None


def _notify(args: argparse.Namespace, state: _State, run: AuditRun, targets: Mapping[str, Any],
            from_report: tuple[str | None, dict[tuple[str, str], str]] | None) -> None:
    log = state.log or EventLog(None, args.log_format or "kv")
    try:
        previous = None
        try:
            previous = _previous_from_store(args, state, run)
        except Exception as exc:  # the store being unavailable must not lose the notification
            log.event("notify", "warning", run=run.run.id, error=f"previous run lookup: {exc}")
        previous = previous or from_report
        ctx = Context(run, load_catalogue(), previous[1] if previous else None, previous[0] if previous else None,
                      _report_path(args.output), args.schedule, {k: list(v) for k, v in state.theme.items()})
        secrets = load_secrets(getattr(args, "credentials", None))
        counts = notify(targets, ctx, secrets, log)
        print(f"notifications: {counts['sent']} sent, {counts['skipped']} not due, {counts['failed']} failed",
              file=sys.stderr)
    except Exception as exc:  # never fail the audit because of a notification
        log.event("notify", "error", run=run.run.id, error=f"{type(exc).__name__}: {exc}")
    finally:
        if log is not state.log:
            log.close()


__all__ = ["add_audit_args", "audit", "resolve_theme", "run_audit"]
