"""What the FortiOS named checks share: values of `set` lines, tables and their entries, outcomes."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from ...checks import PASSED
from ...config import ConfigLine, Rx
from ...context import CheckContext
from ...models import Outcome, Status

# A value of a `set` line: "double quoted" (with \-escapes), 'single quoted' or bare.
_TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)"|\'((?:[^\'\\]|\\.)*)\'|(\S+)')
_UNESCAPE = re.compile(r"\\(.)")

Settings = Mapping[str, tuple[list[str], ConfigLine]]


def values(text: str) -> list[str]:
    """The values after the first two words (`set srcaddr "a" "b"` -> [a, b]; `edit "port1"` -> [port1])."""
    parts = text.split(" ", 2) if text.startswith(("set ", "unset ")) else text.split(" ", 1)
    if len(parts) < (3 if parts[0] in ("set", "unset") else 2):
        return []
    out = []
    for m in _TOKEN.finditer(parts[-1]):
        double, single, bare = m.groups()
        value = double if double is not None else single if single is not None else bare
        out.append(_UNESCAPE.sub(r"\1", value) if "\\" in value else value)
    return out


def entry_name(entry: ConfigLine) -> str:
    """The name of an `edit NAME` entry, unquoted."""
    found = values(entry.text)
    return found[0] if found else ""


def settings(node: ConfigLine) -> dict[str, tuple[list[str], ConfigLine]]:
    """The `set KEY ...` children of a block or entry: key -> (values, line); the last one wins, as on the device."""
    out: dict[str, tuple[list[str], ConfigLine]] = {}
    for child in node.children:
        if child.word == "set":
            key = child.text[4:].partition(" ")[0]
            out[key] = (values(child.text), child)
    return out


def value(found: Settings, key: str) -> str:
    """The first value of a setting, '' when unset or empty."""
    item = found.get(key)
    return item[0][0] if item is not None and item[0] else ""


def listed(found: Settings, key: str) -> list[str]:
    """Every non-empty value of a setting (`set srcaddr "a" "b"`)."""
    item = found.get(key)
    return [v for v in item[0] if v] if item is not None else []


def tables(ctx: CheckContext, header: Rx) -> Iterator[ConfigLine]:
    """Every table matching `header`, in `config global` and every VDOM too."""
    for line, _ in ctx.tree.sections(header):
        yield line


def blocks(node: ConfigLine, header: Rx) -> Iterator[ConfigLine]:
    """Direct children of `node` matching `header` (nested `config` blocks)."""
    for child in node.children:
        if header.match(child.text):
            yield child


def entries(node: ConfigLine) -> Iterator[ConfigLine]:
    """The `edit` entries of a block."""
    for child in node.children:
        if child.word == "edit":
            yield child


def names(ctx: CheckContext, paths: tuple[tuple[Rx, ...], ...]) -> set[str]:
    """Names of the entries at the end of each path of blocks (a table, then nested blocks)."""
    out: set[str] = set()
    for path in paths:
        for table in tables(ctx, path[0]):
            level = [table]
            for rx in path[1:]:
                level = [b for node in level for b in blocks(node, rx)]
            out.update(entry_name(e) for node in level for e in entries(node))
    return out


def outcome(ctx: CheckContext, bad: list[tuple[str, list[ConfigLine]]], expected: str,
            nothing: str | None = None) -> Outcome:
    """FAIL listing the problems, PASS when there are none, NOT_APPLICABLE when `nothing` says why."""
    if bad:
        lines = dict.fromkeys(line for _, group in bad for line in group)
        why = "; ".join(ctx.platform.redact(w) for w, _ in bad)
        return Outcome(Status.FAIL, why, tuple(ctx.evidence(li) for li in lines), expected=expected, actual=why)
    if nothing is not None:
        return Outcome(Status.NOT_APPLICABLE, nothing)
    return PASSED
