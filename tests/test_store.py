"""The history store, on SQLite and on a real PostgreSQL server (the `db_url` fixture).

Round trip (audit -> show), configs stored once, history filters, prune, schema version, two
audits at once, and an audit killed mid-run.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from conftest import ROOT

from auditor.cli import main
from auditor.errors import AuditorError
from auditor.simulator import DeviceSpec, running_simulator
from auditor.store import SCHEMA_VERSION, Store, configs, host_results, runs, schema_version

SNAPSHOTS = ROOT / "inventory" / "snapshots"


def _audit(db: str, *extra: str) -> int:
    return main(["audit", "--inventory", str(ROOT / "inventory"), "--from-dir", str(SNAPSHOTS), "--no-progress",
                 "--db", db, *extra])


def _count(store: Store, table: sa.Table) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def test_audit_is_stored_and_show_renders_it_again(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert _audit(db_url, "--format", "json") == 1
    original = json.loads(capsys.readouterr().out)
    with Store(db_url) as store:
        (row, score, n), = store.runs()
        assert row.completed and row.status == "completed" and row.exit_code == 1 and n == 53
        assert row.id == original["run"]["id"] and row.policy_version == original["run"]["policy_version"]
        assert score == original["summary"]["score"]
        assert "@" in row.user
    assert main(["show", row.id[:12], "--db", db_url, "--format", "json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    for key in ("run", "summary", "fleet", "waivers"):
        assert shown[key] == original[key], key
    strip = ("seconds",)
    assert [{k: v for k, v in h.items() if k not in strip} for h in shown["hosts"]] == \
           [{k: v for k, v in h.items() if k not in strip} for h in original["hosts"]]
    assert main(["show", row.id, "--db", db_url, "--format", "text"]) == 0
    assert "Waived (approved exceptions" in capsys.readouterr().out


def test_configs_stored_once_redacted_and_history_filters(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert _audit(db_url) == 1
    assert _audit(db_url) == 1
    assert _audit(db_url, "--site", "SO-YT") == 1
    with Store(db_url) as store:
        assert _count(store, host_results) == 53 + 53 + 2
        assert _count(store, configs) == 53  # one per distinct content
        text = store.config_text(store.host_rows(store.runs()[0][0].id)[0].config_sha256)
        assert text is not None and "hostname" in text
        rows = store.runs(site=["SO-YT"])
        assert [n for _r, _s, n in rows] == [2, 2, 2]
        assert len({s for _r, s, _n in rows}) == 1
        assert store.version() == SCHEMA_VERSION
    capsys.readouterr()
    assert main(["history", "--db", db_url, "--site", "SO-YT", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert len(listed) == 3 and all(r["hosts"] == 2 for r in listed)
    assert listed[0]["scope"] == {"sites": ["SO-YT"]}


def test_prune_keeps_every_run_summary(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert _audit(db_url) == 1
    with Store(db_url) as store:
        run_id = store.runs()[0][0].id
        before = store.runs()[0][1]
    assert main(["prune", "--db", db_url, "--keep-days", "0"]) == 0
    assert "pruned 1 run(s)" in capsys.readouterr().out
    with Store(db_url) as store:
        (row, score, n), = store.runs()
        assert row.pruned and score == before and n == 53 and row.summary["hosts"] == 53
        assert _count(store, configs) == 0
        with pytest.raises(AuditorError, match="pruned"):
            store.load_run(run_id)
    assert main(["history", "--db", db_url]) == 0
    assert run_id in capsys.readouterr().out


def test_newer_schema_is_refused(db_url: str) -> None:
    with Store(db_url) as store, store.engine.begin() as conn:
        conn.execute(schema_version.update().values(version=SCHEMA_VERSION + 1))
    with pytest.raises(AuditorError, match="newer"):
        Store(db_url)


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "auditor", *args], cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, **(env or {})})


def test_two_audits_at_once_both_land(db_url: str) -> None:
    procs = [_cli("audit", "--from-dir", str(SNAPSHOTS), "--no-progress", "--db", db_url, "--workers", "4")
             for _ in range(2)]
    procs.append(_cli("audit", "--from-dir", str(SNAPSHOTS), "--no-progress", "--db", db_url, "--site", "SO-YT"))
    for p in procs:
        _out, err = p.communicate(timeout=180)
        assert p.returncode == 1, err
    with Store(db_url) as store:
        rows = store.runs()
        assert len(rows) == 3 and all(r.completed for r, _s, _n in rows)
        assert sorted(n for _r, _s, n in rows) == [2, 53, 53]


def test_killed_audit_is_incomplete_and_earlier_runs_intact(db_url: str, tmp_path: Path) -> None:
    assert _audit(db_url) == 1
    text = (ROOT / "tests" / "fixtures" / "simulator" / "cisco_ios.cfg").read_text(encoding="utf-8")
    specs = [DeviceSpec(f"ok{i}", "cisco_ios", text) for i in range(3)]
    specs += [DeviceSpec(f"stall{i}", "cisco_ios", text, fault="stall") for i in range(3)]
    with running_simulator(specs) as sim:
        import yaml

        inv = tmp_path / "inv"
        inv.mkdir()
        hosts: dict[str, Any] = {}
        for i, spec in enumerate(specs):
            address, port = sim.endpoints[spec.name]
            hosts[spec.name] = {"hostname": address, "port": port, "platform": "cisco_ios",
                                "data": {"site": f"S{i}", "agency": "UBND xã thử", "tier": "commune",
                                         "role": "wan-edge", "level": 3}}
        (inv / "hosts.yaml").write_text(yaml.safe_dump(hosts), encoding="utf-8")
        (inv / "groups.yaml").write_text("{}\n", encoding="utf-8")
        (inv / "defaults.yaml").write_text("{}\n", encoding="utf-8")
        (inv / "known_hosts").write_text("".join(x + "\n" for x in sim.known_hosts_lines()), encoding="utf-8")
        proc = _cli("audit", "--inventory", str(inv), "--known-hosts", str(inv / "known_hosts"), "--db", db_url,
                    "--no-progress", "--timeout", "30", "--retries", "0", "--workers", "6",
                    "--output", str(tmp_path / "out"),
                    env={"AUDITOR_USERNAME": "auditor", "AUDITOR_PASSWORD": "auditor", "AUDITOR_SECRET": "enable"}
                    | _sim_login())
        try:
            deadline = time.monotonic() + 60
            with Store(db_url) as store:
                while time.monotonic() < deadline:
                    live = [r for r, _s, _n in store.runs() if r.source == "live"]
                    if live and len(store.host_rows(live[0].id)) >= 3:
                        break
                    assert proc.poll() is None, proc.communicate()
                    time.sleep(0.2)
                else:
                    pytest.fail("the ok hosts never landed in the store")
            proc.send_signal(signal.SIGTERM)
            _out, err = proc.communicate(timeout=20)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == 130, err
    assert "marked incomplete" in err
    with Store(db_url) as store:  # opens fine: nothing corrupt
        rows = store.runs()
        assert len(rows) == 2
        killed = next(r for r, _s, _n in rows if r.source == "live")
        earlier = next(r for r, _s, _n in rows if r.source == "snapshot")
        assert not killed.completed and killed.status == "interrupted" and killed.exit_code is None
        assert {h.host for h in store.host_rows(killed.id)} == {"ok0", "ok1", "ok2"}
        assert earlier.completed and len(store.host_rows(earlier.id)) == 53
        assert store.load_run(earlier.id)[1].hosts[0].controls
        if store.dialect == "sqlite":
            with store.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
                assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        with store.engine.connect() as conn:
            assert conn.execute(sa.select(sa.func.count()).select_from(runs)).scalar_one() == 2


def _sim_login() -> dict[str, str]:
    from auditor.simulator import DEFAULT_PASSWORD, DEFAULT_SECRET, DEFAULT_USERNAME

    return {"AUDITOR_USERNAME": DEFAULT_USERNAME, "AUDITOR_PASSWORD": DEFAULT_PASSWORD,
            "AUDITOR_SECRET": DEFAULT_SECRET}
