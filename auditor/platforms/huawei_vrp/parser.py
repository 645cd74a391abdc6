"""Parse Huawei VRP (VRP5 and VRP8) `display current-configuration` text into a ConfigTree.

What the output looks like, and what the parser does with it:

* `#` lines separate blocks. A `#` in column 0 closes every open section; an indented ` #` only
  separates parts of one section (`bgp` / `ipv4-family`, `aaa` on VRP8) and is skipped.
* Sections nest by one-space indentation. AR routers and older switches print global commands
  indented by one space (`#` / ` sysname AR01` / `#`), so a block's first statement sets the
  indentation that counts as top level until the next `#` in column 0.
* `!Software Version ...` / `!Last configuration was ...` (VRP8), the `[V200R010C00SPC600]`
  version line (AR) and an echoed `<host>display current-configuration` are not configuration;
  neither are `# comment` lines. `return` in column 0 ends the configuration.
* `header login|shell information "..."` banners run, over several lines, up to the closing
  delimiter (the first character of the text, usually `"`); the statement keeps only
  `header login information`, never the banner text.
* `public-key-code begin` ... `public-key-code end` (RSA/DSA peer keys) is an opaque hex blob.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ...config import ConfigTree, build_tree
from ...errors import ParseError
from ..base import refuse_foreign, refuse_implausible

# Lines before the configuration that are not config: an echoed prompt and command, the AR
# version line in brackets, informational messages.
_PREAMBLE = re.compile(r"^(<[^<>\s]+>|\[[~*]?[^\]\s]+\]|dis(?:play)? |Info:|Warning:)")
# A banner: `header <kind> information <delimiter>text...<delimiter>`.
_HEADER = re.compile(r"^(header (?:login|shell|incoming) information)(?:\s+(.*))?$")
_BLOB_START = "public-key-code begin"
_BLOB_END = "public-key-code end"
# VRP keywords are lower-case words; every real config has some of these VRP-only anchors at
# top level (a Cisco, NX-OS or other config has none of them).
_WORD = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_ANCHORS = frozenset({
    "sysname", "user-interface", "info-center", "snmp-agent", "ntp-service", "undo", "stelnet",
    "hwtacacs-server", "sftp", "dhcp", "stp", "bgp", "ospf", "acl",
})
OWN = "Huawei VRP"


def parse(text: str) -> ConfigTree:
    """Parse VRP `display current-configuration` text; banners and key blobs stay out of the tree."""
    raw_lines = text.splitlines()
    refuse_foreign(raw_lines, OWN, exclude=(OWN,))
    statements = list(_statements(iter(enumerate(raw_lines, start=1))))
    if not statements:
        raise ParseError("no configuration statements found")
    tree = build_tree(statements, len(raw_lines))
    refuse_implausible(tree, OWN, _WORD, _ANCHORS)
    return tree


def _statements(lines: Iterator[tuple[int, str]]) -> Iterator[tuple[int, int, str]]:
    """(line number, indent within its `#` block, text) of every statement, up to `return`."""
    base = 0
    fresh = True  # at the start of a `#` block: the next statement sets the top-level indent
    started = False
    for number, raw in lines:
        line = raw.expandtabs(8) if "\t" in raw else raw
        stripped = line.strip()
        if not stripped or stripped[0] == "!":
            continue
        indent = len(line) - len(line.lstrip())
        if stripped[0] == "#":
            fresh = fresh or indent == 0
            continue
        if not started and _PREAMBLE.match(stripped):
            continue
        started = True
        if indent == 0 and stripped == "return":
            return
        if fresh or indent < base:
            base, fresh = indent, False
        header = _HEADER.match(stripped) if stripped[0] == "h" else None
        yield number, indent - base, stripped if header is None else header.group(1)
        if header is not None:
            _skip_banner(lines, header.group(2), number)
        elif stripped == _BLOB_START:
            _skip_blob(lines)


def _skip_banner(lines: Iterator[tuple[int, str]], body: str | None, opened_at: int) -> None:
    """Consume a banner's lines up to its closing delimiter (the first character of its text)."""
    if not body or body[0] in body[1:]:
        return
    for _, raw in lines:
        if body[0] in raw:
            return
    raise ParseError(f"banner never closed: no closing {body[0]!r} delimiter", line=opened_at)


def _skip_blob(lines: Iterator[tuple[int, str]]) -> None:
    for _, raw in lines:
        if raw.strip() == _BLOB_END:
            return
