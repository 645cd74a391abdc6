"""HTML report at scale: 2,000 synthetic hosts built from the sample network's results; prints the
file size and Chromium's load time (median of N). Budget: under 15 MB, opens in under 5 s.

    .venv/bin/python -m bench.html [--hosts 2000] [--reps 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from auditor.catalogue import load_catalogue
from auditor.collect import SnapshotSource
from auditor.inventory import Filters, load_inventory
from auditor.models import AuditRun, HostResult
from auditor.policy import load_policy
from auditor.reports import render, write_private
from bench.cdp import Chromium

ROOT = Path(__file__).resolve().parents[1]
SIZE_BUDGET = 15 * 1024 * 1024
LOAD_BUDGET = 5.0


def synthetic_run(hosts: int) -> AuditRun:
    from auditor.runner import audit_inventory

    catalogue = load_catalogue()
    policy = load_policy(ROOT / "policies", catalogue)
    inventory = load_inventory(ROOT / "inventory")
    base = audit_inventory(inventory, Filters(), SnapshotSource(ROOT / "inventory" / "snapshots"), policy, catalogue,
                           workers=8)
    out: list[HostResult] = []
    for i in range(hosts):
        r = base.hosts[i % len(base.hosts)]
        copy = i // len(base.hosts)
        data = dict(r.host.data)
        if copy:
            data["agency"] = f"{data.get('agency')} ({copy + 1})"
        out.append(replace(r, host=replace(r.host, name=f"{r.host.name}-{copy:02d}", data=data)))
    return replace(base, hosts=tuple(out))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hosts", type=int, default=2000)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--lang", default="vi")
    args = parser.parse_args()
    run = synthetic_run(args.hosts)
    catalogue = load_catalogue()
    started = time.perf_counter()
    page = render(run, catalogue, "html", args.lang)
    render_s = time.perf_counter() - started
    assert isinstance(page, str)
    with tempfile.TemporaryDirectory(prefix="bench-html-") as tmp:
        path = Path(tmp) / "report.html"
        write_private(path, page)
        size = path.stat().st_size
        times = []
        with Chromium() as browser:
            for _ in range(args.reps):
                times.append(browser.load(path))
                in_dom = browser.eval("document.querySelectorAll('article.host').length")
                assert in_dom == args.hosts, in_dom
                browser.send("Page.navigate", url="about:blank")
                browser.wait_event("Page.loadEventFired")
    median = statistics.median(times)
    print(f"hosts: {args.hosts}  render: {render_s:.2f} s  size: {size / 1024 / 1024:.2f} MB "
          f"(budget 15 MB: {'ok' if size < SIZE_BUDGET else 'OVER'})")
    print(f"chromium load (navigate -> load event), median of {args.reps}: {median:.2f} s "
          f"[{', '.join(f'{t:.2f}' for t in times)}] (budget 5 s: {'ok' if median < LOAD_BUDGET else 'OVER'})")


if __name__ == "__main__":
    main()
