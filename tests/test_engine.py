"""The engine: per-control verdicts fail closed, applicability, scores."""

from __future__ import annotations

import gc
from collections.abc import Mapping
from typing import Any

import pytest
from conftest import ROOT

from auditor.catalogue import Catalogue
from auditor.checks import PythonCheck
from auditor.context import CheckContext
from auditor.engine import control_status, evaluate, host_score
from auditor.models import ControlVerdict, HostInfo, Outcome, Severity, Status
from auditor.platforms import get_platform
from auditor.policy import PlatformPolicy, Policy, Rule

IOS = get_platform("cisco_ios")
TREE = IOS.parse("hostname r1\n")


def _rule(control: str, status: Status | None, rid: str | None = None) -> Rule:
    def fn(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
        if status is None:
            raise RuntimeError("boom")
        return Outcome(status, f"said {status.value}")

    return Rule(rid or f"r-{control}-{status}", control, "cisco_ios", "msg", "fix", PythonCheck("t", fn))


def _run(catalogue: Catalogue, rules: list[Rule], **data: Any) -> dict[str, ControlVerdict]:
    pp = PlatformPolicy(IOS, tuple(rules), {})
    info = HostInfo("r1", "cisco_ios", {"role": "wan-edge", "level": 3, **data})
    verdicts, _ = evaluate(TREE, info, pp, catalogue)
    return {v.control: v for v in verdicts}


def test_control_status_precedence() -> None:
    assert control_status([Status.PASS, Status.FAIL, Status.ERROR]) == Status.FAIL
    assert control_status([Status.PASS, Status.ERROR]) == Status.ERROR
    assert control_status([Status.PASS, Status.NOT_APPLICABLE]) == Status.PASS
    assert control_status([Status.NOT_APPLICABLE]) == Status.NOT_APPLICABLE
    assert control_status([]) == Status.NOT_APPLICABLE


def test_every_host_control_gets_a_verdict_and_missing_rules_fail_closed(catalogue: Catalogue) -> None:
    verdicts = _run(catalogue, [_rule("MGMT-02", Status.PASS)])
    assert set(verdicts) == {c.id for c in catalogue.host_controls}
    assert "FLEET-01" not in verdicts
    assert verdicts["MGMT-02"].status == Status.PASS
    assert verdicts["MGMT-01"].status == Status.ERROR
    assert "no rule implements MGMT-01" in verdicts["MGMT-01"].reason


def test_catalogue_applicability(catalogue: Catalogue) -> None:
    rules = [_rule("AAA-01", Status.FAIL), _rule("IFC-02", Status.FAIL), _rule("DP-08", Status.FAIL)]
    v = _run(catalogue, rules, level=2)
    assert v["AAA-01"].status == Status.NOT_APPLICABLE and "level 3" in v["AAA-01"].reason  # min_level 3
    assert v["IFC-02"].status == Status.NOT_APPLICABLE and "access" in v["IFC-02"].reason  # roles [access]
    assert v["DP-08"].status == Status.NOT_APPLICABLE and "n/a on cisco_ios" in v["DP-08"].reason
    assert _run(catalogue, rules, level=3)["AAA-01"].status == Status.FAIL


def test_a_crashing_check_is_an_error_not_a_crash(catalogue: Catalogue) -> None:
    v = _run(catalogue, [_rule("MGMT-02", Status.PASS, "a"), _rule("MGMT-02", None, "b")])
    assert v["MGMT-02"].status == Status.ERROR
    assert "check failed: RuntimeError: boom" in v["MGMT-02"].reason


def test_any_failing_rule_fails_the_control(catalogue: Catalogue) -> None:
    v = _run(catalogue, [_rule("MGMT-02", Status.PASS, "a"), _rule("MGMT-02", Status.FAIL, "b"),
                         _rule("MGMT-02", None, "c")])
    assert v["MGMT-02"].status == Status.FAIL


def test_host_score_is_severity_weighted() -> None:
    verdicts = [
        ControlVerdict("A", Status.PASS, Severity.CRITICAL),  # 10
        ControlVerdict("B", Status.FAIL, Severity.HIGH),  # 5
        ControlVerdict("C", Status.ERROR, Severity.LOW),  # 1
        ControlVerdict("D", Status.NOT_APPLICABLE, Severity.HIGH),  # not counted
    ]
    assert host_score(verdicts) == round(100 * 10 / 16, 1)
    assert host_score([ControlVerdict("D", Status.NOT_APPLICABLE, Severity.HIGH)]) is None


def test_packaged_catalogue_matches_the_reference(catalogue: Catalogue) -> None:
    from conftest import ROOT, SHARED

    reference = SHARED / "controls.yaml"
    packaged = ROOT / "auditor" / "data" / "controls.yaml"
    if reference.exists():  # the reference copy sits beside the checkout
        assert packaged.read_bytes() == reference.read_bytes(), "auditor/data/controls.yaml is out of date"
    assert len(catalogue.controls) == 50
    assert len(catalogue.host_controls) == 49


@pytest.mark.parametrize("platform", ["cisco_ios", "cisco_nxos", "juniper_junos", "huawei_vrp", "fortinet"])
def test_an_audited_config_leaves_no_cyclic_garbage(platform: str, policy: Policy, catalogue: Catalogue) -> None:
    """Trees and check contexts are freed by reference counting as soon as a host is done: a run
    over thousands of hosts neither piles up trees nor pays for the cyclic collector to walk them."""
    pp = policy.for_platform(platform)
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "tests" / "fixtures" / platform).glob("*.cfg"))]
    host = HostInfo("r1", platform, {"role": "wan-edge", "level": 3, "uplinks": {"tslcd": ["x"]}})
    gc.collect()
    gc.disable()
    try:
        for text in texts:
            for role in ("wan-edge", "access"):
                evaluate(get_platform(platform).parse(text), HostInfo("r1", platform, {**host.data, "role": role}),
                         pp, catalogue)
        assert gc.collect() == 0
    finally:
        gc.enable()
