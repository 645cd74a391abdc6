"""CLI side of the history store and waivers: `--db` for audits, `history`, `show`, `diff`, `prune`.

Kept apart from cli.py, which calls `add_store_args`, `run_audit` and `register`.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from types import FrameType
from typing import Any

from .catalogue import Catalogue, Control, load_catalogue
from .collect import ConfigSource
from .history import diff_runs, pick_runs, render_json, render_text
from .inventory import Filters, Inventory
from .models import AuditRun, HostInfo, HostResult, RunInfo
from .platforms import get_platform
from .policy import Policy
from .reports import FORMATS, parse_formats
from .reports.summary import exit_code
from .runner import Progress, audit_inventory, new_run_id, now_iso
from .store import ENV_DB, Store, default_db_path, resolve_db
from .waivers import WaiverSet, load_waivers, waivers_path

EXIT_INTERRUPTED = 130


def _db_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", metavar="PATH|URL", default=None,
                   help=f"history database: SQLite file or postgresql://... URL (default: ${ENV_DB}, "
                        f"else {default_db_path()})")


def add_store_args(p: argparse.ArgumentParser) -> None:
    """--db and --no-store for the commands that audit."""
    _db_arg(p)
    p.add_argument("--no-store", action="store_true", help="do not record this run in the history database")


class RecordingSource:
    """Wraps a config source and keeps each host's config, redacted, for the history store."""

    def __init__(self, inner: ConfigSource) -> None:
        self.inner = inner
        self.label = inner.label
        self.texts: dict[str, str] = {}
        self._lock = threading.Lock()

    def fetch(self, host: HostInfo, task: Any = None) -> tuple[str, str]:
        text, origin = self.inner.fetch(host, task)
        try:
            redacted = get_platform(host.platform).redact_config(text)
        except Exception:
            redacted = None
        if redacted is not None:
            with self._lock:
                self.texts[host.name] = redacted
        return text, origin

    def pop(self, name: str) -> str | None:
        with self._lock:
            return self.texts.pop(name, None)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def load_run_waivers(policies: Path, catalogue: Catalogue) -> WaiverSet | None:
    path = waivers_path(policies)
    return WaiverSet(load_waivers(path, catalogue)) if path.exists() else None


def run_audit(args: argparse.Namespace, inventory: Inventory, filters: Filters, source: ConfigSource, policy: Policy,
              catalogue: Catalogue, *, workers: int, progress: Progress, save_to: Path | None = None,
              host_key_policy: str | None = None, controls: Sequence[Control] | None = None,
              theme: Mapping[str, tuple[str, ...]] | None = None,
              on_host: Callable[[HostResult], None] | None = None) -> AuditRun:
    """Audit with waivers applied and, unless --no-store, every host streamed into the history store.

    SIGTERM/SIGINT during the audit leave the stored run incomplete (marked interrupted) and exit 130
    at once, without waiting for the hosts still in flight.
    """
    waivers = load_run_waivers(args.policies, catalogue)
    postprocess = waivers.apply if waivers is not None else None
    store = None if getattr(args, "no_store", False) else Store(resolve_db(args.db))
    if store is None:
        run = audit_inventory(inventory, filters, source, policy, catalogue, workers=workers, progress=progress,
                              save_to=save_to, host_key_policy=host_key_policy, postprocess=postprocess,
                              controls=controls, on_host=on_host)
        run = replace(run, run=replace(run.run, theme=theme)) if theme else run
        return replace(run, waivers=waivers.report()) if waivers is not None else run
    recording = RecordingSource(source)
    try:
        run_id = new_run_id()
        pending = RunInfo(run_id, now_iso(), "", policy.version, source.label, host_key_policy)
        recorder = store.begin_run(pending, {**_scope(filters), **{k: list(v) for k, v in (theme or {}).items()}})
        restore = _install_signal_handlers(recorder.abort)

        def stream(r: HostResult) -> None:
            recorder.add_host(r, recording.pop(r.host.name))
            if on_host is not None:
                on_host(r)

        try:
            run = audit_inventory(
                inventory, filters, recording, policy, catalogue, workers=workers, progress=progress,
                save_to=save_to, host_key_policy=host_key_policy, postprocess=postprocess, run_id=run_id,
                controls=controls, on_host=stream)
            run = replace(run, run=replace(run.run, theme=theme)) if theme else run
            if waivers is not None:
                run = replace(run, waivers=waivers.report())
            extra = {"waivers": run.waivers} if run.waivers is not None else None
            recorder.finish(run, exit_code(run), extra, recording.texts)
            run = replace(run, trends=store.unit_trends())
        except BaseException:
            recorder.abort("interrupted" if not isinstance(sys.exc_info()[1], Exception) else "failed")
            raise
        finally:
            restore()
    finally:
        store.close()
    print(f"run {run.run.id} stored in {_display(store.db)}", file=sys.stderr)
    return run


def _scope(filters: Filters) -> dict[str, Any]:
    return {k: list(getattr(filters, k)) for k in ("sites", "tiers", "roles", "tags", "hosts") if hasattr(filters, k)}


