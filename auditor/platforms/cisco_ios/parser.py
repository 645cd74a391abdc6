"""Parse Cisco IOS / IOS-XE `show running-config` text into a ConfigTree."""

from __future__ import annotations

import re

from ...config import ConfigTree, build_tree
from ...errors import ParseError
from ..base import refuse_foreign, refuse_implausible

# Lines around the configuration that `show running-config` prints but that are not config.
_PREAMBLE = re.compile(
    r"^(Building configuration|Current configuration\s*:|Last configuration change|"
    r"NVRAM config last updated|No configuration change since|\S+[#>]\s*(sh|show)\s)"
)
# Statements whose text runs, over several lines, up to a closing delimiter: banners and the
# messages of `line` sections. The delimiter is the first character after the keyword (IOS
# prints the typed Ctrl-C as the two characters `^C`).
_DELIMITED = re.compile(r"^(banner \S+|refuse-message|vacant-message|busy-message)\s*(\^C|\S)(.*)$")
# Blocks of opaque data closed by a line of their own: certificate hex dumps end at `quit`,
# macros at `@`.
_BLOCK_END = {"certificate": "quit", "macro": "@"}
_BLOCK_START = re.compile(r"^(certificate|macro name) ")
_DELIMITED_WORDS = ("banner ", "refuse-message", "vacant-message", "busy-message")
_BLOCK_WORDS = ("certificate ", "macro name ")
_SPECIAL_FIRST = frozenset(w[0] for w in _DELIMITED_WORDS + _BLOCK_WORDS)  # most lines start otherwise
# IOS keywords are lower-case words; every real config has some of the anchors at top level.
_WORD = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_ANCHORS = frozenset({"hostname", "interface", "line", "version", "service", "router", "ip"})


def parse(text: str) -> ConfigTree:
    """Parse IOS running-config text; banner and certificate bodies are kept out of the tree."""
    return parse_indented(text, "Cisco IOS", _ANCHORS)


def parse_indented(text: str, own: str, anchors: frozenset[str], preamble: re.Pattern[str] = _PREAMBLE) -> ConfigTree:
    """Parse the indented config of a Cisco platform (IOS, NX-OS) whose top-level `anchors` and `preamble` differ."""
    raw_lines = text.splitlines()
    refuse_foreign(raw_lines, own)
    statements: list[tuple[int, int, str]] = []
    append = statements.append
    closing: str | None = None  # delimiter of an open banner
    block_end: str | None = None  # terminator of an open certificate/macro block
    block_indent = 0
    started = False
    for number, raw in enumerate(raw_lines, start=1):
        if closing is not None:
            if closing in raw:
                closing = None
            continue
        if "\t" in raw:
            raw = raw.expandtabs(8)
        lstripped = raw.lstrip()
        if not lstripped:
            continue
        stripped = lstripped.rstrip()
        indent = len(raw) - len(lstripped)
        if block_end is not None:
            # the block ends at its terminator, or (terminator missing) at a shallower statement
            if stripped == block_end:
                block_end = None
                continue
            if indent > block_indent or block_end == "@":
                continue
            block_end = None
        first = stripped[0]
        if first == "!":
            continue
        if not started:
            if preamble.match(stripped):
                continue
            started = True
        if indent == 0 and stripped == "end":
            break
        if first in _SPECIAL_FIRST:
            if stripped.startswith(_DELIMITED_WORDS) and (m := _DELIMITED.match(stripped)):
                keyword, delim, rest = m.groups()
                append((number, indent, keyword))
                if delim not in rest:
                    closing = delim
                continue
            if stripped.startswith(_BLOCK_WORDS) and (m := _BLOCK_START.match(stripped)) and "nvram:" not in stripped:
                block_end = _BLOCK_END[m.group(1).split(" ", 1)[0]]
                block_indent = indent
        append((number, indent, stripped))
    if closing is not None:
        raise ParseError(f"banner never closed: no closing {closing!r} delimiter", line=_last_banner(statements))
    if not statements:
        raise ParseError("no configuration statements found")
    tree = build_tree(statements, len(raw_lines))
    refuse_implausible(tree, own, _WORD, anchors)
    return tree


def _last_banner(statements: list[tuple[int, int, str]]) -> int | None:
    for number, _, text in reversed(statements):
        if text.startswith(("banner", "refuse-message", "vacant-message", "busy-message")):
            return number
    return None
