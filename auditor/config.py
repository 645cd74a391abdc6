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
import weakref
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence

# Characters that end a run of literal text in a pattern.
_META = set(".^$*+?{}[]\\|()")
_QUANTIFIERS = set("*?{")


def literal_runs(source: str) -> tuple[str, list[str]] | None:
    """The literal prefix of an `^`-anchored pattern ('' when unanchored) and the other runs of
    literal text that every match contains (outside groups and classes), or None when the pattern
    has a top-level alternation. Conservative: a run may be shorter than the text, never longer.
    """
    found = _literals(source)
    return None if found is None else (found[0], found[1])


# A pattern that opens with a group of alternative words, not made optional: `^(?:ntp|sntp) server`.
_LEADING_ALTERNATIVES = re.compile(r"^\^\(\?:((?:[\w-]+\|)+[\w-]+)\)(?![*?{+])(.*)$", re.S)
# What may follow a literal prefix for its last word to be a whole word of the line.
_WORD_ENDS = ("$", "(?: |$)", "(?:$| )")


def _literals(source: str) -> tuple[str, list[str], bool, bool] | None:
    """literal_runs, whether the prefix ends where a word of the line ends (`^shutdown$`), and
    whether the pattern is nothing but that prefix: the whole line, as literal text."""
    anchored = source.startswith("^")
    runs: list[str] = []
    run: list[str] = []
    prefix: str | None = None if anchored else ""
    word_end = whole = False
    depth = 0
    i = 1 if anchored else 0
    n = len(source)

    def close() -> None:
        nonlocal prefix, word_end, whole
        if prefix is None:
            prefix = "".join(run)
            word_end = source.startswith(_WORD_ENDS, i)
            whole = i == n - 1 and source[i] == "$"
        elif run:
            runs.append("".join(run))
        run.clear()

    while i < n:
        ch = source[i]
        if depth == 0 and ch == "|":
            return None
        if ch == "[":
            close()
            i = _class_end(source, i)
        elif ch == "(":
            close()
            depth += 1
        elif ch == ")":
            close()
            depth -= 1
        elif depth:
            if ch == "\\":
                i += 1
        elif ch in _QUANTIFIERS:
            # a quantifier makes the previous character optional
            if run:
                run.pop()
            close()
            if ch == "{":
                while i < n and source[i] != "}":
                    i += 1
        elif ch == "\\":
            nxt = source[i + 1] if i + 1 < n else ""
            i += 1
            if nxt and not nxt.isalnum():
                run.append(nxt)
            else:  # a class (\d), an assertion (\b), a code (\x41, \N{...}) or a back-reference
                close()
                if nxt == "N":
                    i = source.find("}", i)
                    i = n if i < 0 else i
                elif nxt in "xuU" or nxt.isdigit():
                    while i + 1 < n and source[i + 1].isalnum():
                        i += 1
        elif ch in _META:  # `+` keeps the previous character: it is required, only repeated
            close()
        else:
            run.append(ch)
        i += 1
    close()
    return prefix or "", runs, word_end, whole


def _class_end(source: str, i: int) -> int:
    """The index of the `]` closing the character class that opens at `source[i]`."""
    i += 1
    if i < len(source) and source[i] == "^":
        i += 1
    if i < len(source) and source[i] == "]":  # a `]` first in a class is a character of it
        i += 1
    while i < len(source) and source[i] != "]":
        i += 2 if source[i] == "\\" else 1
    return i


def group_body(source: str) -> str | None:
    """The text of a group up to its closing parenthesis (`source` starts inside the group)."""
    depth = 0
    i = 0
    while i < len(source):
        ch = source[i]
        if ch == "\\":
            i += 1
        elif ch == "[":
            i = _class_end(source, i)
        elif ch == "(":
            depth += 1
        elif ch == ")":
            if depth == 0:
                return source[:i]
            depth -= 1
        i += 1
    return None


def opening_words(source: str) -> tuple[str, ...] | None:
    """The literal words every match of `source` starts with, one of them when it opens with
    alternatives (`(?:secret|password) ...`, `a-key|b-key`); None when the text does not tell."""
    alts = _LEADING_ALTERNATIVES.match("^" + source)
    if alts is not None:
        return tuple(alts.group(1).split("|"))
    found = literal_runs("^" + source)
    if found is None:  # a choice at the top: of plain words, or of more than can be told
        words = source.split("|")
        return tuple(words) if all(_PLAIN_WORD.fullmatch(w) for w in words) else None
    return (found[0],) if len(found[0]) >= 3 else None


_PLAIN_WORD = re.compile(r"[\w-]{3,}")