def _display(db: str) -> str:
    if "://" in db and "@" in db:  # never print a password
        scheme, rest = db.split("://", 1)
        return f"{scheme}://***@{rest.rsplit('@', 1)[1]}"
    return db


def _install_signal_handlers(abort: Callable[[str], None]) -> Callable[[], None]:
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def handler(signum: int, _frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        abort(f"interrupted by {name}")
        print(f"\nauditor: {name}: run marked incomplete in the history", file=sys.stderr)
        sys.stderr.flush()
        sys.stdout.flush()
        os._exit(EXIT_INTERRUPTED)  # threads still collecting would otherwise be waited for

    old = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}

    def restore() -> None:
        for sig, h in old.items():
            signal.signal(sig, h)

    return restore


# --- history commands ------------------------------------------------------------------------------

def register(sub: Any) -> None:
    history = sub.add_parser("history", help="list stored audit runs with their scores",
                             description="List the audit runs of the history database, newest first. With "
                                         "--site/--agency, the score is over those hosts only.")
    _db_arg(history)
    history.add_argument("--site", action="append", default=[], metavar="SITE", help="only this site; repeatable")
    history.add_argument("--agency", action="append", default=[], metavar="UNIT",
                         help="only this agency (unit); repeatable")
    history.add_argument("--limit", type=int, default=30, metavar="N", help="newest N runs (default: %(default)s)")
    history.add_argument("--format", choices=("text", "json"), default="text")

    show = sub.add_parser("show", help="render a stored run again in any report format",
                          description="Rebuild a stored run and render it (id or unique id prefix).")
    _db_arg(show)
    show.add_argument("run", metavar="RUN")
    show.add_argument("--format", action="append", default=[], metavar="FMT",
                      help=f"report format, repeatable or comma-separated: {'|'.join(FORMATS)} (default: text)")
    show.add_argument("--output", metavar="DIR", type=Path, help="write report.<ext> files here")

    diff = sub.add_parser("diff", help="what changed between two stored runs",
                          description="New and resolved failures, moved scores, changed configs (unified "
                                      "diff of the redacted configs), newly unreachable hosts. Default: the "
                                      "last two complete runs over the same scope.")
    _db_arg(diff)
    diff.add_argument("run_a", metavar="RUN_A", nargs="?")
    diff.add_argument("run_b", metavar="RUN_B", nargs="?")
    diff.add_argument("--format", choices=("text", "json"), default="text")

    prune = sub.add_parser("prune", help="drop the details of old runs (every run's summary is kept)",
                           description="Delete verdicts, findings and configs of runs started more than N days "
                                       "ago; each run's summary and per-host scores stay.")
    _db_arg(prune)
    prune.add_argument("--keep-days", type=int, required=True, metavar="N")


def _open(args: argparse.Namespace) -> Store:
    return Store(resolve_db(args.db))


def cmd_history(args: argparse.Namespace) -> int:
    with _open(args) as store:
        rows = store.runs(site=args.site, agency=args.agency, limit=args.limit)
    if args.format == "json":
        data = [{"id": r.id, "started": r.started, "finished": r.finished, "source": r.source, "status": r.status,
                 "completed": r.completed, "exit_code": r.exit_code, "hosts": n, "score": score, "scope": r.scope,
                 "policy_version": r.policy_version, "user": r.user, "pruned": r.pruned} for r, score, n in rows]
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print("no run stored")
        return 0
    print(f"{'RUN':<24} {'STARTED':<25} {'SOURCE':<8} {'STATUS':<11} {'HOSTS':>5} {'SCORE':>6} EXIT  SCOPE")
    for r, score, n in rows:
        scope = " ".join(f"{k}={','.join(v) if isinstance(v, list) else v}" for k, v in r.scope.items()) or "all"
        sc = f"{score:6.1f}" if score is not None else "     -"
        ex = str(r.exit_code) if r.exit_code is not None else "-"
        print(f"{r.id:<24} {r.started:<25} {r.source:<8} {r.status:<11} {n:>5} {sc} {ex:>4}  {scope}")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    formats = parse_formats(args.format)
    catalogue = load_catalogue()
    with _open(args) as store:
        row, run = store.load_run(args.run)
    if not row.completed:
        print(f"auditor: run {row.id} is incomplete ({row.status}): {len(run.hosts)} host(s) stored", file=sys.stderr)
    from .cli import _emit  # late: cli imports this module

    _emit(run, catalogue, formats, args.output)
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    with _open(args) as store:
        ra, rb = pick_runs(store, args.run_a, args.run_b)
        d = diff_runs(store, ra, rb)
    sys.stdout.write(render_json(d) if args.format == "json" else render_text(d))
    return 0


def cmd_prune(args: argparse.Namespace) -> int:
    if args.keep_days < 0:
        print("auditor: error: --keep-days must be at least 0", file=sys.stderr)
        return 2
    with _open(args) as store:
        n, configs = store.prune(args.keep_days)
    print(f"pruned {n} run(s) older than {args.keep_days} day(s); {configs} config snapshot(s) deleted; "
          "run summaries kept")
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "history": cmd_history, "show": cmd_show, "diff": cmd_diff, "prune": cmd_prune}
