"""Scheduled audits: systemd timer / crontab installation, and the lock that stops a schedule overlapping itself.

`auditor schedule install --name NAME --every daily|weekly|monthly|EXPR [--unit-dir DIR | --cron] [-- audit options]`
writes `auditor-NAME.service` + `auditor-NAME.timer` (default: the user's systemd unit directory) or a
crontab line tagged `# auditor-schedule:NAME`; the unit runs `auditor audit --schedule NAME ...`.

Non-overlap: `auditor audit --schedule NAME` takes an exclusive `fcntl.flock` on
`LOCKDIR/schedule-NAME.lock` (LOCKDIR: `$AUDITOR_LOCK_DIR`, else `$XDG_RUNTIME_DIR/auditor`, else
`~/.local/state/auditor/locks`) and writes its PID and start time into it. If another process holds
it, the audit exits 3 naming that process, or with `--wait` waits for it. The kernel drops the lock
when the process dies, so a crashed run never blocks the next one.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from .errors import AuditorError

EXIT_BUSY = 3
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
EVERY = ("daily", "weekly", "monthly")
CRON_MARK = "# auditor-schedule:"
_DOW = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


class ScheduleBusy(AuditorError):
    """The previous run of the schedule is still running."""


def check_name(name: str) -> str:
    if not NAME_RE.match(name):
        raise AuditorError(f"schedule name {name!r}: letters, digits, '-' and '_' only (at most 64)")
    return name


def lock_dir() -> Path:
    if os.environ.get("AUDITOR_LOCK_DIR"):
        return Path(os.environ["AUDITOR_LOCK_DIR"])
    if os.environ.get("XDG_RUNTIME_DIR"):
        return Path(os.environ["XDG_RUNTIME_DIR"]) / "auditor"
    return Path(os.environ.get("XDG_STATE_HOME") or Path("~/.local/state").expanduser()) / "auditor" / "locks"


def lock_path(name: str) -> Path:
    return lock_dir() / f"schedule-{check_name(name)}.lock"


def holder(name: str) -> dict[str, Any] | None:
    """Who holds the schedule's lock (PID, start), or None when no run is in progress."""
    path = lock_path(name)
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return _read_info(path)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def _read_info(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8") or "{}")
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _describe(info: dict[str, Any]) -> str:
    return f"PID {info.get('pid', '?')}, started {info.get('started', '?')}"


@contextlib.contextmanager
def schedule_lock(name: str, wait: bool = False, poll: float = 0.2, stream: TextIO | None = None) -> Iterator[Path]:
    """Hold the schedule's lock for the duration of the block (see the module doc)."""
    path = lock_path(name)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                info = _read_info(path)
                if not wait:
                    raise ScheduleBusy(f"schedule {name!r} is already running ({_describe(info)}; lock {path}); "
                                       "not starting another run (use --wait to wait for it)") from None
                if not told:
                    print(f"auditor: schedule {name!r} is running ({_describe(info)}); waiting for it to finish",
                          file=stream or sys.stderr)
                    told = True
                time.sleep(poll)
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps({"pid": os.getpid(), "schedule": name,
                                  "started": datetime.now(UTC).isoformat(timespec="seconds")}).encode(), 0)
        try:
            yield path
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


# --- timing ---------------------------------------------------------------------------------------

def _cron_field_to_calendar(value: str, kind: str) -> str:
    def one(part: str) -> str:
        if kind == "dow":
            if part == "*":
                return ""
            if "-" in part:
                a, b = part.split("-", 1)
                return f"{_DOW[int(a)]}..{_DOW[int(b)]}"
            return _DOW[int(part)]
        if part.startswith("*/"):
            return f"{'0' if kind in ('minute', 'hour') else '1'}/{part[2:]}"
        if "-" in part:
            a, b = part.split("-", 1)
            return f"{a}..{b}"
        return part
    if kind != "dow" and not re.fullmatch(r"[\d*/,-]+", value):
        raise AuditorError(f"cron field {value!r}: only numbers, *, ranges, lists and */N are converted")
    if kind == "dow" and not re.fullmatch(r"\*|[0-7](-[0-7])?(,[0-7](-[0-7])?)*", value):
        raise AuditorError(f"cron day-of-week {value!r}: use numbers 0-7")
    return ",".join(filter(None, (one(p) for p in value.split(","))))


