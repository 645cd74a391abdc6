"""`auditor baseline` and `auditor onboard`: every template's baseline, secrets filled, passes the gate."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from auditor.baseline import PLACEHOLDER, placeholders, render_baseline, supported
from auditor.catalogue import Catalogue
from auditor.cli import main
from auditor.gate import run_gate
from auditor.models import HostInfo, Status
from auditor.policy import Policy

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
EXAMPLE = ROOT / "inventory" / "examples" / "new-commune.yaml"

# test values for the placeholders, in the forms the templates ask for
SECRETS = {"type9": "$9$Wq1cJ4mT8pLxzE$B8m0c4Sx3nVq7wKcT2yF9rJ1dH6gA5eLp0ZsUuXiOoY", "type7": "045802150C2E1D1C5A"}


def fill(text: str) -> str:
    return PLACEHOLDER.sub(lambda m: SECRETS[m.group(1).rsplit("-", 1)[-1]], text)


def fixture_host(platform: str, role: str, level: int = 3) -> HostInfo:
    """Host data of the compliant reference config for platform/role (tests/fixtures), at `level`."""
    spec = yaml.safe_load((FIXTURES / platform / "hosts.yaml").read_text(encoding="utf-8"))
    data: dict[str, Any] = dict(spec["hosts"][role])
    name = data.pop("name")
    block = data["allocated_prefixes"][0]
    last = block.rsplit(".", 2)[0]  # the last /24 of the block carries the loopbacks and the management VLAN
    third = int(block.split(".")[2]) + 2 ** (24 - int(block.split("/")[1])) - 1
    data["management_address"] = f"{last}.{third}.{241 if role != 'access' else 226}"
    data["level"] = level
    return HostInfo(name, platform, data)


COMBOS = supported()


def test_templates_cover_the_required_platforms_and_roles() -> None:
    assert ("cisco_ios", "wan-edge") in COMBOS and ("cisco_ios", "access") in COMBOS


@pytest.mark.parametrize(("platform", "role"), COMBOS, ids=[f"{p}-{r}" for p, r in COMBOS])
def test_filled_baseline_passes_every_control_at_level_3(platform: str, role: str, policy: Policy,
                                                          catalogue: Catalogue) -> None:
    host = fixture_host(platform, role)
    text = render_baseline(host)
    assert placeholders(text), "secrets must be placeholders"
    gate = run_gate(host, fill(text), "baseline", policy, catalogue)
    assert gate.result.ok, gate.result.error
    failing = [(v.control, v.reason) for v in gate.result.controls if v.status in (Status.FAIL, Status.ERROR)]
    assert failing == []
    assert gate.accepted and not gate.placeholders
    passed = [v for v in gate.result.controls if v.status is Status.PASS]
    assert len(passed) >= 30  # the baseline really exercises the policy, not a run of not_applicable


@pytest.mark.parametrize(("platform", "role"), COMBOS, ids=[f"{p}-{r}" for p, r in COMBOS])
@pytest.mark.parametrize("level", [1, 2, 4, 5])
def test_filled_baseline_accepted_at_every_level(platform: str, role: str, level: int, policy: Policy,
                                                 catalogue: Catalogue) -> None:
    host = fixture_host(platform, role, level)
    assert run_gate(host, fill(render_baseline(host)), "baseline", policy, catalogue).accepted


@pytest.mark.parametrize(("platform", "role"), COMBOS, ids=[f"{p}-{r}" for p, r in COMBOS])
def test_unfilled_placeholders_block_the_gate(platform: str, role: str, policy: Policy,
                                              catalogue: Catalogue) -> None:
    host = fixture_host(platform, role)
    text = render_baseline(host)
    gate = run_gate(host, text, "baseline", policy, catalogue)
    assert not gate.accepted
    assert len(gate.placeholders) == len(placeholders(text))
    assert any("<<CHANGE-ME:enable-secret-type9>>" in r for r in gate.reasons())


def test_baseline_uses_host_data(policy: Policy, catalogue: Catalogue) -> None:
    host = fixture_host("cisco_ios", "wan-edge")
    text = render_baseline(host)
    assert f"hostname {host.name}\n" in text
    assert "interface GigabitEthernet0/0/0\n description TSLCD" in text
    assert "interface Gi0/0/1\n description INTERNET" in text
    assert "ip address 10.170.15.254 255.255.255.252" in text  # TSLCD link, site side
    assert "neighbor 10.170.15.253 remote-as 64620" in text
    assert "network 10.170.8.0 mask 255.255.248.0" in text
    assert "logging host 10.160.0.21 vrf TSLCD" in text and "address ipv4 10.160.0.32" in text
    assert " 10 permit 10.160.15.0 0.0.0.63\n" in text


def test_baseline_without_template_is_an_error() -> None:
    host = fixture_host("cisco_ios", "core")
    if ("cisco_ios", "core") in COMBOS:
        pytest.skip("a core template exists")
    with pytest.raises(Exception, match="no baseline template for platform cisco_ios role core"):
        render_baseline(host)


def test_gate_blocks_critical_and_high_only_and_ignores_waivers(policy: Policy, catalogue: Catalogue) -> None:
    host = fixture_host("cisco_ios", "wan-edge")
    text = fill(render_baseline(host))
    # a high failure (RTE-02: BGP neighbour without password) blocks ...
    bad = "\n".join(line for line in text.splitlines() if " password 7 " not in line or "neighbor" not in line)
    gate = run_gate(host, bad + "\n", "x", policy, catalogue)
    assert not gate.accepted
    assert [f.control for f in gate.blocking] == ["RTE-02"]
    assert gate.blocking[0].remediation
    # ... a medium/low one does not
    low = text.replace("ip ssh time-out 60\n", "")
    medium_or_low = run_gate(host, low, "x", policy, catalogue)
    failing = {v.control: v.severity.value for v in medium_or_low.result.controls if v.status is Status.FAIL}
    if failing and all(s in ("medium", "low") for s in failing.values()):
        assert medium_or_low.accepted


@pytest.fixture
def inv(tmp_path: Path) -> Path:
    d = tmp_path / "inventory"
    shutil.copytree(ROOT / "inventory", d, ignore=shutil.ignore_patterns("snapshots", "examples"))
    assert main(["site", "add", "--inventory", str(d), "--from", str(EXAMPLE)]) == 0
    return d


def test_walkthrough_add_baseline_gate(inv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """README "Onboarding a new site": add the commune, render its baselines, run the gate."""
    db = tmp_path / "history.db"
    for name in ("dbn-xa-nuangam-rtr01", "dbn-xa-nuangam-sw01"):
        cfg = tmp_path / f"{name}.cfg"
        assert main(["baseline", "--inventory", str(inv), name, "--output", str(cfg)]) == 0
        out = tmp_path / "out" / name
        args = ["onboard", "--inventory", str(inv), name, "--device-config", str(cfg), "--output", str(out),
                "--db", str(db)]
        capsys.readouterr()
        assert main(args) == 1  # placeholders left
        printed = capsys.readouterr().out
        assert "BLOCKED" in printed and "<<CHANGE-ME:enable-secret-type9>>" in printed
        report = json.loads((out / "onboarding.json").read_text(encoding="utf-8"))
        assert report["decision"] == "blocked" and report["placeholders"]
        cfg.write_text(fill(cfg.read_text(encoding="utf-8")), encoding="utf-8")
        assert main(args) == 0
        assert "ACCEPTED" in capsys.readouterr().out
        report = json.loads((out / "onboarding.json").read_text(encoding="utf-8"))
        assert report["accepted"] is True and report["blocking"] == []
        assert (out / "onboarding.html").is_file() and (out / "report.json").is_file()
    assert main(["history", "--db", str(db), "--format", "json"]) == 0
    runs = json.loads(capsys.readouterr().out)
    assert len(runs) == 4 and sorted(r["exit_code"] for r in runs) == [0, 0, 1, 1]


def test_onboard_reports_blocking_findings_with_remediation(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    code = main(["onboard", "--inventory", str(ROOT / "inventory"), "dbn-so-yt-rtr01", "--device-config",
                 str(ROOT / "inventory" / "snapshots" / "dbn-so-yt-rtr01.cfg"), "--output", str(out), "--no-store"])
    assert code == 1
    report = json.loads((out / "onboarding.json").read_text(encoding="utf-8"))
    blocking = {f["control"]: f for f in report["blocking"]}
    assert {"RTE-02", "DP-09"} <= set(blocking)
    assert all(f["remediation"] and f["severity"] in ("critical", "high") for f in blocking.values())
    html = (out / "onboarding.html").read_text(encoding="utf-8")
    assert "BLOCKED" in html and "RTE-02" in html


def test_onboard_unknown_host(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["onboard", "--inventory", str(ROOT / "inventory"), "dbn-nope", "--device-config", "x.cfg",
                 "--no-store"]) == 2
    assert "not in" in capsys.readouterr().err


def test_onboard_config_option_names_the_device_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`onboard HOST --config FILE` takes FILE as the device config, never as auditor.yaml."""
    cfg = tmp_path / "device.cfg"
    cfg.write_text("hostname dbn-so-yt-rtr01\ninterface GigabitEthernet0/0/0\n shutdown\n", encoding="utf-8")
    code = main(["onboard", "--inventory", str(ROOT / "inventory"), "dbn-so-yt-rtr01", "--config", str(cfg),
                 "--output", str(tmp_path / "out"), "--no-store"])
    assert code == 1  # a near-empty config is blocked, after being read as the device's config
    assert (tmp_path / "out" / "onboarding.json").exists()
    capsys.readouterr()