def literal_prefix(source: str) -> str:
    """The text every match of an `^`-anchored pattern starts with ('' when unanchored)."""
    found = literal_runs(source)
    return found[0] if found is not None else ""


class Rx:
    """A compiled line pattern with its literal prefix and first word, for indexed lookups.

    `needle` is literal text that every match contains beyond the prefix ('' when none is known):
    a line must start with `prefix` and contain `needle` before the regex is worth running.
    """

    __slots__ = ("anchored", "exact", "heads", "needle", "prefix", "regex", "source", "word", "word2")

    def __init__(self, source: str) -> None:
        self.source = source
        self.regex = re.compile(source)
        found = _literals(source)
        self.anchored = source.startswith("^") and found is not None
        self.prefix, runs, word_end, whole = found if found is not None else ("", [], False, False)
        # case-insensitive or verbose patterns do not match their literal text as written
        usable = not self.regex.flags & (re.IGNORECASE | re.VERBOSE)
        # the one text the pattern matches (`^shutdown$`): a set lookup answers it
        self.exact: str | None = self.prefix if whole and usable and self.anchored else None
        # the longest run, the last of equals (later text tells lines apart better: ` filter ` over ` family `)
        longest = max(reversed(runs), key=len) if usable and runs else ""
        self.needle = longest if len(longest) >= 3 else ""
        words = (self.prefix + " " if word_end and self.prefix else self.prefix).split(" ")
        # a word is complete only when a space follows it in the literal prefix
        self.word: str | None = words[0] if len(words) > 1 else None
        self.word2: str | None = words[1] if len(words) > 2 else None
        # a pattern opening with alternative words, `^(?:tacacs|radius)-server host `, is looked up
        # under each alternative's first (and second) word
        self.heads: tuple[tuple[str, str | None], ...] | None = None
        m = _LEADING_ALTERNATIVES.match(source)
        if self.word is None and m is not None and usable:
            heads = []
            for alt in m.group(1).split("|"):
                found = _literals(f"^{alt}{m.group(2)}")
                if found is None:
                    break
                alt_prefix, _, alt_end, _ = found
                alt_words = (alt_prefix + " " if alt_end else alt_prefix).split(" ")
                if len(alt_words) < 2:
                    break
                heads.append((alt_words[0], alt_words[1] if len(alt_words) > 2 else None))
            else:
                self.heads = tuple(dict.fromkeys(heads))

    def match(self, text: str) -> re.Match[str] | None:
        if self.needle not in text:
            return None
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


# A pattern of a table: its tag, literal prefix and needle, and the regex's match (or search).
_Entry = tuple[str, str, str, Callable[[str], "re.Match[str] | None"]]
Tagged = list[tuple[str, "ConfigLine", re.Match[str]]]  # (tag, line, match) in text order


class PatternTable:
    """Many tagged patterns matched in one pass over lines, dispatched by a line's first two words."""

    __slots__ = ("_by_word", "_loose")

    def __init__(self, patterns: Iterable[tuple[str, Rx]]) -> None:
        # first word -> (second word -> patterns, patterns known by their first word only)
        self._by_word: dict[str, tuple[dict[str, list[_Entry]], list[_Entry]]] = {}
        self._loose: list[_Entry] = []  # patterns without a known first word
        for tag, rx in patterns:
            entry = (tag, rx.prefix, rx.needle, rx.regex.match if rx.anchored else rx.regex.search)
            if rx.word is not None:
                heads: tuple[tuple[str, str | None], ...] = ((rx.word, rx.word2),)
            elif rx.heads is not None:
                heads = rx.heads
            else:
                self._loose.append(entry)
                continue
            for word, word2 in heads:
                by_second, rest = self._by_word.setdefault(word, ({}, []))
                if word2 is None:
                    rest.append(entry)
                else:
                    by_second.setdefault(word2, []).append(entry)

    def scan(self, lines: Iterable[ConfigLine]) -> Tagged:
        """Every (tag, line, match) in text order."""
        out: Tagged = []
        by_word, loose = self._by_word, self._loose
        for line in lines:
            found = by_word.get(line.word)
            if found is None:
                if not loose:
                    continue
                cands = loose
            else:
                by_second, rest = found
                if by_second:
                    parts = line.text.split(" ", 2)
                    second = by_second.get(parts[1]) if len(parts) > 1 else None
                    cands = second + rest if second else rest
                else:
                    cands = rest
                if loose:
                    cands = cands + loose
            _match_into(out, (line,), cands)
        return out

    def scan_tree(self, tree: ConfigTree) -> Tagged:
        """Every (tag, line, match) at any depth of `tree`, in line-number order; only the lines
        whose first words some pattern needs are looked at (through the tree's index)."""
        if self._loose:
            return self.scan(tree.lines)
        out: Tagged = []
        every, parts = tree._all, 0
        for word, (by_second, rest) in self._by_word.items():
            if word not in every:
                continue
            if rest:
                _match_into(out, every[word], rest)
                parts += 1
            if by_second:
                split = tree.by_second_word(word, anywhere=True)
                for second, patterns in by_second.items():
                    lines = split.get(second)
                    if lines:
                        _match_into(out, lines, patterns)
                        parts += 1
        if parts > 1:
            out.sort(key=_by_line)
        return out


