"""The policy language: validation errors name file, rule and field; each primitive has a failing
and a passing config."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from auditor.catalogue import Catalogue
from auditor.engine import evaluate
from auditor.errors import PolicyError
from auditor.models import HostInfo, Status
from auditor.platforms import get_platform
from auditor.policy import Policy, load_policy

IOS = get_platform("cisco_ios")


def _policy(tmp_path: Path, catalogue: Catalogue, rules: list[dict[str, Any]],
            objects: dict[str, Any] | None = None) -> Policy:
    doc: dict[str, Any] = {"platform": "cisco_ios", "rules": rules}
    if objects:
        doc["objects"] = objects
    d = tmp_path / "pol"
    d.mkdir(exist_ok=True)
    (d / "cisco_ios.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    return load_policy(d, catalogue)


def _rule(control: str, check: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"id": f"t-{control.lower()}", "control": control, "message": "m", "remediation": "r", "check": check,
            **extra}


def _verdict(policy: Policy, catalogue: Catalogue, config: str, control: str, **data: Any) -> tuple[Status, str]:
    info = HostInfo(data.pop("name", "r1"), "cisco_ios", {"role": "wan-edge", "level": 3, **data})
    verdicts, _ = evaluate(IOS.parse(config), info, policy.for_platform("cisco_ios"), catalogue)
    v = next(v for v in verdicts if v.control == control)
    return v.status, v.reason


def _problems(tmp_path: Path, catalogue: Catalogue, text: str) -> list[str]:
    d = tmp_path / "bad"
    d.mkdir(exist_ok=True)
    (d / "cisco_ios.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError) as err:
        load_policy(d, catalogue)
    return err.value.problems


# ---------------------------------------------------------------- validation

RULE = "  - id: {id}\n    control: {control}\n    message: m\n    remediation: r\n    check: {check}\n"


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (RULE.format(id="x-bad-rx", control="MGMT-02", check="{present: '^ip ssh (version'}"),
         "rule x-bad-rx: check.present: bad regex"),
        (RULE.format(id="x-unknown", control="MGMT-99", check="{present: '^x'}"),
         "rule x-unknown: control: unknown control 'MGMT-99'"),
        (RULE.format(id="x-fleet", control="FLEET-01", check="{present: '^x'}"),
         "rule x-fleet: control: FLEET-01 is fleet-wide"),
        (RULE.format(id="x-py", control="MGMT-02", check="{python: no_such_check}"),
         "rule x-py: check.python: unknown check 'no_such_check' for cisco_ios"),
        (RULE.format(id="x-type", control="MGMT-02", check="{count: {match: '^x', min: two}}"),
         "rule x-type: check.count.min: must be of integer type"),
        (RULE.format(id="x-empty", control="MGMT-02", check="{each: '^line vty '}"),
         "rule x-empty: check: has no assertion"),
        (RULE.format(id="x-kind", control="MGMT-02", check="{references: [acl]}"),
         "rule x-kind: check.references: unknown object kind(s) acl"),
        (RULE.format(id="x-group", control="MGMT-02", check="{within: {match: '^ntp server (\\S+)', servers: ntp}}"),
         "rule x-group: check.within.match: regex '^ntp server (\\\\S+)' needs a named group (?P<addr>...)"),
        (RULE.format(id="x-field", control="MGMT-02", check="{presnt: '^x'}"),
         "rule x-field: check.presnt: unknown field"),
        ("  - id: x-nomsg\n    control: MGMT-02\n    remediation: r\n    check: {present: '^x'}\n",
         "rule x-nomsg: message: required field"),
    ],
)
def test_bad_rules_name_file_rule_and_field(tmp_path: Path, catalogue: Catalogue, rule: str, expected: str) -> None:
    problems = _problems(tmp_path, catalogue, "platform: cisco_ios\nrules:\n" + rule)
    assert any(expected in p for p in problems), problems
    assert all(p.startswith(str(tmp_path / "bad" / "cisco_ios.yaml")) for p in problems)


def test_every_bad_rule_reported_together(tmp_path: Path, catalogue: Catalogue) -> None:
    text = "platform: cisco_ios\nrules:\n" + "".join(
        RULE.format(id=f"x-{i}", control="MGMT-02", check="{present: '^ip ssh (version'}") for i in range(3))
    assert len(_problems(tmp_path, catalogue, text)) == 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("platform: cisco_ios\nrules:\n\t- id: x\n", "cisco_ios.yaml:3: tab character"),
        ("platform: cisco_ios\nplatform: cisco_ios\nrules: []\n", "cisco_ios.yaml:2: duplicate key 'platform'"),
        ("platform: juniper_xyz\nrules: []\n", "platform: unknown platform 'juniper_xyz'"),
        ("platform: cisco_ios\nrules: nope\n", "rules: must be of list type"),
        ("- just\n- a list\n", "a policy file is a mapping"),
        ("platform: cisco_ios\nrules:\n" + RULE.format(id="dup", control="MGMT-02", check="{present: '^x'}") * 2,
         "rule dup: id: duplicate rule id"),
    ],
)
def test_bad_policy_files(tmp_path: Path, catalogue: Catalogue, text: str, expected: str) -> None:
    problems = _problems(tmp_path, catalogue, text)
    assert any(expected in p for p in problems), problems


def test_empty_policy_directory_is_an_error(tmp_path: Path, catalogue: Catalogue) -> None:
    with pytest.raises(PolicyError, match="no policy files"):
        load_policy(tmp_path, catalogue)


# ---------------------------------------------------------------- primitives

BASE = """\
hostname r1
ip ssh version 2
logging host 10.62.0.20
logging host 10.62.0.21
ntp server 10.62.0.10
interface GigabitEthernet0/0
 description TSLCD to the provider
 ip address 10.62.1.1 255.255.255.252
 ip access-group WAN-IN in
