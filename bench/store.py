"""Benchmark: store a 10,000-host run (50 controls each) in the history database.

    python -m bench.store [--hosts 10000] [--controls 50] [--db PATH|URL]

Each host is streamed in its own transaction, as during an audit (verdicts, failing findings with
evidence, a distinct ~8 KB redacted config), then the run is completed. Target: < 20 s on SQLite.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from auditor.models import AuditRun, ControlVerdict, Evidence, Finding, HostInfo, HostResult, RunInfo, Severity, Status
from auditor.store import Store

SEVERITIES = list(Severity)


def make_host(i: int, controls: int) -> tuple[HostResult, str]:
    info = HostInfo(f"dbn-host-{i:05d}", "cisco_ios", {"site": f"SITE-{i % 400}", "agency": f"Đơn vị {i % 400}",
                                                        "tier": "commune", "role": "wan-edge", "level": 3})
    verdicts, findings = [], []
    for c in range(controls):
        status = Status.FAIL if (i + c) % 7 == 0 else Status.PASS
        sev = SEVERITIES[c % 4]
        verdicts.append(ControlVerdict(f"CTL-{c:02d}", status, sev))
        if status == Status.FAIL:
            findings.append(Finding(f"CTL-{c:02d}", f"rule-{c}", status, sev, "Không đạt yêu cầu",
                                    (Evidence(10 + c, f"line {c} of host {i}"),), "fix it"))
    config = "".join(f"interface GigabitEthernet0/{n}\n description host {i} port {n}\n" for n in range(150))
    return HostResult(info, "ok", None, tuple(verdicts), tuple(findings), 300, 0.01), config


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hosts", type=int, default=10_000)
    ap.add_argument("--controls", type=int, default=50)
    ap.add_argument("--db", help="database (default: a fresh SQLite file in a temp dir)")
    args = ap.parse_args(argv)
    hosts = [make_host(i, args.controls) for i in range(args.hosts)]
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or str(Path(tmp) / "bench.db")
        with Store(db) as store:
            info = RunInfo("bench-" + str(int(time.time())), "2026-01-01T00:00:00+00:00", "2026-01-01T00:10:00+00:00",
                           "bench", "snapshot")
            started = time.perf_counter()
            rec = store.begin_run(info, {})
            for result, config in hosts:
                rec.add_host(result, config)
            rec.finish(AuditRun(info, tuple(r for r, _c in hosts)), 1)
            elapsed = time.perf_counter() - started
    rows = args.hosts * args.controls
    print(f"stored {args.hosts} hosts x {args.controls} controls ({rows} verdicts) in {elapsed:.1f} s "
          f"({args.hosts / elapsed:.0f} hosts/s)")
    return 0 if elapsed < 20 or args.db else 1


if __name__ == "__main__":
    sys.exit(main())
