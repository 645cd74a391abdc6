"""Live collection over SSH: Nornir + netmiko against the simulator (real SSH servers on 127.0.0.1).

Covers collection on every platform, every fault kind, host-key verification, credentials, saved
snapshots, and that a live audit gives exactly the verdicts of `--from-dir` on the same configs.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT

from auditor.catalogue import Catalogue
from auditor.cli import main
from auditor.errors import CollectionError
from auditor.inventory import Filters, load_inventory
from auditor.live import Credentials, LiveSource, Login, SshOptions
from auditor.models import AuditRun
from auditor.platforms import get_platform, known_platforms
from auditor.policy import Policy
from auditor.runner import audit_inventory
from auditor.simulator import DEFAULT_PASSWORD, DEFAULT_SECRET, DEFAULT_USERNAME, DeviceSpec, running_simulator

SIM_FIXTURES = Path(__file__).parent / "fixtures" / "simulator"
PLATFORMS = [p for p in known_platforms() if (SIM_FIXTURES / f"{p}.cfg").exists()]
LOGIN = Login(DEFAULT_USERNAME, DEFAULT_PASSWORD, DEFAULT_SECRET)
FAST = {"conn_timeout": 2.0, "read_timeout": 8.0, "retries": 1, "backoff": 0.05}


def _inventory(directory: Path, sim: Any, specs: list[DeviceSpec], known_hosts: list[str] | None = None) -> Path:
    hosts = {}
    for i, spec in enumerate(specs):
        address, port = sim.endpoints[spec.name]
        hosts[spec.name] = {"hostname": address, "port": port, "platform": spec.platform, "groups": ["commune"],
                            "data": {"site": f"S{i}", "agency": "UBND xã thử", "role": "wan-edge", "level": 3}}
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "hosts.yaml").write_text(yaml.safe_dump(hosts, allow_unicode=True), encoding="utf-8")
    (directory / "groups.yaml").write_text("commune:\n  data:\n    tier: commune\n", encoding="utf-8")
    (directory / "defaults.yaml").write_text("data: {tags: [test]}\n", encoding="utf-8")
    lines = sim.known_hosts_lines() if known_hosts is None else known_hosts
    (directory / "known_hosts").write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return directory


def _audit(inv_dir: Path, policy: Policy, catalogue: Catalogue, save_to: Path | None = None,
           credentials: Credentials | None = None, **options: Any) -> AuditRun:
    opts = {**FAST, "known_hosts": inv_dir / "known_hosts", **options}
    source = LiveSource(credentials or Credentials(LOGIN), SshOptions(**opts))
    return audit_inventory(load_inventory(inv_dir), Filters(), source, policy, catalogue, workers=8, save_to=save_to,
                           host_key_policy=source.options.host_key_policy)


@pytest.fixture
def five(tmp_path: Path) -> Iterator[tuple[Any, list[DeviceSpec], Path]]:
    specs = []
    for platform in PLATFORMS:
        text = (SIM_FIXTURES / f"{platform}.cfg").read_text(encoding="utf-8")
        set_path = SIM_FIXTURES / f"{platform}.set.cfg"
        set_text = set_path.read_text(encoding="utf-8") if set_path.exists() else None
        specs.append(DeviceSpec(f"dev-{platform.replace('_', '-')}", platform, text, set_text))
    with running_simulator(specs) as sim:
        yield sim, specs, _inventory(tmp_path / "inv", sim, specs)


def test_collects_every_platform_and_saves_redacted_snapshots(
        five: tuple[Any, list[DeviceSpec], Path], policy: Policy, catalogue: Catalogue, tmp_path: Path) -> None:
    _sim, specs, inv = five
    saved = tmp_path / "snapshots"
    run = _audit(inv, policy, catalogue, save_to=saved)
    assert run.run.source == "live" and run.run.host_key_verification == "known_hosts"
    by_name = {r.host.name: r for r in run.hosts}
    for spec in specs:
        result = by_name[spec.name]
        assert result.ok, result.error
        path = saved / f"{spec.name}.cfg"
        # what was collected is the device's config, byte for byte, stored with secrets redacted
        assert path.read_text(encoding="utf-8").rstrip() == \
            get_platform(spec.platform).redact_config(spec.config_text).rstrip()
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_each_fault_gives_its_reason_and_the_others_are_audited(
        tmp_path: Path, policy: Policy, catalogue: Catalogue) -> None:
    text = (SIM_FIXTURES / "cisco_ios.cfg").read_text(encoding="utf-8")
    faults = {"ok1": None, "auth": "auth", "refused": "refused", "stall": "stall", "disconnect": "disconnect",
              "slow": "slow", "garbage": "garbage", "ok2": None}
    specs = [DeviceSpec(name, "cisco_ios", text, fault=fault) for name, fault in faults.items()]
    with running_simulator(specs) as sim:
        inv = _inventory(tmp_path / "inv", sim, specs)
        started = time.monotonic()
        run = _audit(inv, policy, catalogue)
        elapsed = time.monotonic() - started
    errors = {r.host.name: r.error for r in run.hosts if not r.ok}
    assert {r.host.name for r in run.hosts if r.ok} == {"ok1", "ok2", "slow"}
    assert "authentication failed" in errors["auth"]
    assert "after" not in errors["auth"]  # authentication failures are never retried
    assert "unreachable: connection refused after 2 attempts" in errors["refused"]
    assert "timeout: no prompt within 4 s" in errors["stall"]
    assert "disconnected mid output" in errors["disconnect"]
    assert "not a Cisco IOS configuration" in errors["garbage"]
    assert elapsed < 40  # the stalled device is cut off at the login deadline, not waited for
    assert main(["--help"]) == 0  # sanity: the CLI module imports with live support


def test_host_keys_unknown_changed_trusted_and_disabled(
        tmp_path: Path, policy: Policy, catalogue: Catalogue) -> None:
    text = (SIM_FIXTURES / "cisco_ios.cfg").read_text(encoding="utf-8")
    specs = [DeviceSpec("r1", "cisco_ios", text), DeviceSpec("r2", "cisco_ios", text)]
    with running_simulator(specs) as sim:
        good = sim.known_hosts_lines()
        # unknown: an empty known_hosts
        inv = _inventory(tmp_path / "inv", sim, specs, known_hosts=[])
        run = _audit(inv, policy, catalogue)
        assert all("unknown host key" in (r.error or "") for r in run.hosts)
        # trust on first use records the keys, then verifies them
        run = _audit(inv, policy, catalogue, trust_on_first_use=True)
        assert all(r.ok for r in run.hosts), [r.error for r in run.hosts]
        recorded = (inv / "known_hosts").read_text(encoding="utf-8").splitlines()
        assert sorted(recorded) == sorted(good)
        assert run.run.host_key_verification == "trust-on-first-use"
        # changed: r1's entry carries r2's key
        r1, r2 = (line for line in good)
        swapped = [r1.split()[0] + " " + " ".join(r2.split()[1:]), r2]
        inv2 = _inventory(tmp_path / "inv2", sim, specs, known_hosts=swapped)
        run = _audit(inv2, policy, catalogue, trust_on_first_use=True)
        errors = {r.host.name: r.error for r in run.hosts}
        assert errors["r2"] is None
        assert "host key" in (errors["r1"] or "") and "mismatch" in (errors["r1"] or "")
        # disabled: no verification at all, and the run says so
        run = _audit(inv2, policy, catalogue, verify_host_keys=False)
        assert all(r.ok for r in run.hosts)
        assert run.run.host_key_verification == "disabled"


def test_credentials_file(tmp_path: Path, policy: Policy, catalogue: Catalogue) -> None:
    path = tmp_path / "creds.yaml"
    path.write_text(yaml.safe_dump({"default": {"username": "x", "password": "wrong"},
                                    "groups": {"commune": {"username": DEFAULT_USERNAME,
                                                           "password": DEFAULT_PASSWORD,
                                                           "secret": DEFAULT_SECRET}}}), encoding="utf-8")
    path.chmod(0o644)
    with pytest.raises(CollectionError, match="readable by others"):
        Credentials.from_file(path, {})
    path.chmod(0o600)
    creds = Credentials.from_file(path, {})
    assert creds.for_host("r1", ["commune"]).username == DEFAULT_USERNAME
    assert creds.for_host("r1", []).password == "wrong"
    text = (SIM_FIXTURES / "cisco_ios.cfg").read_text(encoding="utf-8")
    specs = [DeviceSpec("r1", "cisco_ios", text)]
    with running_simulator(specs) as sim:
        inv = _inventory(tmp_path / "inv", sim, specs)
        run = _audit(inv, policy, catalogue, credentials=creds)
        assert run.hosts[0].ok, run.hosts[0].error
    assert Credentials.from_env({}).default is None
    assert Credentials.from_env({"AUDITOR_USERNAME": "u", "AUDITOR_PASSWORD": "p"}).for_host("r", []).username == "u"


def test_live_audit_of_the_sample_equals_the_snapshot_audit(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`auditor simulate` + `auditor audit` live over SSH gives exactly the --from-dir verdicts."""
    inventory, snapshots = ROOT / "inventory", ROOT / "inventory" / "snapshots"
    sim_inv = tmp_path / "sim-inventory"
    proc = subprocess.Popen(
        [sys.executable, "-m", "auditor", "simulate", "--from-dir", str(snapshots), "--inventory", str(inventory),
         "--write-inventory", str(sim_inv)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert proc.stdout is not None
        ready = proc.stdout.readline()
        assert "devices listening on 127.0.0.1" in ready, ready + (proc.stderr.read() if proc.stderr else "")
        env = {"AUDITOR_USERNAME": DEFAULT_USERNAME, "AUDITOR_PASSWORD": DEFAULT_PASSWORD,
               "AUDITOR_SECRET": DEFAULT_SECRET}
        old = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        try:
            live_out = tmp_path / "live"
            code = main(["audit", "--inventory", str(sim_inv), "--known-hosts", str(sim_inv / "known_hosts"),
                         "--format", "json", "--output", str(live_out), "--no-progress", "--workers", "20"])
        finally:
            for k, v in old.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    assert code == 1
    snap_out = tmp_path / "snap"
    assert main(["audit", "--inventory", str(inventory), "--from-dir", str(snapshots), "--format", "json",
                 "--output", str(snap_out), "--no-progress"]) == 1
    capsys.readouterr()
    live = json.loads((live_out / "report.json").read_text(encoding="utf-8"))
    snap = json.loads((snap_out / "report.json").read_text(encoding="utf-8"))

    def verdicts(report: dict[str, Any]) -> dict[str, dict[str, str]]:
        return {h["name"]: {c["control"]: c["status"] for c in h["controls"]} for h in report["hosts"]}

    assert live["run"]["source"] == "live" and live["run"]["host_key_verification"] == "known_hosts"
    assert all(h["status"] == "ok" for h in live["hosts"]), [h["error"] for h in live["hosts"] if h["error"]]
    assert verdicts(live) == verdicts(snap)
    assert all(h["seconds"] > 0 for h in live["hosts"])
    # the saved (redacted) configs audit exactly like the originals
    assert main(["audit", "--inventory", str(inventory), "--from-dir", str(live_out / "snapshots"),
                 "--format", "json", "--no-progress"]) == 1
    again = json.loads(capsys.readouterr().out)
    assert verdicts(again) == verdicts(snap)


def test_live_audit_without_credentials_or_known_hosts_is_a_usage_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AUDITOR_USERNAME", "AUDITOR_PASSWORD", "AUDITOR_SECRET", "AUDITOR_CREDENTIALS"):
        monkeypatch.delenv(name, raising=False)
    inventory = str(ROOT / "inventory")
    assert main(["audit", "--inventory", inventory, "--no-progress"]) == 2
    assert "no credentials" in capsys.readouterr().err
    monkeypatch.setenv("AUDITOR_USERNAME", "u")
    monkeypatch.setenv("AUDITOR_PASSWORD", "p")
    assert main(["audit", "--inventory", inventory, "--known-hosts", str(tmp_path / "none"), "--no-progress"]) == 2
    assert "known_hosts file not found" in capsys.readouterr().err