def _by_line(hit: tuple[str, ConfigLine, re.Match[str]]) -> int:
    return hit[1].number


def _match_into(out: Tagged, lines: Iterable[ConfigLine], patterns: list[_Entry]) -> None:
    for line in lines:
        text = line.text
        for tag, prefix, needle, match in patterns:
            if text.startswith(prefix) and needle in text and (m := match(text)) is not None:
                out.append((tag, line, m))


def _number(line: ConfigLine) -> int:
    return line.number


Hits = list[tuple["ConfigLine", re.Match[str]]]  # matching lines with their matches, in text order


def find_in(lines: Iterable[ConfigLine], rx: Rx) -> Hits:
    """The lines matching `rx`, with their matches; the literal prefix is tested before the regex."""
    needle = rx.needle
    out: Hits = []
    if rx.anchored:
        prefix, match = rx.prefix, rx.regex.match
        for line in lines:
            text = line.text
            if text.startswith(prefix) and needle in text and (m := match(text)) is not None:
                out.append((line, m))
    else:
        search = rx.regex.search
        for line in lines:
            text = line.text
            if needle in text and (m := search(text)) is not None:
                out.append((line, m))
    return out


class ConfigLine:
    """One configuration statement.

    A line holds its children; its parent it only points to weakly (as long as the tree lives), so a
    tree has no reference cycle and is freed the moment its last user lets go of it, without waiting
    for the cyclic garbage collector to walk it.
    """

    __slots__ = ("__weakref__", "_flat", "_parent", "_texts", "children", "number", "text", "word")

    def __init__(self, text: str, number: int, parent: ConfigLine | None = None) -> None:
        self.text = text
        self.number = number
        self._parent = None if parent is None else weakref.ref(parent)
        self.children: list[ConfigLine] = []
        self.word = text.partition(" ")[0]  # first word, the index key
        self._flat: list[ConfigLine] | None = None
        self._texts: frozenset[str] | None = None

    @property
    def parent(self) -> ConfigLine | None:
        """The enclosing statement (None at top level)."""
        ref = self._parent
        return None if ref is None else ref()

    def child(self, rx: Rx) -> ConfigLine | None:
        """The first direct child matching `rx`."""
        prefix, needle = rx.prefix, rx.needle
        match = rx.regex.match if rx.anchored else rx.regex.search
        for c in self.children:
            text = c.text
            if text.startswith(prefix) and needle in text and match(text):
                return c
        return None

    def find_children(self, rx: Rx) -> list[tuple[ConfigLine, re.Match[str]]]:
        """The direct children matching `rx`, with their matches."""
        prefix, needle = rx.prefix, rx.needle
        match = rx.regex.match if rx.anchored else rx.regex.search
        out = []
        for c in self.children:
            text = c.text
            if text.startswith(prefix) and needle in text and (m := match(text)) is not None:
                out.append((c, m))
        return out

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

    def texts(self) -> frozenset[str]:
        """The texts of every statement below this one (computed once): `^shutdown$` is a lookup."""
        found = self._texts
        if found is None:
            found = self._texts = frozenset(line.text for line in self.descendants())
        return found

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

    def __init__(self, roots: list[ConfigLine], lines: list[ConfigLine], source_lines: int,
                 index: tuple[dict[str, list[ConfigLine]], dict[str, list[ConfigLine]]] | None = None) -> None:
        self.roots = roots
        self.lines = lines  # every statement, in text order
        self.source_lines = source_lines  # lines in the original text
        self._sub: dict[tuple[bool, str], dict[str, list[ConfigLine]]] = {}
        if index is not None:  # built by the parser as it went (top-level lines, lines at any depth)
            self._top, self._all = index
            return
        self._top = defaultdict(list)
        self._all = defaultdict(list)
        top, every = self._top, self._all
        for line in lines:
            word = line.word
            every[word].append(line)
            if line._parent is None:
                top[word].append(line)

    def by_first_word(self) -> dict[str, list[ConfigLine]]:
        """Every statement (at any depth) by its first word, in text order; not to be modified."""
        return self._all

    def _candidates(self, rx: Rx, anywhere: bool) -> Sequence[ConfigLine]:
        word = rx.word
        if word is not None:
            return self.bucket(word, rx.word2, anywhere=anywhere)
        if rx.heads is None:
            return self.lines if anywhere else self.roots
        found = [line for w, w2 in rx.heads for line in self.bucket(w, w2, anywhere=anywhere)]
        if len(rx.heads) > 1:
            found.sort(key=_number)  # back in text order
        return found

    def bucket(self, word: str, second: str | None, *, anywhere: bool) -> Sequence[ConfigLine]:
        """The lines (top-level, or at any depth) that may begin with `word` and then `second`."""
        bucket = (self._all if anywhere else self._top).get(word, ())
        if second is None or len(bucket) < _SUBINDEX_FROM:
            return bucket
        # a large bucket (`ip ...`, `no ...`, `interface ...`) is split by second word, once
        return self.by_second_word(word, anywhere=anywhere).get(second, ())

    def by_second_word(self, word: str, *, anywhere: bool) -> dict[str, list[ConfigLine]]:
        """The lines beginning with `word` (top-level, or at any depth) by their second word
        (computed once); not to be modified."""
        shared = (anywhere or self._top is self._all, word)  # a flat tree has one index for both
        sub = self._sub.get(shared)
        if sub is None:
            sub = self._sub[shared] = defaultdict(list)
            for line in (self._all if anywhere else self._top).get(word, ()):
                parts = line.text.split(" ", 2)
                sub[parts[1] if len(parts) > 1 else ""].append(line)
        return sub

    def find(self, rx: Rx, *, anywhere: bool = False) -> Hits:
        """Top-level lines (or lines at any depth) matching `rx`, in text order."""
        return find_in(self._candidates(rx, anywhere), rx)

    def first(self, rx: Rx, *, anywhere: bool = False) -> ConfigLine | None:
        """The first top-level line (or line at any depth) matching `rx`."""
        prefix, needle = rx.prefix, rx.needle
        match = rx.regex.match if rx.anchored else rx.regex.search
        for line in self._candidates(rx, anywhere):
            text = line.text
            if text.startswith(prefix) and needle in text and match(text):
                return line
        return None

    def sections(self, rx: Rx) -> Iterator[tuple[ConfigLine, re.Match[str]]]:
        """Top-level statements matching `rx` (their children are the section body)."""
        return iter(self.find(rx))

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
        index: dict[str, list[ConfigLine]] = defaultdict(list)  # every line is top-level: one index serves both
        for line in roots:
            index[line.word].append(line)
        super().__init__(roots, roots, source_lines, (index, index))
        self._sections: dict[str, list[tuple[ConfigLine, re.Match[str]]]] = {}

    def sections(self, rx: Rx) -> Iterator[tuple[ConfigLine, re.Match[str]]]:
        cached = self._sections.get(rx.source)
        if cached is None:
            groups: dict[str, tuple[ConfigLine, re.Match[str]]] = {}
            start, needle = rx.prefix, rx.needle
            match = rx.regex.match if rx.anchored else rx.regex.search
            for line in self._candidates(rx, False):
                text = line.text
                if not (text.startswith(start) and needle in text):
                    continue
                m = match(text)
                if m is None:
                    continue
                prefix = m.group(0).rstrip()
                section = groups.get(prefix)
                if section is None:
                    section = groups[prefix] = (ConfigLine(prefix, line.number), m)
                rest = text[len(prefix):].strip()
                if rest:
                    head = section[0]
                    head.children.append(ConfigLine(rest, line.number, head))
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
    top: dict[str, list[ConfigLine]] = defaultdict(list)
    every: dict[str, list[ConfigLine]] = defaultdict(list)
    for number, indent, text in statements:
        if indent == 0:
            node = ConfigLine(text, number)
            roots.append(node)
            indents.clear()
            nodes.clear()
            top[node.word].append(node)
        else:
            while indents and indents[-1] >= indent:
                indents.pop()
                nodes.pop()
            parent = nodes[-1] if nodes else None
            node = ConfigLine(text, number, parent)
            if parent is None:
                roots.append(node)
                top[node.word].append(node)
            else:
                parent.children.append(node)
        every[node.word].append(node)
        lines.append(node)
        indents.append(indent)
        nodes.append(node)
    return ConfigTree(roots, lines, source_lines, (top, every))
