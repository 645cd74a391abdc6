"""Parse Juniper Junos configurations into a flat tree of set paths.

Both forms that Junos prints give the same tree:

* `show configuration` (braces): `system { services { ssh; } }`, with `;` ending a statement,
  quoted strings (which may hold braces and semicolons), `/* annotations */`, `#` comments,
  `inactive:` / `protect:` / `replace:` prefixes and `[ a b ]` leaf-lists;
* `show configuration | display set`: one `set PATH` line per statement, `deactivate PATH` for
  inactive ones (and `delete PATH`, `activate PATH` when a file was written by hand).

The tree is a FlatConfigTree whose statements are the set paths without the leading `set `
(`system services ssh protocol-version v2`), each with the line number of its leaf statement in
brace form or of its `set` line. Inactive statements, and everything under an inactive container,
are left out: they are not configuration. A leaf-list gives one statement per value, as
`display set` prints it; a container with nothing in it is a statement of its own
(`routing-instances INTERNAL`); a statement repeated, or a path that only prefixes a longer one
(a hand-written `set system services ssh` next to `set system services ssh protocol-version v2`),
is kept once, so both forms of one configuration give identical statements.

Configuration groups are not expanded: statements under `groups NAME` keep that prefix, and
`apply-groups` does not copy them into the hierarchies they are applied to.
"""

from __future__ import annotations

import itertools
import re

from ...config import ConfigLine, ConfigTree, FlatConfigTree
from ...errors import ParseError
from ..base import refuse_foreign, refuse_implausible

OWN = "Juniper Junos"
# Families of base.refuse_foreign's signature table that this parser reads itself.
_OWN_FAMILIES = ("Junos (brace format)", "Junos (set format)")

# Lines around a configuration that are not configuration: chassis-cluster / virtual-chassis
# state (`{master:0}`, `{primary:node0}`), the `[edit]` banner of configuration mode, a CLI
# prompt with the command typed at it.
_NOISE = re.compile(r"^(?:\{[\w:.-]+\}|\[edit(?: [^\]]*)?\]|[\w.-]+@[\w.-]+[>#%] .*)$")
# Set-format verbs: `set` adds a path, `deactivate`/`activate` mark a subtree inactive or active
# again, `delete` removes it. `protect`, `unprotect` and `annotate` change nothing that counts.
_SET_VERBS = frozenset({"set", "deactivate", "activate", "delete", "protect", "unprotect", "annotate"})
# Brace-format statement prefixes; only `inactive:` changes what counts.
_MARKS = frozenset({"inactive:", "protect:", "replace:", "active:", "unprotect:"})

# A word: a run of quoted strings and other non-blank characters (`"a b"c` is one word). An
# unterminated quote runs to the end of the text it is in.
_WORD = re.compile(r'(?:"(?:[^"\\]|\\.)*(?:"|$)|[^\s"])+')
# Brace-format tokens: a word, a quoted string, a comment, or one of `{ } ;`. A `#` starts a
# comment only at the start of a token (`## SECRET-DATA` after a statement, `## Last commit`).
_TOKEN = re.compile(r'/\*.*?(?:\*/|$)|#[^\n]*|[{};]|(?:"(?:[^"\\]|\\.)*(?:"|$)|[^\s{};"])+', re.S)

# Junos top-level hierarchies: the first word of every real statement is one of them.
_TOP = (
    "access|access-profile|accounting-options|applications|apply-groups|apply-groups-except|apply-macro|"
    "bridge-domains|chassis|class-of-service|diameter|dynamic-profiles|ethernet-switching-options|"
    "event-options|fabric|firewall|forwarding-options|groups|interfaces|jsrc|logical-systems|"
    "multi-chassis|multicast-snooping-options|poe|policy-options|protocols|rest|routing-instances|"
    "routing-options|schedulers|security|services|session-limit-group|smtp|snmp|switch-options|system|"
    "tenants|unified-edge|version|virtual-chassis|vlans|vmhost|wlan"
)
_TOP_WORD = re.compile(f"^(?:{_TOP})$")
_ANCHORS = frozenset({"system", "interfaces", "protocols", "version", "routing-options", "policy-options",
                      "firewall", "security", "snmp", "vlans", "routing-instances", "chassis"})


