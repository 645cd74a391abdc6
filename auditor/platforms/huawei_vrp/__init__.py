"""Huawei VRP (VRP5: AR routers, S switches; VRP8: NE, CE): parser, redaction, interface syntax, named checks."""

from __future__ import annotations

import re

from ..base import InterfaceSyntax, Platform, Redaction
from .checks import CHECKS
from .parser import parse

# A stored value as VRP prints it: reversible or irreversible ciphertext between its markers
# (`%^%#...%^%#` VRP5, `%@%@...%@%@` and `%#%#...%#%#` VRP8; they may hold any character), else
# one word (`$1a$...$`, `$1c$...$` hashes, or clear text).
_VALUE = r"(%\^%#.*?%\^%#|%@%@.*?%@%@|%#%#.*?%#%#|@%@%.*?@%@%|\S+)"
# How the value is stored, kept in the redacted line so it is audited like the original.
_FORM = r"(?: (?:simple|plain|cipher|irreversible-cipher))?"

# Secrets VRP can print. Group 1 (the keywords, the storage form) is kept; group 2, the secret,
# becomes <redacted>. Community positions keep the well-known defaults (`public`...): they are
# published, not secret, and SNMP-01 must still see them.
_REDACTIONS: tuple[tuple[str, bool], ...] = (
    # local-user U password irreversible-cipher X, set authentication password cipher X,
    # super password level 15 cipher X, peer P password cipher X, ppp/l2tp passwords, usm-user
    # authentication-password / privacy-password X; not `authentication-type password` (no value)
    (rf"\b((?<!md5-)password(?: level \d+)?{_FORM}) (?!policy\b|expire\b|alert\b|history\b){_VALUE}", False),
    # MPLS LDP: md5-password cipher|plain PEER X (before the generic rule: the peer is no secret)
    (rf"\b(md5-password (?:cipher|plain) \S+) {_VALUE}", False),
    # any other `cipher X` / `irreversible-cipher X` (not `ssh server cipher aes256-ctr`)
    (rf"(?<!ssh server )(?<!ssh client )(?<!md5-password )\b((?:irreversible-)?cipher) {_VALUE}", False),
    # hwtacacs-server / radius-server shared-key [cipher] X, key-string, IKE pre-shared-key, WLAN pass-phrase
    (rf"\b((?:shared-key|key-string|pass-phrase){_FORM}) {_VALUE}", False),
    # OSPF/IS-IS (area-/domain-)authentication-mode md5 1 cipher X, simple plain X; NTP keys; VRRP;
    # SNMPv3 usm-user authentication-mode sha X and privacy-mode aes128 X
    (r"\b(authentication-mode (?:simple|md5|hmac-md5|hmac-sha1|hmac-sha256|sha|sha2-\d+)(?: key-id \d+| \d+)?"
     rf"{_FORM}) {_VALUE}", False),
    (rf"\b(privacy-mode \S+{_FORM}) {_VALUE}", False),
    # SNMP: clear-text communities, and the community a v1/v2c trap target names (for v3 the
    # security name is a user name, no secret)
    (r"^(snmp-agent community (?:read|write)(?: simple)?) (?!cipher\b)(\S+)", True),
    (r"\b(securityname) (?!cipher\b)(\S+)(?!.* v3\b)", True),
)


class VrpPlatform(Platform):
    """VRP also writes interface names with a space (`GigabitEthernet 0/0/1`, `Eth-Trunk 1`)."""

    def canonical_ifname(self, name: str) -> str:
        return super().canonical_ifname(name.replace(" ", ""))


PLATFORM = VrpPlatform(
    name="huawei_vrp",
    display_name="Huawei VRP",
    parse=parse,
    redactions=tuple(Redaction(re.compile(p), community) for p, community in _REDACTIONS),
    interfaces=InterfaceSyntax(
        section=r"^interface (?P<name>\S+(?: \d[\d/:.]*)?)",
        description=r"^description ",
        shutdown=r"^shutdown$",
        physical=r"^(?i:(?:X|Multi)?GigabitEthernet|Ethernet|(?:10|25|40|50|100|200|400)?GE|XGE|MultiGE) ?[0-9][0-9/:]*$",
        abbreviations={
            "ge": "gigabitethernet",
            "xge": "xgigabitethernet",
            "eth": "ethernet",
            "loop": "loopback",
            "vlan": "vlanif",
        },
    ),
    checks=CHECKS,
    show_config_command="display current-configuration",
    netmiko_device_type="huawei",
    secret_words=("password", "cipher", "key", "pass-phrase", "authentication-mode", "privacy-mode",
                  "community", "securityname"),
    enable=False,
)
