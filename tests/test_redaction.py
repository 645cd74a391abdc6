"""Secrets never leave the engine in clear: canaries planted in every position IOS allows."""

from __future__ import annotations

import pytest

from auditor.platforms import get_platform

IOS = get_platform("cisco_ios")

# Every line holds a canary (CANARY...) where IOS prints a password, secret, key or community.
IOS_SECRET_LINES = [
    "enable secret 9 $9$CANARYa1b2c3$CANARYhash",
    "enable secret 5 $1$CANARY$abcdefghijklmnop",
    "enable secret CANARYplain",
    "enable secret level 5 5 $1$CANARY$x",
    "enable password 7 CANARY0822455D0A16",
    "enable password CANARYclear",
    "username admin privilege 15 secret 9 $9$CANARY$xyz",
    "username ops password 7 CANARY094F471A1A0A",
    "username ops privilege 15 password 0 CANARYclear",
    "username ops secret CANARYnotype",
    "password 7 CANARY045802150C2E",
    "password CANARYline",
    "snmp-server community CANARYro RO 10",
    "snmp-server community CANARYrw view ALL RW SNMP-ACL",
    "snmp-server user monitor NMS v3 auth sha CANARYauth priv aes 128 CANARYpriv",
    "snmp-server user monitor NMS v3 auth md5 CANARYauth priv des CANARYpriv",
    "snmp-server host 10.62.0.40 version 2c CANARYtrap",
    "snmp-server host 10.62.0.40 informs version 2c CANARYinform",
    "snmp-server host 10.62.0.40 CANARYv1",
    "snmp mib community-map CANARYmap context c1",
    "tacacs-server key 7 CANARY01100F175804",
    "tacacs-server host 10.62.0.30 key CANARYhostkey",
    "radius-server host 10.62.0.31 auth-port 1812 acct-port 1813 key 7 CANARY1511",
    "radius-server key CANARYradius",
    "key 7 CANARY070C285F4D06",
    "key CANARYserverkey",
    "server-private 10.62.0.30 key 7 CANARY0822",
    "server-private 10.62.0.30 timeout 5 key CANARYpriv",
    "ntp authentication-key 1 md5 CANARY1234 7",
    "ntp authentication-key 2 hmac-sha2-256 CANARYsha 7",
    "key-string 7 CANARY13061E010803",
    "key-string CANARYclear",
    "neighbor 10.62.200.1 password 7 CANARY104D000A0618",
    "neighbor TSLCD-PE password CANARYclear",
    "ip ospf authentication-key 7 CANARY0822",
    "ip ospf message-digest-key 1 md5 7 CANARY0822",
    "ip ospf message-digest-key 1 md5 CANARYclear",
    "area 0 virtual-link 1.1.1.1 message-digest-key 1 md5 CANARYvl",
    "crypto isakmp key CANARYpsk address 203.0.113.9",
    "crypto isakmp key 6 CANARYpsk6 address 203.0.113.9",
    "pre-shared-key address 203.0.113.9 key CANARYkr",
    "pre-shared-key local CANARYlocal",
    "ppp chap password 7 CANARY0822",
    "ppp pap sent-username dbn password 0 CANARYpap",
    "standby 1 authentication md5 key-string CANARYhsrp",
    "vrrp 1 authentication text CANARYvrrp",
    "authentication md5 key CANARYglbp",
    "wpa-psk ascii 0 CANARYwifi",
    "ip ftp password CANARYftp",
    "ip nhrp authentication CANARYnhrp",
    "isis password CANARYisis",
    "area-password CANARYarea",
    "domain-password CANARYdomain",
    "cable shared-secret CANARYcable",
    "l2tp tunnel password 7 CANARYl2tp",
    "cts sxp default password 7 CANARYsxp",
]


@pytest.mark.parametrize("line", IOS_SECRET_LINES)
def test_ios_redaction_removes_every_canary(line: str) -> None:
    redacted = IOS.redact(line)
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
