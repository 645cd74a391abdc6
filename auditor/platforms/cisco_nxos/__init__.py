"""Cisco NX-OS (Nexus): parser, secret redaction, interface syntax and named checks."""

from __future__ import annotations

import dataclasses
import re

from ..base import Platform, Redaction
from ..cisco_ios import PLATFORM as IOS
from .checks import CHECKS
from .parser import parse

# Secrets NX-OS can print. Each pattern's group 1 is kept, group 2 (the secret) becomes <redacted>;
# type digits (`password 5`, `key 7`) stay, so a redacted config is audited exactly like the
# original. NX-OS quotes some keys (`key 7 "..."`): the quotes go with the secret. Community
# positions keep the well-known defaults (`public`...): they are published, and SNMP-01 must see them.
_REDACTIONS: tuple[tuple[str, bool], ...] = (
    # username x password 5 $5$..., enable secret 5 ..., BGP neighbour / LDAP `password 3 ...`;
    # not the global switches `password strength-check|secure-mode|prompt`, `feature password encryption`
    (r"\b((?:secret|password)(?: [0-9])?) (?!strength-check\b|secure-mode\b|prompt\b|encryption\b)(\S+)", False),
    (r"\b(key-string(?: [0-9])?) (\S+)", False),  # key chains, HSRP `authentication md5 key-string`
    (r"\b(authentication-key \d+ md5) (\S+)", False),  # ntp authentication-key 1 md5 <key> 7
    (r"^(ip ospf authentication-key(?: [0-9])?) (\S+)", False),
    (r"\b(message-digest-key \d+ md5(?: [0-9])?) (\S+)", False),
    (r"^((?:tacacs-server|radius-server)(?: host \S+(?: .*?)?)? key(?: [0-9])?) (\S+)", False),
    (r"\b(authentication text) (\S+)", False),  # HSRP / VRRP cleartext
    (r"\b(hello-authentication ah-md5(?: [0-9])?) (\S+)", False),  # PIM
    (r"\b(keyid \d+ (?:hex-)?key) (\S+)", False),  # BFD
    # SNMP: communities, the community of a v1/v2c trap host, v3 user auth/priv passwords
    (r"^(snmp-server community) (\S+)", True),
    (r"^(snmp-server host \S+(?: traps| informs)?(?: version (?:1|2c|3 (?:auth|noauth|priv)))?) "
     r"(?!version\b|use-vrf\b|source-interface\b|filter-vrf\b)(\S+)", True),
    (r"\b(auth (?:md5|sha\S*)) (\S+)", False),
    (r"\b(priv(?: aes-128| aes-256| 3des| des)?) (\S+)", False),
)

# Interface sections are written as on IOS; the names differ: Ethernet is the only physical port
# (mgmt0 is the management port), Eth/Po/Lo/Vl are the abbreviations operators type.
_INTERFACES = dataclasses.replace(
    IOS.interfaces,
    physical=r"^(?i:Ethernet)[0-9/]+$",
    abbreviations={"e": "ethernet", "et": "ethernet", "eth": "ethernet", "po": "port-channel", "lo": "loopback",
                   "vl": "vlan", "tu": "tunnel"},
)

PLATFORM = Platform(
    name="cisco_nxos",
    display_name="Cisco NX-OS",
    parse=parse,
    redactions=tuple(Redaction(re.compile(p), community) for p, community in _REDACTIONS),
    interfaces=_INTERFACES,
    checks=CHECKS,
    show_config_command="show running-config",
    netmiko_device_type="cisco_nxos",
    secret_words=("secret", "password", "key", "community", "snmp", "auth", "priv"),
)
