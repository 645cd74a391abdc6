"""What a platform module provides, and the text checks every parser shares."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..errors import ParseError

if TYPE_CHECKING:
    from ..context import CheckFn

from ..config import ConfigTree, Rx, group_body, opening_words

# Largest config the auditor accepts; real running-configs stay far below a few MB.
MAX_CONFIG_BYTES = 16 * 1024 * 1024


# SNMP communities published as defaults: not secrets, and the very finding of SNMP-01.
WELL_KNOWN_COMMUNITIES = frozenset(
    {"public", "private", "cisco", "admin", "community", "snmp", "monitor", "manager", "secret"}
)
REDACTED = "<redacted>"


# A redaction pattern opens with anchors or look-behinds, then its kept group: `\b((?:secret|password) ...`.
_OPENING = re.compile(r"^(?:\^|\\b|\(\?<!(?:\\.|[^)\\])*\))*\((?!\?)")


def _opening_words(pattern: re.Pattern[str]) -> tuple[str, ...] | None:
    """The literal words a match of a redaction pattern's kept group starts with (one of them when
    it opens with alternatives), or None when they cannot be told from the pattern's text."""
    if pattern.flags & (re.IGNORECASE | re.VERBOSE):
        return None
    m = _OPENING.match(pattern.pattern)
    body = group_body(pattern.pattern[m.end():]) if m is not None else None
    return opening_words(body) if body is not None else None


@dataclass(frozen=True)
class Redaction:
    """A secret position: group 1 is kept, group 2 (the secret) becomes <redacted>.

    With `community`, a well-known default community stays readable (it is published, not secret).
    """

    pattern: re.Pattern[str]
    community: bool = False
    # words of which a matching line holds at least one (None: not known, the pattern always runs)
    words: tuple[str, ...] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "words", _opening_words(self.pattern))

    def apply(self, text: str) -> str:
        words = self.words
        if words is not None and not any(w in text for w in words):
            return text
        return self.pattern.sub(self._replace, text)

    def _replace(self, m: re.Match[str]) -> str:
        secret = m.group(2)
        if self.community and secret.strip('"').lower() in WELL_KNOWN_COMMUNITIES:
            return m.group(0)
        return m.group(0)[: m.start(2) - m.start(0)] + REDACTED + m.group(0)[m.end(2) - m.start(0):]


@dataclass(frozen=True)
class InterfaceSyntax:
    """How a platform writes interfaces, for the interface-role scopes of the policy language."""

    section: str  # header regex with a `name` group
    description: str  # child regex with a `text` group
    shutdown: str  # child regex meaning administratively down
    physical: str  # regex over the interface name: physical ports
    abbreviations: Mapping[str, str] = field(default_factory=dict)  # short prefix -> full prefix
    # header regex of the top-level table that holds the interface sections (FortiOS
    # `config system interface`); None when interfaces are top-level sections themselves
    container: str | None = None
    # compiled forms, made once
    section_rx: Rx = field(init=False, repr=False, compare=False)
    container_rx: Rx | None = field(init=False, repr=False, compare=False)
    description_rx: Rx = field(init=False, repr=False, compare=False)
    shutdown_rx: Rx = field(init=False, repr=False, compare=False)
    physical_rx: re.Pattern[str] = field(init=False, repr=False, compare=False)
    short_rx: re.Pattern[str] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "section_rx", Rx(self.section))
        object.__setattr__(self, "container_rx", Rx(self.container) if self.container is not None else None)
        object.__setattr__(self, "description_rx", Rx(self.description))
        object.__setattr__(self, "shutdown_rx", Rx(self.shutdown))
        object.__setattr__(self, "physical_rx", re.compile(self.physical))
        shorts = sorted(self.abbreviations, key=len, reverse=True)
        short_rx = re.compile(f"^({'|'.join(map(re.escape, shorts))})(?=[0-9])") if shorts else None
        object.__setattr__(self, "short_rx", short_rx)
        object.__setattr__(self, "_physical", {})

    def is_physical(self, name: str) -> bool:
        """Whether an interface name is a physical port (answers kept: names repeat across configs)."""
        known: dict[str, bool] = self.__dict__["_physical"]
        found = known.get(name)
        if found is None:
            if len(known) > 65536:
                known.clear()
            found = known[name] = self.physical_rx.match(name) is not None
        return found