interface GigabitEthernet0/1
 description INTERNET uplink
 ip address 203.0.113.2 255.255.255.252
interface GigabitEthernet0/2
 description LAN
 ip address 10.62.1.129 255.255.255.128
ip access-list extended WAN-IN
 permit tcp any any eq 22
line con 0
 exec-timeout 5 0
line vty 0 4
 exec-timeout 10 0
 transport input ssh
"""


def test_present_and_absent(tmp_path: Path, catalogue: Catalogue) -> None:
    pol = _policy(tmp_path, catalogue, [
        _rule("MGMT-02", {"present": "^ip ssh version 2$"}),
        _rule("MGMT-05", {"absent": ["^ip http server$", "^ip http secure-server$"]}),
    ])
    assert _verdict(pol, catalogue, BASE, "MGMT-02")[0] == Status.PASS
    assert _verdict(pol, catalogue, BASE.replace("ip ssh version 2", "ip ssh version 1"), "MGMT-02")[0] == Status.FAIL
    assert _verdict(pol, catalogue, BASE, "MGMT-05")[0] == Status.PASS
    assert _verdict(pol, catalogue, BASE + "ip http server\n", "MGMT-05")[0] == Status.FAIL


def test_each_section_compare(tmp_path: Path, catalogue: Catalogue) -> None:
    pol = _policy(tmp_path, catalogue, [_rule("MGMT-04", {
        "each": "^line (?:con 0|vty )",
        "compare": {"match": "^exec-timeout (?P<m>\\d+)(?: (?P<s>\\d+))?", "value": {"m": 60, "s": 1},
                    "above": 0, "max": 600}})])
    assert _verdict(pol, catalogue, BASE, "MGMT-04")[0] == Status.PASS
    assert _verdict(pol, catalogue, BASE.replace("exec-timeout 10 0", "exec-timeout 10 1"), "MGMT-04")[0] == Status.FAIL
    assert _verdict(pol, catalogue, BASE.replace("exec-timeout 5 0", "exec-timeout 0 0"), "MGMT-04")[0] == Status.FAIL
    status, reason = _verdict(pol, catalogue, BASE.replace(" exec-timeout 10 0\n", ""), "MGMT-04")
    assert status == Status.FAIL and "line vty 0 4" in reason


def test_count_with_level_split(tmp_path: Path, catalogue: Catalogue) -> None:
    rx = "^logging (?:host )?(?P<addr>\\d+\\.\\d+\\.\\d+\\.\\d+)"
    pol = _policy(tmp_path, catalogue, [
        {**_rule("LOG-01", {"count": {"match": rx, "min": 2}}), "id": "t-log-3", "applies": {"min_level": 3}},
        {**_rule("LOG-01", {"count": {"match": rx, "min": 1}}), "id": "t-log-1", "applies": {"max_level": 2}},
    ])
    one = BASE.replace("logging host 10.62.0.21\n", "")
    assert _verdict(pol, catalogue, BASE, "LOG-01")[0] == Status.PASS
    assert _verdict(pol, catalogue, one, "LOG-01")[0] == Status.FAIL
    assert _verdict(pol, catalogue, one, "LOG-01", level=2)[0] == Status.PASS
    assert _verdict(pol, catalogue, one.replace("logging host 10.62.0.20\n", ""), "LOG-01", level=1)[0] == Status.FAIL


def test_interfaces_by_role_from_description_or_uplinks(tmp_path: Path, catalogue: Catalogue) -> None:
    pol = _policy(tmp_path, catalogue, [_rule("DP-05", {"interfaces": "external",
                                                         "present": "^ip access-group \\S+ in$"})])
    # by description: Gi0/1 (INTERNET) has no inbound filter
    status, reason = _verdict(pol, catalogue, BASE, "DP-05")
    assert status == Status.FAIL and "GigabitEthernet0/1" in reason and "GigabitEthernet0/0" not in reason
    # uplinks in inventory win over descriptions (abbreviated names match)
    assert _verdict(pol, catalogue, BASE, "DP-05", uplinks={"tslcd": ["Gi0/0"]})[0] == Status.PASS
    # an empty uplinks mapping means no external interface: not applicable
    assert _verdict(pol, catalogue, BASE, "DP-05", uplinks={})[0] == Status.NOT_APPLICABLE
    # free-text descriptions are not roles
    free = BASE.replace("description INTERNET uplink", "description Internet - may tra cuu")
    assert _verdict(pol, catalogue, free, "DP-05")[0] == Status.PASS


def test_defined_and_references(tmp_path: Path, catalogue: Catalogue) -> None:
    objects = {"acl": {"defs": ["^ip access-list (?:standard|extended) (?P<name>\\S+)"],
                       "refs": ["^ip access-group (?P<name>\\S+)"]}}
    pol = _policy(tmp_path, catalogue, [_rule("DP-06", {"references": ["acl"], "anywhere": True})], objects)
    assert _verdict(pol, catalogue, BASE, "DP-06")[0] == Status.PASS
    status, reason = _verdict(pol, catalogue, BASE.replace("ip access-list extended WAN-IN", "ip access-list extended X"),
                              "DP-06")
    assert status == Status.FAIL and "acl WAN-IN" in reason


def test_within_prefixes_and_servers(tmp_path: Path, catalogue: Catalogue) -> None:
    pol = _policy(tmp_path, catalogue, [
        _rule("WAN-02", {"interfaces": "tslcd",
                         "within": {"match": "^ip address (?P<addr>\\S+) (?P<mask>\\S+)",
                                    "prefixes": "allocated_prefixes"}},
              when={"host": ["allocated_prefixes"]}),
        _rule("WAN-03", {"within": {"match": "^ntp server (?P<addr>\\S+)", "servers": "ntp"}},
              when={"host": ["designated_servers.ntp"]}),
    ])
    assert _verdict(pol, catalogue, BASE, "WAN-02")[0] == Status.NOT_APPLICABLE
    assert _verdict(pol, catalogue, BASE, "WAN-02", allocated_prefixes=["10.62.1.0/24"])[0] == Status.PASS
    status, reason = _verdict(pol, catalogue, BASE, "WAN-02", allocated_prefixes=["10.62.2.0/24"])
    assert status == Status.FAIL and "10.62.1.1" in reason
    assert _verdict(pol, catalogue, BASE, "WAN-03", designated_servers={"ntp": ["10.62.0.10"]})[0] == Status.PASS
    assert _verdict(pol, catalogue, BASE, "WAN-03", designated_servers={"ntp": ["10.62.0.11"]})[0] == Status.FAIL
    by_name = BASE.replace("ntp server 10.62.0.10", "ntp server pool.ntp.org")
    assert _verdict(pol, catalogue, by_name, "WAN-03", designated_servers={"ntp": ["10.62.0.10"]})[0] == Status.FAIL


def test_pass_if_global_and_any_of(tmp_path: Path, catalogue: Catalogue) -> None:
    pol = _policy(tmp_path, catalogue, [
        _rule("SVC-02", {"interfaces": "external", "pass_if": "^no cdp run$", "present": "^no cdp enable$"}),
        _rule("MGMT-06", {"any_of": ["^banner login$", "^banner motd$"]}),
    ])
    assert _verdict(pol, catalogue, BASE, "SVC-02")[0] == Status.FAIL
    assert _verdict(pol, catalogue, "no cdp run\n" + BASE, "SVC-02")[0] == Status.PASS
    assert _verdict(pol, catalogue, BASE, "MGMT-06")[0] == Status.FAIL
    assert _verdict(pol, catalogue, BASE + "banner motd ^CAuthorised only^C\n", "MGMT-06")[0] == Status.PASS


def test_generic_hostname_check(tmp_path: Path, catalogue: Catalogue) -> None:
    pol = _policy(tmp_path, catalogue, [_rule("WAN-05", {"python": "hostname_matches",
                                                         "params": {"match": "^hostname (?P<name>\\S+)"}})])
    assert _verdict(pol, catalogue, BASE, "WAN-05", name="R1.dbn.gov.vn")[0] == Status.PASS
    status, reason = _verdict(pol, catalogue, BASE, "WAN-05", name="r2")
    assert status == Status.FAIL and "'r1'" in reason