def parse(text: str) -> ConfigTree:
    """Parse Junos configuration text, in brace or `display set` form (detected from the text)."""
    lines = text.splitlines()
    refuse_foreign(lines, OWN, exclude=_OWN_FAMILIES)
    found = _parse_set(lines) if is_set_format(lines) else _parse_braces(lines)
    if not found:
        raise ParseError("no configuration statements found")
    tree = FlatConfigTree([ConfigLine(t, n) for t, n in _drop_prefixes(found)], len(lines))
    refuse_implausible(tree, OWN, _TOP_WORD, _ANCHORS)
    return tree


def is_set_format(lines: list[str], sample: int = 9) -> bool:
    """True when most of the first significant lines are `set`/`deactivate`... commands."""
    verbs = others = 0
    for raw in lines:
        s = raw.strip()
        if not s or s[0] in "#/" or _NOISE.match(s):
            continue
        if s.partition(" ")[0] in _SET_VERBS:
            verbs += 1
        else:
            others += 1
        if verbs + others >= sample:
            break
    return verbs > others


# ---------------------------------------------------------------- words and leaf-lists


def _words(text: str) -> list[str]:
    """The words of a statement, quote-aware, up to a `#` comment."""
    out = []
    for w in _WORD.findall(text):
        if w[0] == "#":
            break
        out.append(w)
    return out


def _paths(words: list[str]) -> list[str]:
    """The statement texts a word list stands for: one per value of a `[ a b ]` leaf-list."""
    if "[" not in words:
        return [" ".join(words)]
    i = words.index("[")
    try:
        j = words.index("]", i)
    except ValueError:
        j = len(words)
    head, values, tail = words[:i], words[i + 1 : j], words[j + 1 :]
    if not values:
        return [" ".join(head + tail)]
    out: list[str] = []
    for v in values:
        out.extend(_paths([*head, v, *tail]))
    return out


def _plain(text: str) -> bool:
    """The text needs no tokenising: no quotes, comments, lists, tabs or double spaces."""
    return '"' not in text and "#" not in text and "[" not in text and "  " not in text and "\t" not in text


# ---------------------------------------------------------------- display set


def _parse_set(lines: list[str]) -> dict[str, int]:
    """Set paths (in text order) with their line numbers."""
    found: dict[str, int] = {}
    add = found.setdefault
    deactivated: set[str] = set()
    for number, raw in enumerate(lines, start=1):
        if raw.startswith("set "):  # the fast path: `display set` prints nothing else on most lines
            rest = raw[4:].rstrip()
            if '"' not in rest and "#" not in rest and "[" not in rest and "  " not in rest and "\t" not in rest:
                if rest:
                    add(rest, number)
                continue
            verb = "set"
        else:
            s = raw.strip()
            if not s or s[0] == "#" or _NOISE.match(s):
                continue
            verb, _, rest = s.partition(" ")
            if verb not in _SET_VERBS:
                add(" ".join(_words(s)) or s, number)  # not Junos: kept for refuse_implausible
                continue
        for path in [" ".join(rest.split())] if _plain(rest) else _paths(_words(rest)):
            if not path:
                continue
            if verb == "set":
                add(path, number)
            elif verb == "deactivate":
                deactivated.add(path)
            elif verb == "activate":
                deactivated.discard(path)
            elif verb == "delete":
                _delete(found, path)
    if deactivated:
        found = {p: n for p, n in found.items() if not _under(p, deactivated)}
    return found


def _under(path: str, marked: set[str]) -> bool:
    """True when `path` or one of its ancestors (by whole words) is in `marked`."""
    if path in marked:
        return True
    i = path.find(" ")
    while i != -1:
        if path[:i] in marked:
            return True
        i = path.find(" ", i + 1)
    return False


def _delete(found: dict[str, int], path: str) -> None:
    below = path + " "
    for p in [p for p in found if p == path or p.startswith(below)]:
        del found[p]


def _drop_prefixes(found: dict[str, int]) -> list[tuple[str, int]]:
    """Statements in text order (the order they were found in), without those that only prefix a
    longer statement."""
    ordered = sorted(found)
    prefixes = [a for a, b in itertools.pairwise(ordered) if b.startswith(a) and b[len(a)] == " "]
    for p in prefixes:
        del found[p]
    return list(found.items())


# ---------------------------------------------------------------- braces

# Events of a brace-format parse: a leaf statement, a container opening, a closing brace.
_LEAF, _OPEN, _CLOSE = 0, 1, 2
_MARK_PREFIXES = tuple(_MARKS)