def is_cron(expr: str) -> bool:
    return expr.startswith("@") or len(expr.split()) == 5


def on_calendar(every: str) -> str:
    """The systemd OnCalendar= value for --every (daily|weekly|monthly, a cron line, or OnCalendar as is)."""
    if every in EVERY:
        return every
    if every.startswith("@"):
        if every[1:] in EVERY:
            return every[1:]
        raise AuditorError(f"--every {every!r}: unknown cron shortcut")
    fields = every.split()
    if len(fields) == 5:
        minute, hour, dom, mon, dow = fields
        date = f"*-{_cron_field_to_calendar(mon, 'month')}-{_cron_field_to_calendar(dom, 'dom')}"
        days = _cron_field_to_calendar(dow, "dow")
        time_ = f"{_cron_field_to_calendar(hour, 'hour')}:{_cron_field_to_calendar(minute, 'minute')}:00"
        return f"{days + ' ' if days else ''}{date} {time_}"
    return every


def cron_timing(every: str) -> str:
    if every in EVERY:
        return f"@{every}"
    if is_cron(every):
        return every
    raise AuditorError(f"--every {every!r}: with --cron give daily|weekly|monthly or a 5-field cron expression")


def check_calendar(expr: str) -> None:
    """Validate an OnCalendar expression with `systemd-analyze calendar` when it is installed."""
    tool = shutil.which("systemd-analyze")
    if tool is None:
        return
    proc = subprocess.run([tool, "calendar", expr], capture_output=True, text=True, timeout=20, check=False)  # noqa: S603
    if proc.returncode != 0:
        raise AuditorError(f"invalid OnCalendar expression {expr!r}: {proc.stderr.strip() or proc.stdout.strip()}")


# --- unit files -----------------------------------------------------------------------------------

def default_unit_dir() -> Path:
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path("~/.config").expanduser()) / "systemd" / "user"


def _systemd_quote(arg: str) -> str:
    escaped = arg.replace("%", "%%").replace("$", "$$")
    if escaped and not re.search(r'[\s"\'\\;]', escaped):
        return escaped
    return '"' + escaped.replace("\\", "\\\\").replace('"', '\\"') + '"'


def command_line(name: str, audit_args: Sequence[str], python: str | None = None) -> list[str]:
    return [python or sys.executable, "-m", "auditor", "audit", "--schedule", name, *audit_args]


def service_text(name: str, audit_args: Sequence[str], workdir: Path, config: Path | None = None,
                 python: str | None = None) -> str:
    lines = ["[Unit]", f"Description=auditor: scheduled compliance audit {name}",
             "After=network-online.target", "Wants=network-online.target", "",
             "[Service]", "Type=oneshot", f"WorkingDirectory={_systemd_quote(str(workdir))}"]
    if config is not None:
        lines.append(f"Environment={_systemd_quote('AUDITOR_CONFIG=' + str(config))}")
    lines += ["ExecStart=" + " ".join(_systemd_quote(a) for a in command_line(name, audit_args, python)),
              "SuccessExitStatus=1 3",  # violations / unreachable hosts are results, not unit failures
              "Nice=10", ""]
    return "\n".join(lines)


def timer_text(name: str, calendar: str) -> str:
    return "\n".join(["[Unit]", f"Description=auditor: timer for scheduled audit {name}", "",
                      "[Timer]", f"OnCalendar={calendar}", "Persistent=true", "RandomizedDelaySec=60",
                      f"Unit=auditor-{name}.service", "", "[Install]", "WantedBy=timers.target", ""])


