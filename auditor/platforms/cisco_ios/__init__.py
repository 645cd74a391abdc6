"""Cisco IOS and IOS-XE: parser, secret redaction, interface syntax and named checks."""

from __future__ import annotations

import re

from ..base import InterfaceSyntax, Platform, Redaction
from .checks import CHECKS
from .parser import parse

# Secrets IOS can print. Each pattern's group 1 is kept, the word after it is the secret and
# becomes <redacted>; type digits (`secret 9`, `password 7`) stay, so a redacted config is audited
# exactly like the original. Community positions keep the well-known defaults (`public`...): they
# are published, not secret, and SNMP-01 must still see them.
_REDACTIONS: tuple[tuple[str, bool], ...] = (
    # enable secret 9 $9$..., enable password 7 ..., username x secret 9 ..., line password, neighbor password
    (r"\b((?:secret|password)(?: level \d+)?(?: [0-9])?) (?!level\b)(\S+)", False),
    (r"\b(key-string(?: [0-9])?) (\S+)", False),
    (r"\b(authentication-key \d+ (?:md5|sha1|sha256|hmac-sha\S*|cmac-aes-128)) (\S+)", False),
    (r"^((?:tacacs-server|radius-server)(?: host \S+(?: .*?)?)? key(?: [0-9])?) (\S+)", False),
    (r"^(key(?: [0-9])?) (?!chain\b|config-key\b)(\S+)", False),
    (r"\b(server-private \S+(?: .*?)? key(?: [0-9])?) (\S+)", False),
    (r"\b(pre-shared-key\b.*) (\S+)$", False),  # the key is always the last word
    (r"^(crypto isakmp key(?: [0-9])?) (\S+)", False),
    (r"\b(authentication-key(?: [0-9])?) (\S+)", False),
    (r"\b(message-digest-key \d+ md5(?: [0-9])?) (\S+)", False),
    (r"\b(ip nhrp authentication) (\S+)", False),
    (r"\b(authentication (?:text|md5|hmac-sha\S*)(?: key)?(?: [0-9])?) (\S+)", False),
    # SNMP: communities, v3 user auth/priv passwords, the community of a trap host
    (r"^(snmp-server community) (\S+)", True),
    (r"\b(community-map) (\S+)", True),
    (r"^(snmp-server host \S+(?: vrf \S+)?(?: informs| traps)?(?: version (?:1|2c|3 (?:auth|noauth|priv)))?) (?!version\b)(\S+)",
     True),
    (r"\b(auth (?:md5|sha\S*)) (\S+)", False),
    (r"\b(priv (?:des|3des|aes(?: \d+)?)) (\S+)", False),
    # wireless and PPP
    (r"\b(wpa-psk ascii(?: [0-9])?) (\S+)", False),
    (r"\b(ppp (?:chap|pap) (?:password|sent-username \S+ password)(?: [0-9])?) (\S+)", False),
)

PLATFORM = Platform(
    name="cisco_ios",
    display_name="Cisco IOS / IOS-XE",
    parse=parse,
    redactions=tuple(Redaction(re.compile(p), community) for p, community in _REDACTIONS),
    interfaces=InterfaceSyntax(
        section=r"^interface (?P<name>\S+)",
        description=r"^description ",
        shutdown=r"^shutdown$",
        physical=r"^(?i:(?:Fast|Gigabit|TenGigabit|TwentyFiveGig|FortyGigabit|HundredGig|TwoGigabit|FiveGigabit)?Ethernet|TwentyFiveGigE|FiftyGigE|HundredGigE|FourHundredGigE|AppGigabitEthernet|Serial|POS)[0-9/]+$",
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
    netmiko_device_type="cisco_ios",
    secret_words=("secret", "password", "key", "community", "snmp", "auth", "priv", "wpa-psk", "ppp", "nhrp"),
    enable=True,
)
