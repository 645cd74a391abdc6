"""The IOS policy against compliant baselines and deliberate defects (hier_config's "circular" invariant).

Each baseline in tests/fixtures/cisco_ios/ must yield no failing and no erroring control for its
host data; each case of defects.yaml mutates a baseline and must make exactly its rule's control
fail (or, for `expect: pass|not_applicable` cases, leave its rule in that state and nothing failing).
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
FIXTURES = Path(__file__).parent / "fixtures" / "cisco_ios"
POLICIES = ROOT / "policies"

_SERVERS = {
    "ntp": ["10.160.0.11", "10.160.0.12"],
    "syslog": ["10.160.0.21", "10.160.0.22"],
    "aaa": ["10.160.0.31", "10.160.0.32"],
}
_SITE = {
    "site": "SO-TTTT",
    "agency": "Sở Thông tin và Truyền thông",
    "tier": "department",
    "level": 3,
    "allocated_prefixes": ["10.170.8.0/21"],
    "management_prefixes": ["10.160.15.0/26"],
    "designated_servers": _SERVERS,
}
# Inventory data of each baseline; `name` is the inventory host name.
HOSTS: dict[str, dict[str, Any]] = {
    "wan-edge": {
        **_SITE,
        "name": "so-tttt-rt01",
        "role": "wan-edge",
        "uplinks": {"tslcd": ["GigabitEthernet0/0/0"], "internet": ["Gi0/0/1"]},
    },
    # no `uplinks` key: roles come from descriptions (none of them starts with TSLCD/INTERNET)
    "access": {**_SITE, "name": "so-tttt-acc01", "role": "access"},
    "core": {**_SITE, "name": "so-tttt-core01", "role": "core", "uplinks": {"tslcd": [], "internet": []}},
}


@cache
def catalogue() -> Catalogue:
    return load_catalogue()


@cache
def policy() -> PlatformPolicy:
    pol = load_policy(POLICIES, catalogue()).for_platform("cisco_ios")
    assert pol is not None
    return pol


def baseline(base: str) -> str:
    return (FIXTURES / f"{base}.cfg").read_text(encoding="utf-8")


def run(text: str, data: dict[str, Any]) -> tuple[tuple[ControlVerdict, ...], tuple[Finding, ...]]:
    data = dict(data)
    name = data.pop("name")
    tree = get_platform("cisco_ios").parse(text)
    return evaluate(tree, HostInfo(name, "cisco_ios", data), policy(), catalogue())


def failing(verdicts: tuple[ControlVerdict, ...], status: Status = Status.FAIL) -> dict[str, str]:
    return {v.control: v.reason for v in verdicts if v.status == status}


# ---------------------------------------------------------------- mutations


def _index(lines: list[str], target: str, start: int, case: str) -> int:
    for i in range(start, len(lines)):
        if lines[i] == target:
            return i
    raise AssertionError(f"{case}: line {target!r} not found in the baseline (after line {start})")


def mutate(text: str, case: dict[str, Any]) -> str:
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
        at = start() if anchor else _index(lines, "end", 0, cid)
        lines[at:at] = plain
    return "\n".join(lines) + "\n"


def host_data(case: dict[str, Any]) -> dict[str, Any]:
    data = copy.deepcopy(HOSTS[case["base"]])
    for key, value in (case.get("host") or {}).items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def load_cases() -> list[dict[str, Any]]:
    with (FIXTURES / "defects.yaml").open(encoding="utf-8") as fh:
        cases: list[dict[str, Any]] = yaml.safe_load(fh)
    return cases


CASES = load_cases()


# ---------------------------------------------------------------- tests


@pytest.mark.parametrize("base", sorted(HOSTS))
def test_baseline_is_compliant(base: str) -> None:
    verdicts, findings = run(baseline(base), HOSTS[base])
    assert failing(verdicts) == {}
    assert failing(verdicts, Status.ERROR) == {}
    # the baseline exercises the policy: most applicable controls actually pass
    assert sum(v.status == Status.PASS for v in verdicts) >= 25
    assert not [f for f in findings if f.status == Status.ERROR]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_defect(case: dict[str, Any]) -> None:
    rules = {r.id: r for r in policy().rules}
    assert case["rule"] in rules, f"unknown rule {case['rule']}"
    control = rules[case["rule"]].control
    expect = Status(case.get("expect", "fail"))
    verdicts, findings = run(mutate(baseline(case["base"]), case), host_data(case))
    status = {f.rule: f for f in findings}[case["rule"]]
    assert status.status == expect, status.message
    assert failing(verdicts, Status.ERROR) == {}
    wanted = {control, *case.get("also_fails", ())} if expect == Status.FAIL else set()
    assert set(failing(verdicts)) == wanted, failing(verdicts)
    if expect == Status.FAIL:
        assert status.evidence or status.expected, "a failure shows evidence or what was expected"


def test_every_rule_has_a_failing_defect_case() -> None:
    failing_cases = {c["rule"] for c in CASES if c.get("expect", "fail") == "fail"}
    missing = sorted(r.id for r in policy().rules if r.id not in failing_cases)
    assert missing == []


def test_defect_case_ids_are_unique() -> None:
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids))


def test_every_applicable_control_has_a_rule() -> None:
    ruled = {r.control for r in policy().rules}
    needed = {c.id for c in catalogue().host_controls if c.na_reason("cisco_ios") is None}
    assert sorted(needed - ruled) == []
    # and no rule implements a control that the catalogue declares n/a on IOS
    assert sorted(c for c in ruled if catalogue().by_id[c].na_reason("cisco_ios") is not None) == []


def test_rule_ids_are_prefixed_and_messages_short() -> None:
    for rule in policy().rules:
        assert rule.id.startswith("ios-"), rule.id
        assert rule.message.endswith("."), rule.id
        assert len(rule.message) <= 140, rule.id


def test_evidence_is_redacted() -> None:
    case = {"id": "community", "base": "wan-edge", "add": ["snmp-server community Kx7vB2nR RO SNMP-ACL"]}
    _, findings = run(mutate(baseline("wan-edge"), case), HOSTS["wan-edge"])
    texts = [e.text for f in findings for e in f.evidence]
    assert texts and not any("Kx7vB2nR" in t for t in texts)