def parse_unit(text: str) -> dict[str, dict[str, str]]:
    """Sections of a unit file -> key -> value (a small INI parser: systemd allows repeated keys)."""
    out: dict[str, dict[str, str]] = {}
    section = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = out.setdefault(line[1:-1], {})
            continue
        if section is None or "=" not in line:
            raise AuditorError(f"malformed unit line: {raw!r}")
        key, value = line.split("=", 1)
        section[key.strip()] = value.strip()
    return out


def cron_line(name: str, every: str, audit_args: Sequence[str], workdir: Path, config: Path | None = None,
              python: str | None = None) -> str:
    import shlex

    env = f"AUDITOR_CONFIG={shlex.quote(str(config))} " if config else ""
    cmd = " ".join(shlex.quote(a) for a in command_line(name, audit_args, python)).replace("%", "\\%")
    return f"{cron_timing(every)} cd {shlex.quote(str(workdir))} && {env}{cmd} {CRON_MARK}{name}"


def _read_crontab(file: Path | None) -> list[str]:
    if file is not None:
        return file.read_text(encoding="utf-8").splitlines() if file.exists() else []
    proc = subprocess.run(["crontab", "-l"], capture_output=True, text=True, check=False)  # noqa: S607
    return proc.stdout.splitlines() if proc.returncode == 0 else []


def _write_crontab(lines: list[str], file: Path | None) -> None:
    text = "\n".join(lines) + ("\n" if lines else "")
    if file is not None:
        file.write_text(text, encoding="utf-8")
        return
    proc = subprocess.run(["crontab", "-"], input=text, capture_output=True, text=True, check=False)  # noqa: S607
    if proc.returncode != 0:
        raise AuditorError(f"crontab: {proc.stderr.strip()}")


# --- commands -------------------------------------------------------------------------------------

def register(sub: Any) -> None:
    p = sub.add_parser("schedule", help="install, list or remove scheduled audits (systemd timer or cron)",
                       description="Periodic (định kỳ) audits run unattended by a systemd user timer or cron.")
    ssub = p.add_subparsers(dest="schedule_command", metavar="ACTION", required=True)
    inst = ssub.add_parser("install", help="write the service + timer (or a crontab line)",
                           description="Write auditor-NAME.service and auditor-NAME.timer; the service runs "
                                       "`auditor audit --schedule NAME AUDIT_OPTIONS`. Put audit options after --.")
    inst.add_argument("--name", required=True, metavar="NAME", help="schedule name (letters, digits, - and _)")
    inst.add_argument("--every", required=True, metavar="WHEN",
                      help="daily | weekly | monthly | a systemd OnCalendar expression | a 5-field cron expression")
    for q in (inst, ssub.add_parser("list", help="list installed schedules"),
              ssub.add_parser("remove", help="remove a schedule")):
        q.add_argument("--unit-dir", metavar="DIR", type=Path, default=None,
                       help="systemd unit directory (default: ~/.config/systemd/user)")
        q.add_argument("--cron", action="store_true", help="use the user's crontab instead of systemd")
        q.add_argument("--crontab-file", metavar="FILE", type=Path, default=None, help=argparse.SUPPRESS)
    inst.add_argument("--config", metavar="FILE", type=Path, default=None,
                      help="configuration file the scheduled audit uses (set as AUDITOR_CONFIG)")
    inst.add_argument("audit_args", nargs=argparse.REMAINDER, metavar="AUDIT_OPTIONS", help="options for `auditor audit`, after --")
    ssub.choices["remove"].add_argument("name", metavar="NAME")


def cmd_schedule(args: argparse.Namespace) -> int:
    return {"install": _install, "list": _list, "remove": _remove}[args.schedule_command](args)


