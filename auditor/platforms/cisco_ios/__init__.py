"""Cisco IOS and IOS-XE: parser, secret redaction, interface syntax and named checks."""

from __future__ import annotations

import re

from ..base import InterfaceSyntax, Platform
from .checks import CHECKS
from .parser import parse

# Secrets IOS can print, as (pattern, replacement): the group before the secret is kept and the
# secret itself becomes <redacted>. Order matters: specific forms first.
_R = "<redacted>"
_REDACTIONS: tuple[tuple[str, str], ...] = (
    # enable secret 9 $9$..., enable password 7 ..., username x secret 9 ..., username x password 0 ...
    (r"\b((?:secret|password)(?: level \d+)?(?: [0-9])?) (?!level\b)\S+", rf"\1 {_R}"),
    # key 7 ..., key-string 7 ..., tacacs/radius "key", ntp authentication-key 1 md5 ..., pre-shared-key
    (r"\b(key-string(?: [0-9])?) \S+", rf"\1 {_R}"),
    (r"\b(authentication-key \d+ (?:md5|sha1|sha256|hmac-sha\S*|cmac-aes-128)) \S+", rf"\1 {_R}"),
    (r"^((?:tacacs-server|radius-server)(?: host \S+(?: .*?)?)? key(?: [0-9])?) \S+", rf"\1 {_R}"),
    (r"^(key(?: [0-9])?) (?!chain\b|config-key\b)\S+", rf"\1 {_R}"),
    (r"\b(server-private \S+(?: .*?)? key(?: [0-9])?) \S+", rf"\1 {_R}"),
    (r"\b(pre-shared-key\b.*) \S+$", rf"\1 {_R}"),  # the key is always the last word
    (r"^(crypto isakmp key(?: [0-9])?) \S+", rf"\1 {_R}"),
    (r"\b(authentication-key(?: [0-9])?) \S+", rf"\1 {_R}"),
    (r"\b(message-digest-key \d+ md5(?: [0-9])?) \S+", rf"\1 {_R}"),
    (r"\b(ip nhrp authentication|community-map) \S+", rf"\1 {_R}"),
    (r"\b(authentication (?:text|md5|hmac-sha\S*)(?: key)?(?: [0-9])?) \S+", rf"\1 {_R}"),
    # SNMP: communities, and v3 user auth/priv passwords, and the community of a trap host
    (r"^(snmp-server community) \S+", rf"\1 {_R}"),
    (r"\b(auth (?:md5|sha\S*)) \S+", rf"\1 {_R}"),
    (r"\b(priv (?:des|3des|aes(?: \d+)?)) \S+", rf"\1 {_R}"),
    (r"^(snmp-server host \S+(?: vrf \S+)?(?: informs| traps)?(?: version (?:1|2c|3 (?:auth|noauth|priv)))?) (?!version\b)\S+",
     rf"\1 {_R}"),
    # wireless and PPP
    (r"\b(wpa-psk ascii(?: [0-9])?) \S+", rf"\1 {_R}"),
    (r"\b(ppp (?:chap|pap) (?:password|sent-username \S+ password)(?: [0-9])?) \S+", rf"\1 {_R}"),
)

PLATFORM = Platform(
    name="cisco_ios",
    display_name="Cisco IOS / IOS-XE",
    parse=parse,
    redactions=tuple((re.compile(p), r) for p, r in _REDACTIONS),
    interfaces=InterfaceSyntax(
        section=r"^interface (?P<name>\S+)",
        description=r"^description ",
        shutdown=r"^shutdown$",
        physical=r"^(?i:(?:Fast|Gigabit|TenGigabit|TwentyFiveGig|FortyGigabit|HundredGig|TwoGigabit|FiveGigabit)?Ethernet|AppGigabitEthernet|Serial|POS)[0-9/]+$",
        abbreviations={
            "fa": "fastethernet",
            "gi": "gigabitethernet",
            "te": "tengigabitethernet",
            "tw": "twentyfivegige",
            "fo": "fortygigabitethernet",
            "hu": "hundredgige",
            "eth": "ethernet",
            "et": "ethernet",
            "lo": "loopback",
            "po": "port-channel",
            "tu": "tunnel",
            "se": "serial",
            "vl": "vlan",
        },
    ),
    checks=CHECKS,
    show_config_command="show running-config",
)
