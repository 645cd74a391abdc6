"""Live benchmark: N simulated devices collected and audited over SSH, against plain Nornir + netmiko.

    python -m bench.live --devices 200 --workers 20

The devices serve the sample network's configs (cycled to N, all platforms the sample uses) on
127.0.0.1. Both runs happen in this process against the same devices: first the baseline, plain
Nornir with nornir-netmiko's `netmiko_send_command` (netmiko defaults, host keys verified), then
the full audit (collect, parse, evaluate every rule, fleet checks, JSON report). Each is repeated
`--reps` times; medians are quoted, with the ratio full / plain.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml
from nornir import InitNornir
from nornir.core.inventory import ConnectionOptions
from nornir_netmiko.tasks import netmiko_send_command

from auditor.catalogue import load_catalogue
from auditor.inventory import Filters, load_inventory
from auditor.live import Credentials, LiveSource, Login, SshOptions
from auditor.platforms import get_platform, known_platforms
from auditor.policy import load_policy
from auditor.reports import json_report
from auditor.runner import Progress, audit_inventory
from auditor.simulator import DEFAULT_PASSWORD, DEFAULT_SECRET, DEFAULT_USERNAME, DeviceSpec, running_simulator

ROOT = Path(__file__).resolve().parents[1]


def _specs(count: int) -> tuple[list[DeviceSpec], dict[str, dict[str, Any]]]:
    """`count` devices cycling through the sample's hosts, with inventory entries for them."""
    inventory = load_inventory(ROOT / "inventory")
    sample = [h for h in inventory.hosts.values() if h.platform in known_platforms()]
    specs, hosts = [], {}
    for i in range(count):
        h = sample[i % len(sample)]
        name = f"{h.name}-{i:03d}"
        text = (ROOT / "inventory" / "snapshots" / f"{h.name}.cfg").read_text(encoding="utf-8")
        specs.append(DeviceSpec(name, h.platform, text))
        data = {k: v for k, v in h.data.items() if k not in ("management_address", "management_port")}
        data["site"] = f"{data['site']}-{i:03d}"
        data.pop("allocated_prefixes", None)  # copies would overlap: FLEET-01 is not what is measured
        hosts[name] = {"platform": h.platform, "data": data}
    return specs, hosts


def _write_inventory(directory: Path, hosts: dict[str, dict[str, Any]], sim: Any) -> None:
    for name, entry in hosts.items():
        entry["hostname"], entry["port"] = sim.endpoints[name]
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "hosts.yaml").write_text(yaml.safe_dump(hosts, allow_unicode=True), encoding="utf-8")
    (directory / "groups.yaml").write_text("bench:\n  data: {tags: [bench]}\n", encoding="utf-8")
    (directory / "defaults.yaml").write_text("data: {report_lang: vi}\n", encoding="utf-8")
    (directory / "known_hosts").write_text("".join(line + "\n" for line in sim.known_hosts_lines()), encoding="utf-8")


def _plain(inv: Path, workers: int) -> tuple[float, int]:
    """Plain Nornir + netmiko: the config command on every host, nothing else."""
    nr = InitNornir(
        runner={"plugin": "threaded", "options": {"num_workers": workers}},
        inventory={"plugin": "SimpleInventory", "options": {
            "host_file": str(inv / "hosts.yaml"), "group_file": str(inv / "groups.yaml"),
            "defaults_file": str(inv / "defaults.yaml")}},
        logging={"enabled": False},
    )
    extras = {"secret": DEFAULT_SECRET, "ssh_strict": True, "system_host_keys": False, "alt_host_keys": True,
              "alt_key_file": str(inv / "known_hosts")}
    for host in nr.inventory.hosts.values():
        platform = get_platform(host.platform)
        host.username, host.password = DEFAULT_USERNAME, DEFAULT_PASSWORD
        host.connection_options["netmiko"] = ConnectionOptions(platform=platform.netmiko_device_type, extras=extras)
    started = time.perf_counter()
    result = nr.run(task=_collect)
    elapsed = time.perf_counter() - started
    nr.close_connections()
    return elapsed, sum(1 for r in result.values() if not r.failed)


def _collect(task: Any) -> Any:
    platform = get_platform(task.host.platform)
    return task.run(task=netmiko_send_command, command_string=platform.show_config_command, enable=platform.enable)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.live", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--devices", type=int, default=200)
    ap.add_argument("--workers", type=int, default=20)
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args(argv)
    logging.getLogger("nornir").setLevel(logging.CRITICAL)
    catalogue = load_catalogue()
    policy = load_policy(ROOT / "policies", catalogue)
    specs, hosts = _specs(args.devices)
    mix: dict[str, int] = {}
    for s in specs:
        mix[s.platform] = mix.get(s.platform, 0) + 1
    plain_times: list[float] = []
    full_times: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-live-") as tmp, running_simulator(specs, shared_host_key=True) as sim:
        inv = Path(tmp) / "inventory"
        _write_inventory(inv, hosts, sim)
        inventory = load_inventory(inv)
        source = LiveSource(Credentials(Login(DEFAULT_USERNAME, DEFAULT_PASSWORD, DEFAULT_SECRET)),
                            SshOptions(known_hosts=inv / "known_hosts", max_new_connections=args.workers))
        for _ in range(args.reps):
            elapsed, ok = _plain(inv, args.workers)
            assert ok == args.devices, f"plain collection: only {ok} of {args.devices} hosts"
            plain_times.append(elapsed)
            started = time.perf_counter()
            run = audit_inventory(inventory, Filters(), source, policy, catalogue, workers=args.workers,
                                  progress=Progress(args.devices, enabled=False))
            json_report.render(run)
            full_times.append(time.perf_counter() - started)
            failed = [r.error for r in run.hosts if not r.ok]
            assert not failed, failed[:3]
    plain, full = statistics.median(plain_times), statistics.median(full_times)
    print(f"devices: {args.devices} ({', '.join(f'{k} {v}' for k, v in sorted(mix.items()))}), "
          f"workers: {args.workers}, reps: {args.reps}")
    print(f"plain Nornir + netmiko collection: {plain:6.2f} s  {args.devices / plain:6.1f} devices/s")
    print(f"full audit (collect+parse+rules):  {full:6.2f} s  {args.devices / full:6.1f} devices/s")
    print(f"full / plain: {full / plain:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
