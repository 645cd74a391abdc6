"""The `auditor` command end to end: formats, exit codes, bad input, file permissions."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
import yaml
from conftest import host, write_inventory

from auditor.cli import main

POLICY = {
    "platform": "cisco_ios",
    "objects": {"acl": {"defs": [r"^ip access-list (?:standard|extended) (?P<name>\S+)"],
                        "refs": [r"^ip access-group (?P<name>\S+)"]}},
    "rules": [
        {"id": "t-ssh2", "control": "MGMT-02", "message": "SSH v1 allowed", "remediation": "ip ssh version 2",
         "check": {"present": "^ip ssh version 2$"}},
        {"id": "t-refs", "control": "DP-06", "message": "undefined object", "remediation": "define it",
         "check": {"references": ["acl"], "anywhere": True}},
    ],
}
GOOD = "hostname {name}\nip ssh version 2\nusername admin privilege 15 secret 9 $9$CANARYSECRET\n"
BAD = "hostname {name}\nip ssh version 1\ninterface Gi0/0\n ip access-group NOPE in\n"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, Path]:
    inv = write_inventory(tmp_path / "inv", {
        "good": host("S1", "10.0.0.1", allocated_prefixes=["10.1.0.0/24"]),
        "bad": host("S2", "10.0.0.2", allocated_prefixes=["10.2.0.0/24"]),
    })
    pol = tmp_path / "pol"
    pol.mkdir()
    (pol / "cisco_ios.yaml").write_text(yaml.safe_dump(POLICY), encoding="utf-8")
    snaps = tmp_path / "snaps"
    snaps.mkdir()
    (snaps / "good.cfg").write_text(GOOD.format(name="good"), encoding="utf-8")
    (snaps / "bad.cfg").write_text(BAD.format(name="bad"), encoding="utf-8")
    return {"inv": inv, "pol": pol, "snaps": snaps, "tmp": tmp_path}


def _audit(env: dict[str, Path], *extra: str) -> int:
    return main(["audit", "--inventory", str(env["inv"]), "--policies", str(env["pol"]),
                 "--from-dir", str(env["snaps"]), "--no-progress", *extra])


def test_json_report_schema(env: dict[str, Path], capsys: pytest.CaptureFixture[str], catalogue) -> None:  # type: ignore[no-untyped-def]
    assert _audit(env, "--format", "json") == 1
    report = json.loads(capsys.readouterr().out)
    assert report["schema"] == "auditor-report/1"
    assert set(report) == {"schema", "run", "hosts", "fleet", "summary"}
    assert set(report["run"]) == {"id", "started", "finished", "policy_version", "source"}
    assert report["run"]["source"] == "snapshot"
    hosts = {h["name"]: h for h in report["hosts"]}
    assert set(hosts) == {"good", "bad"}
    per_host = {c.id for c in catalogue.controls if not c.fleet}
    for h in hosts.values():
        assert set(h) == {"name", "platform", "site", "agency", "tier", "role", "level", "status", "error",
                          "score", "controls", "findings", "seconds"}
        assert {c["control"] for c in h["controls"]} == per_host
    bad = {c["control"]: c["status"] for c in hosts["bad"]["controls"]}
    assert bad["MGMT-02"] == "fail" and bad["DP-06"] == "fail"
    finding = next(f for f in hosts["bad"]["findings"] if f["control"] == "DP-06")
    assert set(finding) == {"control", "rule", "status", "severity", "message", "evidence", "remediation"}
    assert finding["evidence"] == [{"line": 4, "text": "ip access-group NOPE in"}]
    assert {c["control"]: c["status"] for c in hosts["good"]["controls"]}["MGMT-02"] == "pass"
    assert report["fleet"][0]["control"] == "FLEET-01" and report["fleet"][0]["status"] == "pass"
    assert report["summary"]["hosts"] == 2 and report["summary"]["errors"] == 0
    assert "CANARYSECRET" not in json.dumps(report)


def test_text_summary_worst_first_and_output_files(env: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    out_dir = env["tmp"] / "out" / "run1"
    assert _audit(env, "--format", "json", "--format", "text", "--output", str(out_dir)) == 1
    text = capsys.readouterr().out
    assert text.index("  bad ") < text.index("  good ")
    assert "report written: " in text
    for name in ("report.json", "report.txt"):
        mode = stat.S_IMODE((out_dir / name).stat().st_mode)
        assert mode == 0o600, oct(mode)


def test_exit_codes(env: dict[str, Path]) -> None:
    # fail closed: the good host passes both rules, but controls no rule implements are errors
    assert _audit(env, "--host", "good") == 1
    assert _audit(env, "--host", "bad") == 1
    (env["snaps"] / "good.cfg").unlink()
    assert _audit(env) == 3
    assert _audit(env, "--site", "NOWHERE") == 2
    assert main(["audit", "--inventory", str(env["tmp"] / "missing")]) == 2
    assert main(["audit", "--format", "pdf", "--inventory", str(env["inv"])]) == 2


def test_bad_configs_become_host_errors_and_others_are_audited(
        env: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    cases = {
        "empty": b"",
        "binary": b"\x00\x01\x02ELF",
        "latin1": b"hostname x\nbanner motd ^C Ch\xe0o ^C\n",
        "junos": b"system {\n host-name j1;\n}\ninterfaces {\n}\nprotocols {\n}\nfirewall {\n}\n",
    }
    hosts = {name: host(f"S-{name}", f"10.0.1.{i}") for i, name in enumerate(cases, start=10)}
    hosts["good"] = host("S1", "10.0.0.1")
    write_inventory(env["inv"], hosts)
    for name, raw in cases.items():
        (env["snaps"] / f"{name}.cfg").write_bytes(raw)
    assert _audit(env, "--format", "json") == 3
    report = json.loads(capsys.readouterr().out)
    by_name = {h["name"]: h for h in report["hosts"]}
    assert by_name["good"]["status"] == "ok"
    assert "empty configuration" in by_name["empty"]["error"]
    assert "binary file" in by_name["binary"]["error"]
    assert "invalid UTF-8" in by_name["latin1"]["error"] and "latin1.cfg:2" in by_name["latin1"]["error"]
    assert "looks like a Junos (brace format) configuration" in by_name["junos"]["error"]
    for name in cases:
        assert by_name[name]["status"] == "error" and by_name[name]["score"] is None
        assert all(c["status"] == "error" for c in by_name[name]["controls"])


def test_bad_policy_is_exit_2_with_one_line_per_problem(env: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    (env["pol"] / "cisco_ios.yaml").write_text(
        "platform: cisco_ios\nrules:\n  - id: x\n    control: NOPE-01\n    message: m\n    remediation: r\n"
        "    check: {present: '^('}\n", encoding="utf-8")
    assert _audit(env) == 2
    err = capsys.readouterr().err
    assert "cisco_ios.yaml: rule x: control: unknown control 'NOPE-01'" in err
    assert "Traceback" not in err


def test_validate(env: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--inventory", str(env["inv"]), "--policies", str(env["pol"])]) == 0
    assert "2 hosts" in capsys.readouterr().out
    write_inventory(env["inv"], {"x": host("S", "10.0.0.9", level=9, role="boss")})
    assert main(["validate", "--inventory", str(env["inv"]), "--policies", str(env["pol"])]) == 2
    err = capsys.readouterr().err
    assert "host x: level: max value is 5" in err and "host x: role: unknown role 'boss'" in err


def test_check_files_without_inventory(env: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    f = env["snaps"] / "bad.cfg"
    assert main(["check", str(f), "--platform", "cisco_ios", "--policies", str(env["pol"]), "--format", "json",
                 "--no-progress"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["run"]["source"] == "files"
    h = report["hosts"][0]
    assert (h["name"], h["role"], h["level"]) == ("bad", "wan-edge", 3)
    assert main(["check", str(f), "--platform", "vyos"]) == 2


def test_controls_matrix(env: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["controls", "--policies", str(env["pol"])]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("MGMT-02"))
    assert "yes (1)" in row and "MISSING" in row
    assert "MGMT-07   cisco_nxos" in out and "no aux port" in out
    assert main(["controls", "--policies", str(env["pol"]), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["controls"]["MGMT-02"]["cisco_ios"] == {"state": "implemented", "rules": ["t-ssh2"], "reason": ""}
    assert data["controls"]["LOG-02"]["cisco_nxos"]["state"] == "n/a"


def test_help_and_no_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    assert "exit codes" in capsys.readouterr().out
    assert main(["audit", "--workers", "x"]) == 2
    assert "invalid int value" in capsys.readouterr().err
    assert main([]) == 2