def _install(args: argparse.Namespace) -> int:
    name = check_name(args.name)
    audit_args = list(args.audit_args)
    if audit_args[:1] == ["--"]:
        audit_args = audit_args[1:]
    if "--schedule" in audit_args or any(a.startswith("--schedule=") for a in audit_args):
        raise AuditorError("do not pass --schedule in the audit options: it is set to the schedule name")
    from .cli import build_parser  # late: cli imports this module

    try:
        build_parser().parse_args(["audit", *audit_args])
    except SystemExit as exc:
        raise AuditorError(f"invalid audit options: {' '.join(audit_args)}") from exc
    workdir = Path.cwd()
    config = args.config.resolve() if args.config else None
    if args.cron:
        lines = [ln for ln in _read_crontab(args.crontab_file) if not ln.endswith(f"{CRON_MARK}{name}")]
        line = cron_line(name, args.every, audit_args, workdir, config)
        _write_crontab([*lines, line], args.crontab_file)
        print(f"crontab line installed: {line}")
        return 0
    calendar = on_calendar(args.every)
    check_calendar(calendar)
    unit_dir = args.unit_dir or default_unit_dir()
    unit_dir.mkdir(parents=True, exist_ok=True)
    service, timer = unit_dir / f"auditor-{name}.service", unit_dir / f"auditor-{name}.timer"
    service.write_text(service_text(name, audit_args, workdir, config), encoding="utf-8")
    timer.write_text(timer_text(name, calendar), encoding="utf-8")
    print(f"written: {service}\nwritten: {timer}  (OnCalendar={calendar})")
    if args.unit_dir is None:
        print(f"enable with: systemctl --user daemon-reload && systemctl --user enable --now auditor-{name}.timer")
    return 0


def installed(unit_dir: Path) -> list[tuple[str, str, str]]:
    """(name, OnCalendar, ExecStart) of every auditor timer in the directory."""
    out = []
    for timer in sorted(unit_dir.glob("auditor-*.timer")):
        name = timer.name[len("auditor-"):-len(".timer")]
        calendar = parse_unit(timer.read_text(encoding="utf-8")).get("Timer", {}).get("OnCalendar", "?")
        service = timer.with_suffix(".service")
        exec_start = (parse_unit(service.read_text(encoding="utf-8")).get("Service", {}).get("ExecStart", "?")
                      if service.exists() else "(service missing)")
        out.append((name, calendar, exec_start))
    return out


def _list(args: argparse.Namespace) -> int:
    rows: list[tuple[str, str, str]] = []
    if args.cron:
        for ln in _read_crontab(args.crontab_file):
            if CRON_MARK in ln:
                rows.append((ln.rsplit(CRON_MARK, 1)[1], " ".join(ln.split()[:5]) if not ln.startswith("@")
                             else ln.split()[0], ln))
    else:
        rows = installed(args.unit_dir or default_unit_dir())
    if not rows:
        print("no schedule installed")
    for name, when, command in rows:
        info = holder(name)
        state = f"running ({_describe(info)})" if info is not None else "idle"
        print(f"{name:<20} {when:<30} {state}\n    {command}")
    return 0


def _remove(args: argparse.Namespace) -> int:
    name = check_name(args.name)
    if args.cron:
        lines = _read_crontab(args.crontab_file)
        kept = [ln for ln in lines if not ln.endswith(f"{CRON_MARK}{name}")]
        if len(kept) == len(lines):
            raise AuditorError(f"no crontab line for schedule {name!r}")
        _write_crontab(kept, args.crontab_file)
        print(f"crontab line of schedule {name!r} removed")
        return 0
    unit_dir = args.unit_dir or default_unit_dir()
    removed = [p for p in (unit_dir / f"auditor-{name}.timer", unit_dir / f"auditor-{name}.service") if p.exists()]
    if not removed:
        raise AuditorError(f"no schedule {name!r} in {unit_dir}")
    for p in removed:
        p.unlink()
        print(f"removed: {p}")
    if args.unit_dir is None:
        print(f"then: systemctl --user disable --now auditor-{name}.timer; systemctl --user daemon-reload")
    return 0
