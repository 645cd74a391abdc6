"""Every platform's policy against compliant baselines and deliberate defects (hier_config's
"circular" invariant).

A platform takes part by having tests/fixtures/<platform>/ with:
- hosts.yaml: `platform`, `rule_prefix`, optional `insert_before` (the line before which a defect's
  plain `add` lines go when it names no `after` anchor; default: the end of the file), and `hosts`:
  the inventory data of each baseline (`name` is the inventory host name);
- <base>.cfg: one compliant baseline config per key of `hosts`;
- defects.yaml: cases, each mutating a baseline so that exactly its rule's control fails (or, with
  `expect: pass|not_applicable`, leaving its rule in that state and nothing failing).
  Fields: id, rule, base, optional `after` (an exact baseline line: remove/replace then act on the
  first match after it, and plain `add` lines go right after it), remove (exact lines), replace
  ({old: new}), add (lines, or {after: anchor, lines: [...]} items), host (overrides of the base
  host data; null deletes a key), expect (fail by default), also_fails (other controls the
  catalogue makes fail together with this one).
"""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from auditor.catalogue import Catalogue, load_catalogue
from auditor.engine import evaluate
from auditor.models import ControlVerdict, Finding, HostInfo, Status
from auditor.platforms import get_platform
from auditor.policy import PlatformPolicy, load_policy

ROOT = Path(__file__).parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
POLICIES = ROOT / "policies"
PLATFORMS = sorted(p.name for p in FIXTURES.iterdir() if (p / "hosts.yaml").exists() and (p / "defects.yaml").exists())


@cache
def catalogue() -> Catalogue:
    return load_catalogue()


@cache
def policy(platform: str) -> PlatformPolicy:
    pol = load_policy(POLICIES, catalogue()).for_platform(platform)
    assert pol is not None, f"no policy for {platform}"
    return pol


@cache
def setup(platform: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((FIXTURES / platform / "hosts.yaml").read_text(encoding="utf-8"))
    assert data["platform"] == platform
    return data


@cache
def cases(platform: str) -> list[dict[str, Any]]:
    loaded: list[dict[str, Any]] = yaml.safe_load((FIXTURES / platform / "defects.yaml").read_text(encoding="utf-8"))
    return loaded


def baseline(platform: str, base: str) -> str:
    return (FIXTURES / platform / f"{base}.cfg").read_text(encoding="utf-8")


def run(platform: str, text: str, data: dict[str, Any]) -> tuple[tuple[ControlVerdict, ...], tuple[Finding, ...]]:
    data = dict(data)
    name = data.pop("name")
    tree = get_platform(platform).parse(text)
    return evaluate(tree, HostInfo(name, platform, data), policy(platform), catalogue())


def failing(verdicts: tuple[ControlVerdict, ...], status: Status = Status.FAIL) -> dict[str, str]:
    return {v.control: v.reason for v in verdicts if v.status == status}


def _index(lines: list[str], target: str, start: int, case: str) -> int:
    for i in range(start, len(lines)):
        if lines[i] == target:
            return i
    raise AssertionError(f"{case}: line {target!r} not found in the baseline (after line {start})")


def mutate(platform: str, text: str, case: dict[str, Any]) -> str:
    """Apply a defect case's remove / replace / add to a baseline config."""
    cid = case["id"]
    lines = [line.rstrip() for line in text.splitlines()]
    anchor = case.get("after")

    def start() -> int:
        return _index(lines, anchor, 0, cid) + 1 if anchor else 0

    for old in case.get("remove") or ():
        del lines[_index(lines, old, start(), cid)]
    for old, new in (case.get("replace") or {}).items():
        lines[_index(lines, old, start(), cid)] = new
    plain = [a for a in case.get("add") or () if isinstance(a, str)]
    for item in case.get("add") or ():
        if isinstance(item, dict):
            at = _index(lines, item["after"], 0, cid) + 1
            lines[at:at] = item["lines"]
    if plain:
        before = setup(platform).get("insert_before")
        if anchor:
            at = start()
        elif before:
            at = _index(lines, before, 0, cid)
        else:
            at = len(lines)
        lines[at:at] = plain
    return "\n".join(lines) + "\n"


def host_data(platform: str, case: dict[str, Any]) -> dict[str, Any]:
    data = copy.deepcopy(setup(platform)["hosts"][case["base"]])
    for key, value in (case.get("host") or {}).items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


BASES = [(p, b) for p in PLATFORMS for b in sorted(setup(p)["hosts"])]
CASES = [(p, c) for p in PLATFORMS for c in cases(p)]


@pytest.mark.parametrize(("platform", "base"), BASES, ids=[f"{p}-{b}" for p, b in BASES])
def test_baseline_is_compliant(platform: str, base: str) -> None:
    verdicts, findings = run(platform, baseline(platform, base), setup(platform)["hosts"][base])
    assert failing(verdicts) == {}
    assert failing(verdicts, Status.ERROR) == {}
    # the baseline exercises the policy: many applicable controls actually pass
    assert sum(v.status == Status.PASS for v in verdicts) >= 15
    assert not [f for f in findings if f.status == Status.ERROR]


@pytest.mark.parametrize(("platform", "case"), CASES, ids=[f"{p}-{c['id']}" for p, c in CASES])
def test_defect(platform: str, case: dict[str, Any]) -> None:
    rules = {r.id: r for r in policy(platform).rules}
    assert case["rule"] in rules, f"unknown rule {case['rule']}"
    control = rules[case["rule"]].control
    expect = Status(case.get("expect", "fail"))
    verdicts, findings = run(platform, mutate(platform, baseline(platform, case["base"]), case),
                             host_data(platform, case))
    status = {f.rule: f for f in findings}[case["rule"]]
    assert status.status == expect, status.message
    assert failing(verdicts, Status.ERROR) == {}
    wanted = {control, *case.get("also_fails", ())} if expect == Status.FAIL else set()
    assert set(failing(verdicts)) == wanted, failing(verdicts)
    if expect == Status.FAIL:
        assert status.evidence or status.expected, "a failure shows evidence or what was expected"


@pytest.mark.parametrize("platform", PLATFORMS)
def test_every_rule_has_a_failing_defect_case(platform: str) -> None:
    failing_cases = {c["rule"] for c in cases(platform) if c.get("expect", "fail") == "fail"}
    assert sorted(r.id for r in policy(platform).rules if r.id not in failing_cases) == []


@pytest.mark.parametrize("platform", PLATFORMS)
def test_defect_case_ids_are_unique(platform: str) -> None:
    ids = [c["id"] for c in cases(platform)]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("platform", PLATFORMS)
def test_every_applicable_control_has_a_rule(platform: str) -> None:
    ruled = {r.control for r in policy(platform).rules}
    needed = {c.id for c in catalogue().host_controls if c.na_reason(platform) is None}
    assert sorted(needed - ruled) == []
    # and no rule implements a control that the catalogue declares n/a on the platform
    assert sorted(c for c in ruled if catalogue().by_id[c].na_reason(platform) is not None) == []


@pytest.mark.parametrize("platform", PLATFORMS)
def test_rule_ids_are_prefixed_and_messages_short(platform: str) -> None:
    prefix = setup(platform)["rule_prefix"]
    for rule in policy(platform).rules:
        assert rule.id.startswith(prefix), rule.id
        assert rule.message.endswith("."), rule.id
        assert len(rule.message) <= 140, rule.id
