"""The offline audit against a well-known reference, in the same process, on the IOS corpus.

    python -m bench.reference --corpus ../shared/corpora/cisco_ios --reps 5

The reference is hier_config (`pip install -e '.[bench]'`): it parses each config and runs eight
simple presence checks, the scale the offline target was set against (hier_config 3.7 at about
80,000 lines/s, the auditor's target 200,000, so 2.5 times the reference). Both sides run in turns
in one process, so a machine that speeds up or slows down moves both alike: the ratio is the
figure that travels between machines. The auditor side is the full audit of bench.offline
(parse, then every IOS rule as a wan-edge host and the access-only rules as an access host).
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from auditor.catalogue import load_catalogue
from auditor.engine import evaluate
from auditor.errors import AuditorError
from auditor.models import HostInfo
from auditor.platforms import get_platform
from auditor.platforms.base import decode_config
from auditor.policy import load_policy

from .common import HOST_DATA

ROOT = Path(__file__).resolve().parents[1]
TARGET_RATIO = 200_000 / 80_000


def _reference() -> Callable[[str], int] | None:
    """hier_config: parse, then eight presence checks (top-level lines and one section's child)."""
    try:
        from hier_config import Platform, get_hconfig
    except ImportError:
        return None

    def run(text: str) -> int:
        config: Any = get_hconfig(Platform.CISCO_IOS, text)
        found = 0
        for check in ({"startswith": "hostname "}, {"equals": "ip ssh version 2"},
                      {"equals": "service password-encryption"}, {"equals": "no ip http server"},
                      {"startswith": "logging host "}, {"startswith": "ntp server "},
                      {"equals": "aaa new-model"}):
            found += config.get_child(**check) is not None
        for vty in config.get_children(startswith="line vty "):
            found += vty.get_child(startswith="transport input ssh") is not None
        return found

    return run


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.reference", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpora" / "cisco_ios")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--policies", type=Path, default=ROOT / "policies")
    args = ap.parse_args(argv)
    reference = _reference()
    if reference is None:
        print("hier_config is not installed: pip install -e '.[bench]'", file=sys.stderr)
        return 2
    catalogue = load_catalogue()
    policy = load_policy(args.policies, catalogue)
    ios, pp = get_platform("cisco_ios"), policy.for_platform("cisco_ios")
    access_only = [c for c in catalogue.host_controls if c.roles and "wan-edge" not in c.roles]
    wan = HostInfo("bench", "cisco_ios", {**HOST_DATA, "role": "wan-edge"})
    acc = HostInfo("bench", "cisco_ios", {**HOST_DATA, "role": "access"})
    texts: list[str] = []
    for path in sorted(p for p in args.corpus.iterdir() if p.is_file()):
        with contextlib.suppress(AuditorError):
            texts.append(decode_config(path.read_bytes(), str(path)))
    ok = [t for t in texts if _reference_accepts(reference, t)]  # both sides read the same files
    lines = sum(t.count("\n") + 1 for t in ok)

    def audit() -> None:
        for text in ok:
            try:
                tree = ios.parse(text)
            except AuditorError:
                continue
            evaluate(tree, wan, pp, catalogue)
            evaluate(tree, acc, pp, catalogue, access_only)

    def refer() -> None:
        for text in ok:
            reference(text)

    ours: list[float] = []
    theirs: list[float] = []
    for _ in range(args.reps):
        for run, times in ((audit, ours), (refer, theirs)):
            t0 = time.perf_counter()
            run()
            times.append(time.perf_counter() - t0)
    a, r = statistics.median(ours), statistics.median(theirs)
    print(f"{len(ok)} configs, {lines} lines ({len(texts) - len(ok)} the reference cannot read left out)")
    print(f"{'auditor (every rule)':<28} {lines / a:>12,.0f} lines/s")
    print(f"{'hier_config (8 checks)':<28} {lines / r:>12,.0f} lines/s")
    print(f"ratio {r / a:.2f}x (the 200,000 lines/s target is {TARGET_RATIO:.2f}x the reference's 80,000)")
    return 0


def _reference_accepts(reference: Callable[[str], int], text: str) -> bool:
    try:
        reference(text)
    except Exception:  # the reference's own parse errors: the file is left out for both sides
        return False
    return True


if __name__ == "__main__":
    raise SystemExit(main())
