"""Matching typed lines against a profile's command syntax, and output modifiers (`| include`...)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from .profiles import PipeKind

# A line is words separated by blanks, and `|` (always a word of its own) separating segments.
_TOKEN = re.compile(r"\||[^\s|]+")


@dataclass(frozen=True)
class Token:
    text: str
    start: int  # offset in the typed line, for the error caret


def segments(line: str) -> list[list[Token]]:
    """The words of `line`, split at each `|` (the first segment is the command)."""
    out: list[list[Token]] = [[]]
    for m in _TOKEN.finditer(line):
        if m.group() == "|":
            out.append([])
        else:
            out[-1].append(Token(m.group(), m.start()))
    return out


class _HasWords(Protocol):
    @property
    def words(self) -> tuple[str, ...]: ...


R = TypeVar("R", bound=_HasWords)


@dataclass(frozen=True)
class Match(Generic[R]):
    rule: R
    args: tuple[str, ...]


@dataclass(frozen=True)
class NoMatch:
    index: int  # the offending word (len(tokens) when the line stops too early)
    kind: str  # "unknown", "ambiguous" or "incomplete"


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    return text


def _is_keyword(word: str) -> bool:
    return not word.startswith(("<", "{"))


def _match_word(word: str, text: str) -> tuple[bool, str | None]:
    """Does typed `text` fit syntax `word`; and the argument value it gives, if any."""
    low = text.lower()
    if word == "<int>":
        return text.isdigit(), text
    if word == "<word>":
        return True, text
    if word.startswith("{"):
        choices = word[1:-1].split("|")
        if low in choices:
            return True, low
        hits = [c for c in choices if c.startswith(low)]
        return (True, hits[0]) if len(hits) == 1 else (False, None)
    return word.startswith(low), None  # a keyword, or any prefix of it


def resolve(rules: Sequence[R], tokens: Sequence[Token], line: str, end: int | None = None) -> Match[R] | NoMatch:
    """The rule `tokens` spell (keywords may be abbreviated to an unambiguous prefix).

    `<rest>` in a rule takes the rest of the segment (up to offset `end` of `line`) as one argument.
    """
    seg_end = len(line) if end is None else end
    cands: list[tuple[R, tuple[str, ...]]] = [(r, ()) for r in rules]
    rest: Match[R] | None = None
    for i, tok in enumerate(tokens):
        survivors: list[tuple[R, tuple[str, ...]]] = []
        keywords: set[str] = set()
        for rule, args in cands:
            words = rule.words
            if i >= len(words):
                continue
            word = words[i]
            if word == "<rest>":
                if rest is None:
                    rest = Match(rule, (*args, _unquote(line[tok.start : seg_end].strip())))
                continue
            ok, value = _match_word(word, tok.text)
            if ok:
                survivors.append((rule, args if value is None else (*args, value)))
                if _is_keyword(word):
                    keywords.add(word)
        if len(keywords) > 1:
            exact = tok.text.lower()
            if exact not in keywords:
                return rest or NoMatch(i, "ambiguous")
            survivors = [(r, a) for r, a in survivors if not _is_keyword(r.words[i]) or r.words[i] == exact]
        if not survivors:
            return rest or NoMatch(i, "unknown")
        cands = survivors
    for rule, args in cands:
        if len(rule.words) == len(tokens):
            return Match(rule, args)
    return rest or NoMatch(len(tokens), "incomplete")


def _compile(pattern: str, flags: int = 0) -> re.Pattern[str]:
    try:
        return re.compile(pattern, flags)
    except re.error:
        return re.compile(re.escape(pattern), flags)


def _grep(lines: list[str], arg: str) -> list[str]:
    """FortiOS `grep [-i] [-v] [-f] PATTERN` (-f, "whole config block", is taken as plain grep)."""
    words = arg.split()
    flags, invert = 0, False
    while words and words[0].startswith("-") and len(words) > 1:
        opt = words.pop(0)
        if "i" in opt:
            flags |= re.IGNORECASE
        if "v" in opt:
            invert = True
    rx = _compile(" ".join(words), flags)
    return [ln for ln in lines if bool(rx.search(ln)) != invert]


def apply_pipes(text: str, pipes: Sequence[tuple[PipeKind, str]]) -> str:
    """`text` (lines ending in \\n) through the filtering modifiers among `pipes`."""
    filters = [(k, a) for k, a in pipes if k in (PipeKind.INCLUDE, PipeKind.EXCLUDE, PipeKind.BEGIN, PipeKind.GREP)]
    if not filters:
        return text
    lines = text.split("\n")
    if lines and not lines[-1]:
        lines.pop()
    for kind, arg in filters:
        if kind is PipeKind.GREP:
            lines = _grep(lines, arg)
            continue
        rx = _compile(arg)
        if kind is PipeKind.INCLUDE:
            lines = [ln for ln in lines if rx.search(ln)]
        elif kind is PipeKind.EXCLUDE:
            lines = [ln for ln in lines if not rx.search(ln)]
        else:
            start = next((n for n, ln in enumerate(lines) if rx.search(ln)), len(lines))
            lines = lines[start:]
    return "".join(ln + "\n" for ln in lines)