def _parse_braces(lines: list[str]) -> dict[str, int]:
    """Set paths (in text order) with the line numbers of their leaf statements."""
    found: dict[str, int] = {}
    add = found.setdefault
    # open containers: (prefix, inactive, path, line, statements seen at the opening, own inactive mark)
    stack: list[tuple[str, bool, str, int, int, bool]] = []
    prefix = ""  # path of the innermost open container plus a space ('' at top level)
    inactive = False  # the innermost open container is inactive (or inside one)
    seen = 0  # statements seen so far, active or not (an empty container is a statement of its own)
    n = len(lines)
    i = 0
    while i < n:
        s = lines[i].strip()
        i += 1
        if not s:
            continue
        number = i
        last = s[-1]
        events: list[tuple[int, str, list[str] | None]]
        # the fast path: one plain statement on the line
        if last == "}" and s == "}":
            events = [(_CLOSE, "", None)]
        elif (last == ";" or last == "{") and _plain(s) and "/*" not in s and s.count(";") + s.count("{") + s.count("}") == 1:
            events = [(_LEAF if last == ";" else _OPEN, s[:-1].rstrip(), None)]
        else:
            if s[0] == "#" or _NOISE.match(s):
                continue
            while i < n and _open_quote_or_comment(s):  # join what an open quote, comment or list runs over
                s = s + "\n" + lines[i].strip()
                i += 1
            events = _tokens(s)
        for kind, text, words in events:
            if kind == _CLOSE:
                if not stack:
                    continue  # a stray closing brace: ignored
                prefix, inactive, path, at, opened, mark = stack.pop()
                if seen == opened and not mark and path:
                    add(path, at)  # an empty container is a statement
                continue
            mark = False
            if text.startswith(_MARK_PREFIXES):
                text, mark, words = _strip_marks(text, words)
            seen += 1
            if kind == _LEAF:
                if not text or inactive or mark:
                    continue
                if words is None:
                    add(prefix + text, number)
                else:
                    for path in _paths(words):
                        add(prefix + path, number)
            else:
                path = prefix + text if text else prefix.rstrip()
                stack.append((prefix, inactive, path, number, seen, mark))
                prefix = path + " " if path else ""
                inactive = inactive or mark
    while stack:  # containers left open at the end of the text
        prefix, inactive, path, at, opened, mark = stack.pop()
        if seen == opened and not mark and path:
            add(path, at)
    return found


def _strip_marks(text: str, words: list[str] | None) -> tuple[str, bool, list[str] | None]:
    """The statement without its `inactive:`/`protect:`... prefixes, and whether it is inactive."""
    ws = words if words is not None else text.split(" ")
    k = 0
    mark = False
    while k < len(ws) and ws[k] in _MARKS:
        mark = mark or ws[k] == "inactive:"
        k += 1
    rest = ws[k:]
    return " ".join(rest), mark, rest if words is not None else None
def _open_quote_or_comment(s: str) -> bool:
    """True when `s` ends inside a quoted string, a /* comment */ or a [ leaf-list ]."""
    quoted = False
    depth = 0
    k = 0
    n = len(s)
    while k < n:
        c = s[k]
        if quoted:
            if c == "\\":
                k += 1
            elif c == '"':
                quoted = False
        elif c == '"':
            quoted = True
        elif c == "#":
            break
        elif c == "[":
            depth += 1
        elif c == "]":
            depth -= 1
        elif c == "/" and s.startswith("/*", k):
            end = s.find("*/", k + 2)
            if end == -1:
                return True
            k = end + 1
        k += 1
    return quoted or depth > 0


def _tokens(s: str) -> list[tuple[int, str, list[str] | None]]:
    """The events of a line (or lines joined) that needs tokenising."""
    events: list[tuple[int, str, list[str] | None]] = []
    words: list[str] = []

    def statement(kind: int) -> None:
        listed = "[" in words
        events.append((kind, " ".join(words), list(words) if listed else None))

    for tok in _TOKEN.findall(s):
        c = tok[0]
        if (c == "/" and tok.startswith("/*")) or c == "#":
            continue
        if tok == ";":
            if words:
                statement(_LEAF)
            words = []
        elif tok == "{":
            statement(_OPEN)
            words = []
        elif tok == "}":
            if words:
                statement(_LEAF)  # a missing semicolon before the brace
                words = []
            events.append((_CLOSE, "", None))
        else:
            words.append(tok.replace("\n", "\\n") if "\n" in tok else tok)
    if words:
        statement(_LEAF)  # a statement without its semicolon
    return events
