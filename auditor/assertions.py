"""The assertions of the policy language: each is the compiled form of one YAML key of a rule's
`check` (see `policies/README.md`), tested in one Container (the whole config or a section).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

from .addresses import inside, interface_span, networks_text
from .config import ConfigLine, PatternTable, Rx
from .context import Container


class Result(NamedTuple):
    """An assertion's verdict in one container: ok or not, with the lines that show why."""

    ok: bool
    detail: str = ""
    lines: tuple[ConfigLine, ...] = ()
    expected: str = ""
    actual: str = ""
    applicable: bool = True


OK = Result(True)
SKIPPED = Result(True, applicable=False)


class Assertion:
    """One YAML assertion key, compiled."""

    def test(self, where: Container) -> Result:  # pragma: no cover - interface
        raise NotImplementedError

    def constant_results(self) -> tuple[Result, ...]:
        """Failing results (without lines) that `test` returns as the same objects every time."""
        return ()


@dataclass(frozen=True)
class Present(Assertion):
    patterns: tuple[Rx, ...]

    def __post_init__(self) -> None:
        # the verdict when everything is missing is the same every time: build it once
        expected = " and ".join(f"/{rx.source}/" for rx in self.patterns)
        object.__setattr__(self, "_expected", expected)
        object.__setattr__(self, "_all_missing", Result(False, "missing " + ", ".join(
            f"/{rx.source}/" for rx in self.patterns), expected=expected, actual="absent"))

    def test(self, where: Container) -> Result:
        has = where.has
        if len(self.patterns) == 1:  # the common case, without a list
            return OK if has(self.patterns[0]) else self.__dict__["_all_missing"]
        missing = [rx.source for rx in self.patterns if not has(rx)]
        if not missing:
            return OK
        if len(missing) == len(self.patterns):
            all_missing: Result = self.__dict__["_all_missing"]
            return all_missing
        return Result(False, "missing " + ", ".join(f"/{s}/" for s in missing),
                      expected=self.__dict__["_expected"], actual="absent")

    def constant_results(self) -> tuple[Result, ...]:
        return (self.__dict__["_all_missing"],)


@dataclass(frozen=True)
class AnyOf(Assertion):
    patterns: tuple[Rx, ...]

    @cached_property
    def _none(self) -> Result:
        want = " or ".join(f"/{rx.source}/" for rx in self.patterns)
        return Result(False, f"none of {want}", expected=want, actual="absent")

    def test(self, where: Container) -> Result:
        has = where.has
        for rx in self.patterns:
            if has(rx):
                return OK
        return self._none

    def constant_results(self) -> tuple[Result, ...]:
        return (self._none,)


@dataclass(frozen=True)
class Absent(Assertion):
    patterns: tuple[Rx, ...]

    def test(self, where: Container) -> Result:
        found = [line for rx in self.patterns for line, _ in where.find(rx)]
        if found:
            return Result(False, "present", tuple(found), expected="absent", actual=f"{len(found)} line(s)")
        return OK


def _value(m: re.Match[str], weights: Mapping[str, float]) -> float:
    total = 0.0
    for group, weight in weights.items():
        raw = m.group(group)
        if raw is not None:
            total += float(raw) * weight
    return total


@dataclass(frozen=True)
class Compare(Assertion):
    """Every matching line's value (a weighted sum of named groups) lies within bounds."""

    match: Rx
    weights: Mapping[str, float]
    min: float | None = None  # value must be >= min
    max: float | None = None  # value must be <= max
    above: float | None = None  # value must be > above
    missing: str = "fail"  # fail | pass | not_applicable when no line matches

    @cached_property
    def _missing(self) -> Result:
        return Result(False, f"missing /{self.match.source}/", expected=self.bounds, actual="absent")

    def constant_results(self) -> tuple[Result, ...]:
        return (self._missing,)

    @cached_property
    def bounds(self) -> str:
        parts = []
        if self.above is not None:
            parts.append(f"> {self.above:g}")
        if self.min is not None:
            parts.append(f">= {self.min:g}")
        if self.max is not None:
            parts.append(f"<= {self.max:g}")
        return " and ".join(parts)

    def test(self, where: Container) -> Result:
        bad: list[ConfigLine] = []
        values: list[str] = []
        seen = False
        for line, m in where.find(self.match):
            seen = True
            v = _value(m, self.weights)
            if (self.min is not None and v < self.min) or (self.max is not None and v > self.max) or (
                self.above is not None and v <= self.above
            ):
                bad.append(line)
                values.append(f"{v:g}")
        if not seen:
            if self.missing == "pass":
                return OK
            if self.missing == "not_applicable":
                return SKIPPED
            return self._missing
        if bad:
            return Result(False, f"value {', '.join(values)} not {self.bounds}", tuple(bad),
                          expected=self.bounds, actual=", ".join(values))
        return OK


