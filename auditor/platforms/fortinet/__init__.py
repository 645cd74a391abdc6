"""Fortinet FortiOS (FortiGate): parser, secret redaction, interface syntax and named checks."""

from __future__ import annotations

import re

from ..base import InterfaceSyntax, Platform, Redaction
from .checks import CHECKS
from .parser import odd_quotes, parse

# Secrets FortiOS can print. Group 1 (kept) is the statement up to the secret, group 2 the secret,
# which becomes <redacted>. FortiOS prints stored secrets as `ENC <base64>`; hand-written configs
# may hold them in clear. Patterns allow indentation (redact_config sees raw lines) and run with
# DOTALL, so a multi-line quoted value (a PEM private key) is one secret.
_REDACTIONS: tuple[tuple[str, bool], ...] = (
    # password, passwd, psksecret, secret, key, auth-pwd, priv-pwd, authentication-key, private-key,
    # key-string, passphrase, sae-password, secondary-/tertiary- forms, passwd1...: the attribute
    # name ends in one of these words, optionally followed by ENC
    (r"^(\s*set [\w-]*(?:password|passwd|secret|pwd|passphrase|psk|key|key-string|auth-string)\d*(?: ENC)?) (\S.*)$",
     False),
    # OSPF/RIP keys written with their key id: set md5-keys 1 ENC ..., set md5-key 1 "..."
    (r"^(\s*set md5-keys?(?: \d+)?(?: ENC)?) (\S.*)$", False),
    # certificates, CSRs and CRLs pasted as PEM blocks
    (r"^(\s*set (?:certificate|csr|ca|crl)) (\"?-----BEGIN .*)$", False),
    # any other value the device printed encrypted
    (r"^(\s*set \S+(?: \S+)*? ENC) (\S+)", False),
    # SNMP community names (`config system snmp community` / `set name X`). A line alone does not
    # say which table it came from, so every `set name` value is treated as one; well-known
    # defaults stay readable (they are SNMP-01's finding). redact_config, which sees the tables,
    # redacts names only inside the community table.
    (r"^(\s*set name) (\S.*)$", True),
)
_COMMUNITY_TABLE = "config system snmp community"
_NAME = re.compile(r"^\s*set name ")


class FortiOSPlatform(Platform):
    """FortiOS: a whole config is redacted statement by statement, multi-line quoted values included."""

    def redact_config(self, text: str) -> str:
        """A whole config with every secret redacted; line numbers are kept (a multi-line secret leaves blank lines)."""
        raw = text.split("\n")
        out: list[str] = []
        depth = 0  # open `config` blocks
        community: int | None = None  # depth at which the community table opened
        i = 0
        while i < len(raw):
            line = raw[i]
            stripped = line.strip()
            end = i
            if '"' in line and odd_quotes(line):  # a quoted value runs on: take it whole
                end = i + 1
                while end < len(raw) and not ('"' in raw[end] and odd_quotes(raw[end])):
                    end += 1
                end = min(end, len(raw) - 1)
            if stripped.startswith("config "):
                if stripped == _COMMUNITY_TABLE and community is None:
                    community = depth
                depth += 1
            elif stripped == "end":
                depth -= 1
                if community is not None and depth <= community:
                    community = None
            if end == i and community is None and _NAME.match(line):
                out.append(line)  # an object's name, not a community
            else:
                block = "\n".join(raw[i:end + 1])
                redacted = self.redact(block).split("\n")
                out.extend(redacted + [""] * (end + 1 - i - len(redacted)))
            i = end + 1
        return "\n".join(out)


PLATFORM = FortiOSPlatform(
    name="fortinet",
    display_name="Fortinet FortiOS (FortiGate)",
    parse=parse,
    redactions=tuple(Redaction(re.compile(p, re.DOTALL), community) for p, community in _REDACTIONS),
    interfaces=InterfaceSyntax(
        container=r"^config system interface$",
        section=r'^edit "?(?P<name>[^"]+)"?$',
        # alias or description; an empty value (`set alias ''`) does not match
        description=r"""^set (?:alias|description) "?(?P<text>[^"']+)""",
        shutdown=r"^set status down$",
        physical=r"^(?:port|wan|lan|internal|dmz|mgmt|ha|x|s|a|b|vw)\d*$",
    ),
    checks=CHECKS,
    show_config_command="show full-configuration",
    netmiko_device_type="fortinet",
    secret_words=("ENC", "pass", "pwd", "secret", "psk", "key", "auth-string", "-----BEGIN", "set name"),
    enable=False,
    # netmiko switches the console to `set output standard` (a device-wide setting) for the
    # session and restores paging only when it logs out properly
    graceful_logout=True,
)
