"""Juniper Junos: parser (brace and `display set` forms), secret redaction, interface syntax, named checks.

The configuration is collected in brace form (`show configuration | no-more`): it is what the
device stores and what snapshots keep, so a live audit and an audit of the saved snapshot point
at the same line numbers; it keeps `inactive:` markers and `## SECRET-DATA` comments. `| no-more`
keeps the pager out of the output. The parser reads both forms, so a `display set` snapshot
audits the same.

Interfaces: an interface is a physical interface (`ge-0/0/0`, `ae0`, `lo0`); its units are part
of it. The inventory's `uplinks` name physical interfaces, and every unit of an uplink is external.
"""

from __future__ import annotations

import re

from ..base import InterfaceSyntax, Platform, Redaction
from .checks import CHECKS
from .parser import parse

# Secrets Junos can print, matched both in set paths (evidence, `display set` text) and in brace
# lines. Each pattern's group 1 is kept, group 2 (the secret) becomes <redacted>. Junos prints
# every reversible secret as a quoted `$9$` string; the explicit keyword positions also catch
# values typed in the clear. An encrypted-password keeps its hash scheme (`"$1$`, `"$6$`) so that
# AAA-02 judges a redacted config as the original.
_VALUE = r'("[^"]*"|[^\s;]+)'  # a secret: a quoted string or a word (never the `;` after it)
_REDACTIONS: tuple[tuple[str, bool], ...] = (
    # login hashes: root-authentication, login user authentication
    (r'\b(encrypted-password "?(?:\$[\w-]+\$)?)([^"\s;]+)', False),
    # NTP keys (the key number stays: LOG-04 reads it)
    (r"\b(authentication-key \d+ type \S+ value) " + _VALUE, False),
    # BGP/IS-IS/RIP/VRRP/SNMPv3 keys, OSPF md5 keys and simple passwords
    (r"\b(authentication-key) (?!\d+ type )" + _VALUE, False),
    (r"\b(md5 \d+ key) " + _VALUE, False),
    (r"\b(simple-password) " + _VALUE, False),
    # TACACS+/RADIUS secrets, key-chain secrets
    (r"\b(secret) " + _VALUE, False),
    # IKE pre-shared keys
    (r"\b(pre-shared-key (?:ascii-text|hexadecimal)) " + _VALUE, False),
    # SNMPv3 user passwords and keys, v1/v2c communities given under `v3 snmp-community`
    (r"\b(authentication-password|privacy-password|privacy-key|community-name) " + _VALUE, False),
    (r"\b(challenge-password) " + _VALUE, False),
    # quoted passwords (archive sites, ...) and any reversible $9$ string left
    (r'(?<![\w-])(password) ("[^"]*")', False),
    (r'(^|["\s])(\$9\$[^"\s;]+)', False),
    # credentials inside URLs (archive sites, license servers)
    (r"(\b[a-z][\w+.-]*://[^:/@\s\"]+:)([^@\s\"]+)(?=@)", False),
    # SNMP communities: set paths and `set` lines, and brace lines at the first level under
    # `snmp {` (4 spaces). A policy-options community (`community X members ...`) is a route tag,
    # not a secret, and stays readable.
    (r'^((?:set |deactivate |delete )?snmp community) ("[^"]*"|\S+)', True),
    (r'^( {4}community) (?!\S+ members\b)("[^"]*"|[^\s;{]+)', True),
)

PLATFORM = Platform(
    name="juniper_junos",
    display_name="Juniper Junos",
    parse=parse,
    redactions=tuple(Redaction(re.compile(p), community) for p, community in _REDACTIONS),
    interfaces=InterfaceSyntax(
        # every physical interface; interface-range and traceoptions are not interfaces
        section=r"^interfaces (?P<name>(?!interface-range |traceoptions |apply-groups)[^\s\"]+)",
        description=r'^description "?(?P<text>.*?)"?$',
        shutdown=r"^disable$",
        physical=r"^(?:fe|ge|xe|et|mge|ce|xle|fte|sxe)-\d+/\d+/\d+(?::\d+)?$",
    ),
    checks=CHECKS,
    show_config_command="show configuration | no-more",
    netmiko_device_type="juniper_junos",
    secret_words=("$", "secret", "key", "password", "community", "://"),
    enable=False,
)