@dataclass(frozen=True)
class Count(Assertion):
    """The number of distinct matching lines lies within bounds."""

    match: Rx
    min: int | None = None
    max: int | None = None

    def test(self, where: Container) -> Result:
        lines: dict[str, ConfigLine] = {}
        for line, _ in where.find(self.match):
            lines.setdefault(line.text, line)
        n = len(lines)
        want = " and ".join(
            p for p in (f">= {self.min}" if self.min is not None else "", f"<= {self.max}" if self.max is not None else "") if p
        )
        if (self.min is not None and n < self.min) or (self.max is not None and n > self.max):
            return Result(False, f"{n} found, expected {want}", tuple(lines.values()), expected=want, actual=str(n))
        return OK


@dataclass(frozen=True)
class Defined(Assertion):
    """Every name that a matching line references is defined as an object of `kind`."""

    ref: Rx
    kind: str

    def test(self, where: Container) -> Result:
        defined = where.ctx.defined(self.kind)
        bad = [(line, m.group("name")) for line, m in where.find(self.ref) if m.group("name") not in defined]
        if bad:
            names = ", ".join(sorted({n for _, n in bad}))
            return Result(False, f"{self.kind} {names} not defined", tuple(line for line, _ in bad),
                          expected=f"{self.kind} defined", actual=f"undefined: {names}")
        return OK


@dataclass(frozen=True)
class References(Assertion):
    """Every object of the listed kinds that the config references anywhere is defined."""

    kinds: tuple[str, ...]
    table: PatternTable  # the refs of those kinds

    def test(self, where: Container) -> Result:
        ctx = where.ctx
        bad: list[ConfigLine] = []
        names: list[str] = []
        # refs are matched at any depth (ObjectKind), unless the scope is one section
        section = where.section
        hits = self.table.scan(section.descendants()) if section is not None else self.table.scan_tree(ctx.tree)
        for kind, line, m in hits:
            name = m.group("name")
            if name not in ctx.defined(kind):
                bad.append(line)
                names.append(f"{kind} {name}")
        if bad:
            listed = ", ".join(dict.fromkeys(names))
            return Result(False, f"undefined {listed}", tuple(bad), expected="every reference defined",
                          actual=f"undefined: {listed}")
        return OK


@dataclass(frozen=True)
class Within(Assertion):
    """Every matched address lies in the host's prefixes (`prefixes`) or designated servers (`servers`)."""

    match: Rx
    prefixes: str | None = None  # host data key holding CIDRs
    servers: str | None = None  # designated server type

    @cached_property
    def _key(self) -> str:
        return self.prefixes if self.prefixes else f"designated_servers.{self.servers}"

    def test(self, where: Container) -> Result:
        ctx = where.ctx
        spans = ctx.spans(self._key)
        with_mask = "mask" in self.match.regex.groupindex
        bad: list[ConfigLine] = []
        shown: list[str] = []
        seen = False
        for line, m in where.find(self.match):
            seen = True
            addr = m.group("addr")
            mask = m.group("mask") if with_mask else None
            found = interface_span(f"{addr}/{mask}" if mask else addr)
            if found is None or not inside(found, spans):
                bad.append(line)
                shown.append(addr)
        if not seen:
            return SKIPPED
        if bad:
            what = self.prefixes or f"designated {self.servers} servers"
            listed = ", ".join(shown)
            return Result(False, f"{listed} outside {what}", tuple(bad),
                          expected=f"inside {networks_text(ctx.host_texts(self._key))}", actual=listed)
        return OK
