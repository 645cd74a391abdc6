"""ConfigTree: a vendor-neutral view of a device configuration.

Every platform parser turns its text into the same tree: one `ConfigLine` per statement, with the
statement's text (stripped of indentation), its 1-based line number in the original text, its
parent and its children. Banner bodies, certificate blobs and comments are not statements and
never appear in the tree.

Lookups go through `Rx`, a compiled pattern that knows its literal prefix: the tree keeps an index
of lines by first word, so a rule such as `^ip ssh version 2` only looks at lines starting with
`ip` and skips the regex for lines that do not start with `ip ssh version `.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator

# Characters that end the literal prefix of a pattern.
_META = set(".^$*+?{}[]\\|()")
_QUANTIFIERS = set("*?{")


def literal_prefix(source: str) -> str:
    """The text every match of an `^`-anchored pattern starts with ('' when unanchored)."""
    if not source.startswith("^"):
        return ""
    out: list[str] = []
    for i, ch in enumerate(source[1:], start=1):
        if ch in _META:
            # a quantifier makes the previous character optional
            if ch in _QUANTIFIERS and out:
                out.pop()
            break
        out.append(ch)
        if i + 1 < len(source) and source[i + 1] in _QUANTIFIERS:
            out.pop()
            break
    return "".join(out)


class Rx:
    """A compiled line pattern with its literal prefix and first word, for indexed lookups."""

    __slots__ = ("anchored", "prefix", "regex", "source", "word", "word2")

    def __init__(self, source: str) -> None:
        self.source = source
        self.regex = re.compile(source)
        self.anchored = source.startswith("^")
        self.prefix = literal_prefix(source)
        words = self.prefix.split(" ")
        # a word is complete only when a space follows it in the literal prefix
        self.word: str | None = words[0] if len(words) > 1 else None
        self.word2: str | None = words[1] if len(words) > 2 else None

    def match(self, text: str) -> re.Match[str] | None:
        if self.anchored:
            if not text.startswith(self.prefix):
                return None
            return self.regex.match(text)
        return self.regex.search(text)

    def __repr__(self) -> str:
        return f"Rx({self.source!r})"


@functools.lru_cache(maxsize=1024)
def compiled(source: str) -> Rx:
    """The Rx for a pattern given at run time (a named check's params), compiled once."""
    return Rx(source)


class PatternTable:
    """Many tagged patterns matched in one pass over lines, dispatched by a line's first two words."""

    __slots__ = ("_by_word", "_loose")

    def __init__(self, patterns: Iterable[tuple[str, Rx]]) -> None:
        # first word -> (second word -> patterns, patterns known by their first word only)
        self._by_word: dict[str, tuple[dict[str, list[tuple[str, Rx]]], list[tuple[str, Rx]]]] = {}
        self._loose: list[tuple[str, Rx]] = []  # patterns without a known first word
        for tag, rx in patterns:
            if rx.word is None:
                self._loose.append((tag, rx))
                continue
            by_second, rest = self._by_word.setdefault(rx.word, ({}, []))
            if rx.word2 is None:
                rest.append((tag, rx))
            else:
                by_second.setdefault(rx.word2, []).append((tag, rx))

    def scan(self, lines: Iterable[ConfigLine]) -> list[tuple[str, ConfigLine, re.Match[str]]]:
        """Every (tag, line, match) in text order."""
        out = []
        by_word, loose = self._by_word, self._loose
        for line in lines:
            entry = by_word.get(line.word)
            if entry is None:
                if not loose:
                    continue
                cands: list[tuple[str, Rx]] = loose
            else:
                by_second, rest = entry
                if by_second:
                    parts = line.text.split(" ", 2)
                    second = by_second.get(parts[1]) if len(parts) > 1 else None
                    cands = second + rest if second else rest
                else:
                    cands = rest
                if loose:
                    cands = cands + loose
            text = line.text
            for tag, rx in cands:
                if text.startswith(rx.prefix):
                    m = rx.regex.match(text) if rx.anchored else rx.regex.search(text)
                    if m:
                        out.append((tag, line, m))
        return out


def find_in(lines: Iterable[ConfigLine], rx: Rx) -> Iterator[tuple[ConfigLine, re.Match[str]]]:
    """The lines matching `rx`, with their matches; the literal prefix is tested before the regex."""
    if rx.anchored:
        prefix, match = rx.prefix, rx.regex.match
        for line in lines:
            text = line.text
            if text.startswith(prefix):
                m = match(text)
                if m:
                    yield line, m
    else:
        search = rx.regex.search
        for line in lines:
            m = search(line.text)
            if m:
                yield line, m


class ConfigLine:
    """One configuration statement."""

    __slots__ = ("_flat", "children", "number", "parent", "text", "word")

    def __init__(self, text: str, number: int, parent: ConfigLine | None = None) -> None:
        self.text = text
        self.number = number
        self.parent = parent
        self.children: list[ConfigLine] = []
        self.word = text.partition(" ")[0]  # first word, the index key
        self._flat: list[ConfigLine] | None = None

    def child(self, rx: Rx) -> ConfigLine | None:
        """The first direct child matching `rx`."""
        for c in self.children:
            if rx.match(c.text):
                return c
        return None

    def find_children(self, rx: Rx) -> Iterator[tuple[ConfigLine, re.Match[str]]]:
        for c in self.children:
            m = rx.match(c.text)
            if m:
                yield c, m

    def descendants(self) -> list[ConfigLine]:
        """Every statement below this one, depth first, in text order (computed once)."""
        flat = self._flat
        if flat is None:
            flat = []
            stack = list(reversed(self.children))
            while stack:
                node = stack.pop()
                flat.append(node)
                if node.children:
                    stack.extend(reversed(node.children))
            self._flat = flat
        return flat

    def path(self) -> tuple[str, ...]:
        """Texts from the top-level ancestor down to this line."""
        out: list[str] = []
        node: ConfigLine | None = self
        while node is not None:
            out.append(node.text)
            node = node.parent
        return tuple(reversed(out))

    def __repr__(self) -> str:
        return f"ConfigLine({self.number}: {self.text!r})"


# Buckets of the first-word index at least this long get a second-word index on first use.
_SUBINDEX_FROM = 12


class ConfigTree:
    """A parsed configuration: top-level statements with their nested children."""

    __slots__ = ("_all", "_sub", "_top", "lines", "roots", "source_lines")

    def __init__(self, roots: list[ConfigLine], lines: list[ConfigLine], source_lines: int) -> None:
        self.roots = roots
        self.lines = lines  # every statement, in text order
        self.source_lines = source_lines  # lines in the original text
        self._top: dict[str, list[ConfigLine]] = {}
        self._all: dict[str, list[ConfigLine]] = {}
        self._sub: dict[tuple[bool, str], dict[str, list[ConfigLine]]] = {}
        top, every = self._top, self._all
        for line in lines:
            word = line.word
            bucket = every.get(word)
            if bucket is None:
                bucket = every[word] = []
            bucket.append(line)
            if line.parent is None:
                bucket = top.get(word)
                if bucket is None:
                    bucket = top[word] = []
                bucket.append(line)

    def _candidates(self, rx: Rx, anywhere: bool) -> Iterable[ConfigLine]:
        word = rx.word
        if word is None:
            return self.lines if anywhere else self.roots
        bucket = (self._all if anywhere else self._top).get(word, ())
        if rx.word2 is None or len(bucket) < _SUBINDEX_FROM:
            return bucket
        # a large bucket (`ip ...`, `no ...`, `interface ...`) is split by second word, once
        sub = self._sub.get((anywhere, word))
        if sub is None:
            sub = self._sub[(anywhere, word)] = {}
            for line in bucket:
                parts = line.text.split(" ", 2)
                key = parts[1] if len(parts) > 1 else ""
                lst = sub.get(key)
                if lst is None:
                    lst = sub[key] = []
                lst.append(line)
        return sub.get(rx.word2, ())

    def find(self, rx: Rx, *, anywhere: bool = False) -> Iterator[tuple[ConfigLine, re.Match[str]]]:
        """Top-level lines (or lines at any depth) matching `rx`, in text order."""
        return find_in(self._candidates(rx, anywhere), rx)

    def first(self, rx: Rx, *, anywhere: bool = False) -> ConfigLine | None:
        for line, _ in self.find(rx, anywhere=anywhere):
            return line
        return None

    def sections(self, rx: Rx) -> Iterator[tuple[ConfigLine, re.Match[str]]]:
        """Top-level statements matching `rx` (their children are the section body)."""
        return self.find(rx)

    def __len__(self) -> int:
        return len(self.lines)


class FlatConfigTree(ConfigTree):
    """A config of flat path statements (Junos `set` form): every statement is top-level.

    Sections are synthesised from shared prefixes: `sections(^system login class \\S+)` yields one
    section per distinct matched prefix (`system login class admin`), whose children are the
    statements under that prefix with the prefix removed (`idle-timeout 10`), so the policy
    language's `each` scope means the same on flat and on nested configs.
    """

    __slots__ = ("_sections",)

    def __init__(self, roots: list[ConfigLine], source_lines: int) -> None:
        super().__init__(roots, roots, source_lines)
        self._sections: dict[str, list[tuple[ConfigLine, re.Match[str]]]] = {}

    def sections(self, rx: Rx) -> Iterator[tuple[ConfigLine, re.Match[str]]]:
        cached = self._sections.get(rx.source)
        if cached is None:
            groups: dict[str, tuple[ConfigLine, re.Match[str]]] = {}
            for line, m in self.find(rx):
                prefix = m.group(0).rstrip()
                section = groups.get(prefix)
                if section is None:
                    section = groups[prefix] = (ConfigLine(prefix, line.number), m)
                rest = line.text[len(prefix):].strip()
                if rest:
                    section[0].children.append(ConfigLine(rest, line.number, section[0]))
            cached = self._sections[rx.source] = list(groups.values())
        return iter(cached)


def build_tree(statements: Iterable[tuple[int, int, str]], source_lines: int) -> ConfigTree:
    """Build a tree from (line number, indent, text) statements of an indentation-based config.

    A statement is a child of the closest earlier statement with a smaller indent, which copes
    with the odd indentation some devices print (one space, three spaces, tabs already expanded).
    """
    roots: list[ConfigLine] = []
    lines: list[ConfigLine] = []
    indents: list[int] = []
    nodes: list[ConfigLine] = []
    for number, indent, text in statements:
        if indent == 0:
            node = ConfigLine(text, number)
            roots.append(node)
            indents.clear()
            nodes.clear()
        else:
            while indents and indents[-1] >= indent:
                indents.pop()
                nodes.pop()
            parent = nodes[-1] if nodes else None
            node = ConfigLine(text, number, parent)
            if parent is None:
                roots.append(node)
            else:
                parent.children.append(node)
        lines.append(node)
        indents.append(indent)
        nodes.append(node)
    return ConfigTree(roots, lines, source_lines)
