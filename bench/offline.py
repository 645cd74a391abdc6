"""Offline benchmark: parse + full evaluation of a config corpus, per platform.

    python -m bench.offline --corpus ../shared/corpora/cisco_ios --reps 5
    python -m bench.offline --corpus ../shared/corpora --reps 5      # every platform folder

Every config is evaluated against every rule of its platform exactly once per repetition: as a
wan-edge host for all controls, plus as an access host for the access-only controls. Figures are
medians over the repetitions; the baseline, run in the same process, is the parser alone, so the
ratio shows what the rules cost on top of parsing.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
from pathlib import Path

from auditor.catalogue import load_catalogue
from auditor.engine import evaluate
from auditor.errors import AuditorError
from auditor.models import HostInfo
from auditor.platforms import get_platform, known_platforms
from auditor.platforms.base import decode_config
from auditor.policy import load_policy

from .common import HOST_DATA, corpus_sets

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.offline", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpora" / "cisco_ios")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--platform", choices=known_platforms(), help="treat every file as this platform")
    ap.add_argument("--policies", type=Path, default=ROOT / "policies")
    args = ap.parse_args(argv)
    catalogue = load_catalogue()
    policy = load_policy(args.policies, catalogue)
    access_only = [c for c in catalogue.host_controls if c.roles and "wan-edge" not in c.roles]
    print(f"{'platform':<14} {'files':>5} {'lines':>7} {'errors':>6} {'rules':>5}  "
          f"{'parse lines/s':>14} {'full configs/s':>14} {'full lines/s':>13} {'full/parse':>10}")
    for name, files in corpus_sets(args.corpus, args.platform).items():
        if name not in known_platforms():
            print(f"{name:<14} skipped: no parser for this platform yet")
            continue
        platform = get_platform(name)
        pp = policy.for_platform(name)
        texts: list[str] = []
        for path in files:
            try:
                texts.append(decode_config(path.read_bytes(), str(path)))
            except AuditorError:
                continue
        lines = sum(t.count("\n") + 1 for t in texts)
        wan = HostInfo("bench", name, {**HOST_DATA, "role": "wan-edge"})
        acc = HostInfo("bench", name, {**HOST_DATA, "role": "access"})
        parse_times, full_times, errors = [], [], 0
        for _ in range(args.reps):
            t0 = time.perf_counter()
            for text in texts:
                with contextlib.suppress(AuditorError):
                    platform.parse(text)
            parse_times.append(time.perf_counter() - t0)
            errors = 0
            t0 = time.perf_counter()
            for text in texts:
                try:
                    tree = platform.parse(text)
                except AuditorError:
                    errors += 1
                    continue
                evaluate(tree, wan, pp, catalogue)
                evaluate(tree, acc, pp, catalogue, access_only)
            full_times.append(time.perf_counter() - t0)
        p, f = statistics.median(parse_times), statistics.median(full_times)
        rules = len(pp.rules) if pp else 0
        print(f"{name:<14} {len(texts):>5} {lines:>7} {errors:>6} {rules:>5}  {lines / p:>14,.0f} "
              f"{len(texts) / f:>14,.1f} {lines / f:>13,.0f} {f / p:>9.2f}x")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
