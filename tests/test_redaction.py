"""Secrets never leave the engine in clear: canaries planted in every position each platform allows.

tests/fixtures/<platform>/secrets.txt lists, one per line, statements holding a canary (CANARY...)
where the platform prints a password, secret, key or community.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from auditor.platforms import get_platform, known_platforms
from auditor.platforms.base import Redaction

IOS = get_platform("cisco_ios")
FIXTURES = Path(__file__).parent / "fixtures"


def secret_lines(platform: str) -> list[str]:
    path = FIXTURES / platform / "secrets.txt"
    return [line.rstrip("\n") for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


CASES = [(p, line) for p in known_platforms() if (FIXTURES / p / "secrets.txt").exists() for line in secret_lines(p)]
IOS_SECRET_LINES = secret_lines("cisco_ios")


def test_every_platform_has_canaries() -> None:
    assert sorted({p for p, _ in CASES}) == sorted(known_platforms())


@pytest.mark.parametrize(("platform", "line"), CASES, ids=[f"{p}:{line[:40]}" for p, line in CASES])
def test_redaction_removes_every_canary(platform: str, line: str) -> None:
    redacted = get_platform(platform).redact(line)
    assert "CANARY" not in redacted, redacted
    assert "<redacted>" in redacted
    # the statement stays recognisable: its first word survives
    assert redacted.split()[0] == line.split()[0]


@pytest.mark.parametrize("line", [
    "service password-encryption",
    "security passwords min-length 10",
    "key chain OSPF-KEYS",
    "ip ssh version 2",
    "aaa authentication login default group tacacs+ local",
    "login block-for 120 attempts 3 within 60",
])
def test_ios_redaction_leaves_ordinary_lines_alone(line: str) -> None:
    assert IOS.redact(line) == line


def test_well_known_communities_stay_readable_others_do_not() -> None:
    assert IOS.redact("snmp-server community public RO") == "snmp-server community public RO"
    assert IOS.redact("snmp-server community CANARYx RO") == "snmp-server community <redacted> RO"
    # a well-known word as a password is still a password
    assert IOS.redact("enable password cisco") == "enable password <redacted>"


def test_redacted_config_keeps_type_digits() -> None:
    text = "enable secret 5 $1$CANARY$x\nusername a password 7 CANARY1\nhostname r1"
    assert IOS.redact_config(text) == "enable secret 5 <redacted>\nusername a password 7 <redacted>\nhostname r1"


def test_ios_evidence_is_redacted_by_the_engine() -> None:
    from test_rules import baseline, mutate, run, setup

    case = {"id": "community", "base": "wan-edge", "add": ["snmp-server community Kx7vB2nR RO SNMP-ACL"]}
    _, findings = run("cisco_ios", mutate("cisco_ios", baseline("cisco_ios", "wan-edge"), case),
                      setup("cisco_ios")["hosts"]["wan-edge"])
    texts = [e.text for f in findings for e in f.evidence]
    assert texts and not any("Kx7vB2nR" in t for t in texts)


@pytest.mark.parametrize("platform", known_platforms())
def test_word_precheck_skips_only_lines_the_pattern_cannot_match(platform: str) -> None:
    """A redaction skips its regex on a line without any of its opening words: on every canary line
    and every line of the platform's fixture configs, the result is what the regex alone gives."""
    redactions = get_platform(platform).redactions
    lines = set(secret_lines(platform))
    for path in (FIXTURES / platform).glob("*.cfg"):
        lines.update(path.read_text(encoding="utf-8").splitlines())
    assert sum(r.words is not None for r in redactions) >= 1 or platform == "fortinet"
    for r in redactions:
        for line in lines:
            assert r.apply(line) == r.pattern.sub(r._replace, line), (r.pattern.pattern, line)


def test_opening_words_of_a_choice_are_all_its_words() -> None:
    r = Redaction(re.compile(r"\b(authentication-password|privacy-key) (\S+)"))
    assert r.words == ("authentication-password", "privacy-key")
    assert r.apply("privacy-key CANARY") == "privacy-key <redacted>"
    assert Redaction(re.compile(r"\b(abc(?:x)|def) (\S+)")).words is None  # a choice of more than words
    assert Redaction(re.compile(r"\b((?<!md5-)password) (\S+)")).words is None
