"""Parse FortiOS `show full-configuration` (or `show`) text into a ConfigTree.

FortiOS nests by keywords, never by indentation (which is cosmetic): `config A B` opens a block
whose body is `set` / `unset` lines, nested `config` blocks and `edit X` entries; `next` closes an
entry and `end` a block. `next` and `end` are not statements. A quoted value may run over several
lines (certificates, private keys, replacement-message HTML): the statement is then the whole
value, numbered by its first line. `#` lines (the `#config-version=...` header) are comments.

Multi-VDOM configs put the system-wide tables under `config global` and each VDOM's tables under
`config vdom` / `edit NAME`. The tree indexes those tables as top-level sections as well, so a
policy's `each: '^config firewall policy$'` finds every VDOM's table, in text order.
"""

from __future__ import annotations

import re
from collections import defaultdict

from ...config import ConfigLine, ConfigTree
from ...errors import ParseError
from ..base import refuse_foreign, refuse_implausible

# A backslash escapes the next character, inside quoted values too (`\"`, `\\`).
_ESCAPE = re.compile(r"\\.")
# A CLI prompt echoed before the output (`FGT60F # show full-configuration`, `FGT (root) $ show`).
_PROMPT = re.compile(r"^\S+(?: \(\S+\))? [#$] ")
# First words of FortiOS statements; every real config has a top-level `config` (or, for a pasted
# table body, `edit` / `set`).
_WORD = re.compile(r"^(?:config|edit|set|unset|append|select|unselect|rename|delete|purge|clone|move)$")
_ANCHORS = frozenset({"config", "set", "edit"})
# First words of top-level tables (`config system interface`, `config firewall policy`...). Nested
# blocks are one word (`config ipv6`, `config neighbor`) or a keyword with a quoted name
# (`config redistribute "connected"`), so a `config <category> <table>` line inside a block that
# was never closed by `end` (hand-written snippets) closes it: tables only live at top level, in
# `config global` or in a VDOM entry.
_CATEGORIES = frozenset({
    "alertemail", "antivirus", "application", "authentication", "automation", "casb", "certificate",
    "credential-store", "diameter-filter", "dlp", "dnsfilter", "emailfilter", "endpoint-control",
    "extender-controller", "extension-controller", "file-filter", "firewall", "ftp-proxy", "gui",
    "icap", "ips", "log", "monitoring", "nsxt", "report", "router", "rule", "sctp-filter",
    "spamfilter", "ssh-filter", "switch-controller", "system", "user", "videofilter",
    "virtual-patch", "voip", "vpn", "waf", "wanopt", "web-proxy", "webfilter",
    "wireless-controller", "ztna",
})
# Blocks that hold top-level tables: `config global` and the entries of `config vdom`.
_GLOBAL = "config global"
_VDOMS = "config vdom"


def odd_quotes(text: str) -> bool:
    """True when `text` has an odd number of unescaped double quotes: a quoted value opens or closes in it."""
    if "\\" in text:
        text = _ESCAPE.sub("", text)
    return text.count('"') % 2 == 1


class FortiTree(ConfigTree):
    """A FortiOS config tree whose top-level sections include the tables of `config global` and of each VDOM."""

    __slots__ = ()

    def __init__(self, roots: list[ConfigLine], lines: list[ConfigLine], source_lines: int,
                 tables: list[ConfigLine] | None = None,
                 index: tuple[dict[str, list[ConfigLine]], dict[str, list[ConfigLine]]] | None = None) -> None:
        super().__init__(roots, lines, source_lines, index)
        if tables is not None:
            top: dict[str, list[ConfigLine]] = defaultdict(list)
            for line in tables:
                top[line.word].append(line)
            self._top = top


def parse(text: str) -> ConfigTree:
    """Parse FortiOS config text in one pass; refuses other vendors' configs and junk."""
    raw_lines = text.splitlines()
    refuse_foreign(raw_lines, "FortiOS", exclude=("FortiOS",))
    roots: list[ConfigLine] = []
    lines: list[ConfigLine] = []
    tables: list[ConfigLine] = []  # roots plus the tables of `config global` and VDOM entries
    top: dict[str, list[ConfigLine]] = defaultdict(list)  # the index by first word: top-level lines, any depth
    every: dict[str, list[ConfigLine]] = defaultdict(list)
    stack: list[ConfigLine] = []  # open `config` blocks and `edit` entries, innermost last
    containers: set[int] = set()  # ids of the nodes whose `config` children are tables
    pending: list[str] | None = None  # lines of a quoted value still open
    pending_number = 0
    started = False
    for number, raw in enumerate(raw_lines, start=1):
        if pending is not None:
            pending.append(raw)
            if '"' not in raw or not odd_quotes(raw):
                continue
            s = "\n".join(pending).rstrip()
            number = pending_number  # a multi-line statement takes its first line's number
            pending = None
        else:
            s = raw.strip()
            if not s or s[0] == "#":
                continue
            if not started:
                started = True
                if _PROMPT.match(s):
                    continue
            if s in ("next", "end"):
                # close the innermost entry (next) or block (end), and anything left open inside it
                closing = "edit" if s == "next" else "config"
                for i in range(len(stack) - 1, -1, -1):
                    if stack[i].word == closing:
                        del stack[i:]
                        break
                continue
            if '"' in s and odd_quotes(s):
                pending = [s]
                pending_number = number
                continue
        block = s.startswith("config ")
        entry = not block and s.startswith("edit ")
        if block and stack:
            if s in (_GLOBAL, _VDOMS):
                stack.clear()
            else:
                parts = s.split(" ", 3)
                if len(parts) > 2 and parts[1] in _CATEGORIES:
                    while stack and id(stack[-1]) not in containers:
                        stack.pop()
        elif entry and stack and stack[-1].word == "edit":
            stack.pop()  # an entry left open without `next`
        parent = stack[-1] if stack else None
        node = ConfigLine(s, number, parent)
        lines.append(node)
        every[node.word].append(node)
        if parent is None:
            roots.append(node)
            tables.append(node)
            top[node.word].append(node)
            if s == _GLOBAL:
                containers.add(id(node))
        else:
            parent.children.append(node)
            if block and id(parent) in containers:
                tables.append(node)
            elif entry and len(stack) == 1 and parent.text == _VDOMS:  # an entry of top-level `config vdom`
                containers.add(id(node))
        if block or entry:
            stack.append(node)
    if pending is not None:
        raise ParseError("quoted value never closed: no closing '\"'", line=pending_number)
    if not lines:
        raise ParseError("no configuration statements found")
    tree = FortiTree(roots, lines, len(raw_lines), tables if containers else None, (top, every))
    refuse_implausible(tree, "FortiOS", _WORD, _ANCHORS)
    return tree
