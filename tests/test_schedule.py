"""Schedules: unit files (systemd-analyze verify), crontab lines, and the non-overlap lock with real processes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT

from auditor.cli import main
from auditor.schedule import holder, on_calendar, parse_unit, schedule_lock

SNAPSHOTS = ROOT / "inventory" / "snapshots"
HOST = "dbn-so-xd-rtr01"


def test_install_list_remove_systemd_units(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    units = tmp_path / "units"
    assert main(["schedule", "install", "--name", "nightly", "--every", "30 2 * * 1-5", "--unit-dir", str(units),
                 "--", "--from-dir", str(SNAPSHOTS), "--areas", "management,snmp"]) == 0
    service, timer = units / "auditor-nightly.service", units / "auditor-nightly.timer"
    s, t = parse_unit(service.read_text()), parse_unit(timer.read_text())
    assert s["Service"]["Type"] == "oneshot"
    exec_start = s["Service"]["ExecStart"].split()
    assert exec_start[0] == sys.executable and exec_start[1:6] == ["-m", "auditor", "audit", "--schedule", "nightly"]
    assert exec_start[6:] == ["--from-dir", str(SNAPSHOTS), "--areas", "management,snmp"]
    assert t["Timer"]["OnCalendar"] == "Mon..Fri *-*-* 2:30:00" and t["Timer"]["Unit"] == "auditor-nightly.service"
    assert t["Install"]["WantedBy"] == "timers.target"
    if shutil.which("systemd-analyze"):
        proc = subprocess.run(["systemd-analyze", "verify", str(service), str(timer)], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
    capsys.readouterr()
    assert main(["schedule", "list", "--unit-dir", str(units)]) == 0
    out = capsys.readouterr().out
    assert "nightly" in out and "Mon..Fri" in out and "idle" in out
    assert main(["schedule", "remove", "nightly", "--unit-dir", str(units)]) == 0
    assert not service.exists() and not timer.exists()
    assert main(["schedule", "remove", "nightly", "--unit-dir", str(units)]) == 2


def test_install_rejects_bad_input(tmp_path: Path) -> None:
    units = str(tmp_path)
    assert main(["schedule", "install", "--name", "bad name", "--every", "daily", "--unit-dir", units]) == 2
    assert main(["schedule", "install", "--name", "x", "--every", "daily", "--unit-dir", units, "--", "--nope"]) == 2
    assert main(["schedule", "install", "--name", "x", "--every", "daily", "--unit-dir", units,
                 "--", "--schedule", "y"]) == 2
    if shutil.which("systemd-analyze"):
        assert main(["schedule", "install", "--name", "x", "--every", "fortnightly", "--unit-dir", units]) == 2
    assert not list(tmp_path.iterdir())


def test_cron_lines(tmp_path: Path) -> None:
    crontab = tmp_path / "crontab"
    crontab.write_text("0 1 * * * /usr/bin/true\n")
    common = ["--cron", "--crontab-file", str(crontab)]
    assert main(["schedule", "install", "--name", "weekly", "--every", "weekly", *common, "--", "--tier", "commune"]) == 0
    assert main(["schedule", "install", "--name", "weekly", "--every", "0 3 * * 0", *common]) == 0  # replaces
    lines = crontab.read_text().splitlines()
    assert lines[0] == "0 1 * * * /usr/bin/true" and len(lines) == 2
    assert lines[1].startswith("0 3 * * 0 cd ") and lines[1].endswith("# auditor-schedule:weekly")
    assert "audit --schedule weekly" in lines[1]
    assert main(["schedule", "remove", "weekly", *common]) == 0
    assert crontab.read_text().splitlines() == ["0 1 * * * /usr/bin/true"]


@pytest.mark.parametrize(("cron", "calendar"), [
    ("daily", "daily"), ("@weekly", "weekly"), ("*/15 * * * *", "*-*-* *:0/15:00"),
    ("0 6 1 * *", "*-*-1 6:0:00"), ("0 22 * * 0,6", "Sun,Sat *-*-* 22:0:00")])
def test_cron_expressions_become_on_calendar(cron: str, calendar: str) -> None:
    assert on_calendar(cron) == calendar
    if shutil.which("systemd-analyze") and " " in calendar:
        assert subprocess.run(["systemd-analyze", "calendar", calendar], capture_output=True).returncode == 0


def test_lock_is_exclusive_and_released(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUDITOR_LOCK_DIR", str(tmp_path))
    assert holder("n") is None
    with schedule_lock("n"):
        info = holder("n")
        assert info is not None and info["pid"] == os.getpid()
    assert holder("n") is None


def _audit_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "auditor", "audit", "--inventory", str(ROOT / "inventory"),
            "--policies", str(ROOT / "policies"), "--host", HOST, "--no-progress", *args]


def test_a_schedule_never_overlaps_itself_while_others_run(tmp_path: Path) -> None:
    """The first run blocks reading its config from a FIFO: it is 'still running' until the test writes it."""
    env = {**os.environ, "AUDITOR_LOCK_DIR": str(tmp_path / "locks"), "AUDITOR_DB": str(tmp_path / "h.db")}
    slow = tmp_path / "slow"
    slow.mkdir()
    os.mkfifo(slow / f"{HOST}.cfg")
    out = tmp_path / "out"
    first = subprocess.Popen(_audit_cmd("--schedule", "nightly", "--from-dir", str(slow), "--output", str(out)),
                             cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    waiter = None
    try:
        deadline = time.monotonic() + 30
        while not (tmp_path / "locks" / "schedule-nightly.lock").exists() or \
                not (tmp_path / "locks" / "schedule-nightly.lock").read_text():
            assert time.monotonic() < deadline and first.poll() is None
            time.sleep(0.05)
        second = subprocess.run(_audit_cmd("--schedule", "nightly", "--from-dir", str(SNAPSHOTS), "--output", str(out)),
                                cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
        assert second.returncode == 3
        assert "already running" in second.stderr and f"PID {first.pid}" in second.stderr
        # an ad-hoc audit and another schedule run meanwhile, and are stored
        adhoc = subprocess.run(_audit_cmd("--from-dir", str(SNAPSHOTS)), cwd=ROOT, env=env, capture_output=True,
                               text=True, timeout=60)
        assert adhoc.returncode == 1, adhoc.stderr
        other = subprocess.run(_audit_cmd("--schedule", "weekly", "--from-dir", str(SNAPSHOTS), "--output",
                                          str(tmp_path / "weekly")), cwd=ROOT, env=env, capture_output=True, text=True,
                               timeout=60)
        assert other.returncode == 1, other.stderr
        assert first.poll() is None
        waiter = subprocess.Popen(_audit_cmd("--schedule", "nightly", "--wait", "--from-dir", str(SNAPSHOTS),
                                             "--output", str(out)),
                                  cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert waiter.stderr is not None
        assert "waiting for it to finish" in waiter.stderr.readline()
        assert waiter.poll() is None  # waiting for the first run
        (slow / f"{HOST}.cfg").write_bytes((SNAPSHOTS / f"{HOST}.cfg").read_bytes())  # releases the first run
        _o1, e1 = first.communicate(timeout=60)
        assert first.returncode == 1, e1
        _o2, e2 = waiter.communicate(timeout=60)
        assert waiter.returncode == 1, e2
    finally:
        for p in (first, waiter):
            if p is not None and p.poll() is None:
                p.kill()
    runs = sorted(p.name for p in out.iterdir())
    assert len(runs) == 3 and "latest" in runs  # two timestamped run directories + latest
    latest = (out / "latest").resolve()
    assert (latest / "report.json").exists() and latest.parent == out.resolve()
    history = subprocess.run([sys.executable, "-m", "auditor", "history", "--format", "json"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=60)
    import json
    stored = json.loads(history.stdout)
    assert len(stored) == 4 and all(r["completed"] for r in stored)  # nightly x2, weekly, ad-hoc
    # structured log lines for the scheduled runs (stderr -> journald)
    assert "event=host" in e2 and "event=run" in e2 and "schedule=nightly" in e2