@dataclass(frozen=True)
class Platform:
    """Everything platform-specific: parsing, secret redaction, interface syntax, named checks.

    The engine and the policy language never test a platform's name; they ask its Platform.
    """

    name: str
    display_name: str
    parse: Callable[[str], ConfigTree]
    redactions: tuple[Redaction, ...]
    interfaces: InterfaceSyntax
    checks: Mapping[str, CheckFn]
    show_config_command: str
    netmiko_device_type: str  # netmiko's name for the platform
    enable: bool = False  # the config command needs privileged (enable) mode
    graceful_logout: bool = False  # netmiko must log out properly to undo device-wide session settings
    # words without which no redaction pattern can match: one cheap search skips most lines
    secret_words: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "_ifnames", {})

    def redact(self, text: str) -> str:
        """The line with every secret, key and community replaced by `<redacted>`."""
        if not self.redactions:
            return text
        if self.secret_words:  # most lines hold none of these words: no redaction can apply
            for word in self.secret_words:
                if word in text:
                    break
            else:
                return text
        for r in self.redactions:
            text = r.apply(text)
        return text

    def redact_config(self, text: str) -> str:
        """A whole config with every secret redacted, line by line (for stored snapshots and diffs)."""
        return "\n".join(self.redact(line) for line in text.split("\n"))

    def canonical_ifname(self, name: str) -> str:
        """Full interface name for an abbreviation (`Gi0/1` -> `GigabitEthernet0/1`), lower-cased."""
        known: dict[str, str] = self.__dict__["_ifnames"]  # names repeat across configs
        found = known.get(name)
        if found is None:
            if len(known) > 65536:
                known.clear()
            low = name.lower()
            syntax = self.interfaces
            m = syntax.short_rx.match(low) if syntax.short_rx is not None else None
            found = known[name] = low if m is None else syntax.abbreviations[m.group(1)] + low[m.end(1):]
        return found


# Signatures of configuration families, to recognise a config of another vendor handed to a
# parser: each is a regex over lines and the family it reveals.
_FOREIGN_SIGNATURES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("Junos (brace format)", re.compile(r"^\s*(system|interfaces|protocols|policy-options|firewall|security) \{\s*$")),
    ("Junos (set format)", re.compile(r"^set (system|interfaces|protocols|policy-options|firewall|security) ")),
    ("FortiOS", re.compile(r"^\s*config (system|firewall|router|user|log|vpn) \S")),
    ("Huawei VRP", re.compile(r"^(sysname|undo |info-center |user-interface |return$)")),
)


_FOREIGN_FAMILIES = tuple(family for family, _ in _FOREIGN_SIGNATURES)
_FOREIGN_ANY = re.compile("|".join(f"(?P<f{i}>{rx.pattern})" for i, (_, rx) in enumerate(_FOREIGN_SIGNATURES)))


def decode_config(raw: bytes, source: str) -> str:
    """Decode config bytes as UTF-8 text, refusing binary, oversized and empty input."""
    if len(raw) > MAX_CONFIG_BYTES:
        raise ParseError(
            f"config is {len(raw) / 1048576:.1f} MB, more than the {MAX_CONFIG_BYTES // 1048576} MB limit",
            source=source,
        )
    if b"\x00" in raw[:65536]:
        raise ParseError("binary file (contains NUL bytes), not a configuration", source=source)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ParseError(f"invalid UTF-8 (byte 0x{raw[exc.start]:02x})", source=source, line=line) from exc
    if not text.strip():
        raise ParseError("empty configuration", source=source)
    return text


def refuse_implausible(tree: ConfigTree, own: str, word: re.Pattern[str], anchors: frozenset[str]) -> None:
    """Raise ParseError when the statements are not the platform's (terminal junk, a stack trace...).

    `word` matches a plausible first word of a statement; `anchors` are first words that any real
    configuration of the platform has at top level (at least one must appear).
    """
    # one test per distinct first word, through the tree's index
    bad = [lines for w, lines in tree.by_first_word().items() if not word.match(w)]
    count = sum(map(len, bad))
    if count * 10 > len(tree.lines) * 3:
        raise ParseError(f"output is not a {own} configuration ({count} of {len(tree.lines)} lines "
                         f"are not {own} statements)", line=min(lines[0].number for lines in bad))
    if not any(root.text.split(" ", 1)[0] in anchors for root in tree.roots):
        raise ParseError(f"output is not a {own} configuration (none of {', '.join(sorted(anchors))} found)")


def refuse_foreign(lines: list[str], own: str, *, exclude: tuple[str, ...] = (), sample: int = 150) -> None:
    """Raise ParseError when the text is clearly another vendor's configuration.

    `exclude` names the families (as in the signature table) that the calling parser reads itself.
    """
    head = lines[:sample]
    counts: dict[str, int] = {}
    first: dict[str, int] = {}
    match = _FOREIGN_ANY.match
    for number, line in enumerate(head, start=1):
        m = match(line)
        if m is None:
            continue
        family = _FOREIGN_FAMILIES[int(m.lastgroup[1:])]  # type: ignore[index]
        if family not in exclude:
            counts[family] = counts.get(family, 0) + 1
            first.setdefault(family, number)
    if not counts:
        return
    family, hits = max(counts.items(), key=lambda kv: kv[1])
    if hits >= 3 and hits * 10 >= min(len(head), 100):
        raise ParseError(f"this looks like a {family} configuration, not {own}", line=first[family])
