"""The check primitives that policy rules are built from.

A rule's `check` names a scope (the whole config, every section matching a pattern, or the
interfaces of a role) and one or more assertions that must hold in it. Each primitive here is
the compiled form of one YAML key (see docs in `policies/README.md`). A rule that needs more is
a named Python check registered by its platform module.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, NamedTuple

from .addresses import Span, inside, interface_span, network, network_span, networks_text
from .config import ConfigLine, ConfigTree, Hits, PatternTable, Rx, compiled, find_in
from .models import Evidence, HostInfo, Outcome, Status

if TYPE_CHECKING:
    from .platforms.base import Platform

CheckFn = Callable[["CheckContext", Mapping[str, Any]], Outcome]

INTERFACE_ROLES = ("tslcd", "internet")


@dataclass(frozen=True)
class ObjectKind:
    """A kind of named object (ACL, route-map...): how it is defined and how it is referenced."""

    name: str
    defs: tuple[Rx, ...]  # patterns with a `name` group, matched at any depth
    refs: tuple[Rx, ...] = ()  # patterns with a `name` group, matched at any depth
    builtin: frozenset[str] = frozenset()


class ObjectTable(dict[str, ObjectKind]):
    """The object kinds of a platform's policy, with their patterns precompiled into pass tables."""

    def __init__(self, kinds: Mapping[str, ObjectKind]) -> None:
        super().__init__(kinds)
        self.defs = PatternTable((k.name, rx) for k in kinds.values() for rx in k.defs)

    def refs(self, kinds: Iterable[str]) -> PatternTable:
        return PatternTable((k, rx) for k in kinds for rx in self[k].refs)


class Interface(NamedTuple):
    """An interface section with its role on the dedicated network."""

    line: ConfigLine
    name: str
    roles: frozenset[str]
    shutdown: bool
    physical: bool
    description: str


class CheckContext:
    """What a check may look at: the parsed config, the host, the platform and the policy's objects."""

    def __init__(
        self,
        tree: ConfigTree,
        host: HostInfo,
        platform: Platform,
        objects: ObjectTable,
    ) -> None:
        self.tree = tree
        self.host = host
        self.platform = platform
        self.objects = objects
        self._defined: dict[str, frozenset[str]] = {}
        self._networks: dict[str, list[ipaddress.IPv4Network | ipaddress.IPv6Network]] = {}
        self._memo: dict[str, Any] = {}
        self._by_role: dict[str, tuple[Interface, ...]] = {}
        self._evidence: dict[int, tuple[ConfigLine, Evidence]] = {}
        self._spans: dict[str, list[Span]] = {}
        self.role: str | None = host.get("role")
        self.level: int | None = host.get("level")

    @property
    def top(self) -> Container:
        """The whole config, top-level statements (made on demand: a context holding its own
        containers would be a reference cycle, kept alive until the garbage collector runs)."""
        return Container(self, None)

    @property
    def everywhere(self) -> Container:
        """The whole config, statements at any depth."""
        return Container(self, None, anywhere=True)

    def memo(self, key: str, factory: Callable[[], Any]) -> Any:
        """A value derived from this config, computed once per host (e.g. a BGP neighbour model)."""
        try:
            return self._memo[key]
        except KeyError:
            value = self._memo[key] = factory()
            return value

    def evidence(self, line: ConfigLine) -> Evidence:
        """Evidence for a line, with its secrets redacted by the platform (once per line and host)."""
        found = self._evidence.get(id(line))  # the entry holds the line: its id stays its own
        if found is None:
            found = self._evidence[id(line)] = (line, Evidence(line.number, self.platform.redact(line.text)))
        return found[1]

    def defined(self, kind: str) -> frozenset[str]:
        """Names of the objects of `kind` that the config defines (built-ins included)."""
        if not self._defined:
            found: dict[str, set[str]] = {k: set(obj.builtin) for k, obj in self.objects.items()}
            for tag, _, m in self.objects.defs.scan_tree(self.tree):
                found[tag].add(m.group("name"))
            self._defined = {k: frozenset(v) for k, v in found.items()}
        return self._defined[kind]

    @cached_property
    def interfaces(self) -> tuple[Interface, ...]:
        syntax = self.platform.interfaces
        desc, shut, physical = syntax.description_rx, syntax.shutdown_rx, syntax.is_physical
        desc_prefix, desc_match, desc_text = desc.prefix, desc.regex.match, "text" in desc.regex.groupindex
        shut_prefix, shut_match = shut.prefix, shut.regex.match
        uplinks = self.host.get("uplinks")
        by_name: dict[str, set[str]] = {}
        if uplinks is not None:
            for role in INTERFACE_ROLES:
                for name in uplinks.get(role) or ():
                    by_name.setdefault(self.platform.canonical_ifname(str(name)), set()).add(role)
        out = []
        for line, m in self._interface_sections(syntax.section_rx, syntax.container_rx):
            name = m.group("name")
            # one pass over the body: the first description line, and whether it is shut down
            text: str | None = None
            down = False
            for child in line.children:
                t = child.text
                if text is None and t.startswith(desc_prefix) and (d := desc_match(t)) is not None:
                    text = d.group("text") if desc_text else t.partition(" ")[2]
                elif not down and t.startswith(shut_prefix) and shut_match(t) is not None:
                    down = True
            text = text or ""
            if uplinks is not None:
                roles = frozenset(by_name.get(self.platform.canonical_ifname(name), ()))
            else:
                first = text.split(None, 1)[0] if text else ""
                roles = _ROLE_OF.get(first, _NO_ROLE)
            out.append(Interface(line, name, roles, down, physical(name), text))
        return tuple(out)

    def _interface_sections(self, header: Rx, container: Rx | None) -> Iterator[tuple[ConfigLine, re.Match[str]]]:
        """Interface sections: top-level, or entries of a container table (FortiOS `config system interface`)."""
        if container is None:
            yield from self.tree.sections(header)
            return
        for table, _ in self.tree.sections(container):
            for child in table.children:
                m = header.match(child.text)
                if m is not None:
                    yield child, m

    def interfaces_with(self, role: str) -> tuple[Interface, ...]:
        """Interfaces of a role: tslcd, internet, external (either), physical or all."""
        found = self._by_role.get(role)
        if found is None:
            every = self.interfaces
            if role == "all":
                found = every
            elif role == "physical":
                found = tuple(i for i in every if i.physical)
            elif role == "external":
                found = tuple(i for i in every if i.roles)
            else:
                found = tuple(i for i in every if role in i.roles)
            self._by_role[role] = found
        return found

    def networks(self, path: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        """Host data addresses or prefixes at `path` as networks (parsed once per host)."""
        nets = self._networks.get(path)
        if nets is None:
            nets = self._networks[path] = [n for v in self.host_value(path) or () if (n := network(str(v)))]
        return nets

    def spans(self, path: str) -> list[Span]:
        """networks(path) as integer ranges."""
        found = self._spans.get(path)
        if found is None:
            found = self._spans[path] = [sp for v in self.host_texts(path) if (sp := network_span(v))]
        return found

    def host_texts(self, path: str) -> tuple[str, ...]:
        """The host data list at `path` as texts (empty when absent)."""
        return tuple(str(v) for v in self.host_value(path) or ())

    def host_value(self, path: str) -> Any:
        """A host data value by dotted path (`designated_servers.ntp`), None when absent."""
        value: Any = self.host.data
        for part in path.split("."):
            if not (type(value) is dict or isinstance(value, Mapping)):  # the ABC check is slow: dicts first
                return None
            value = value.get(part)
        return value


# interface roles from the first word of a description, when the inventory lists no uplinks
_ROLE_OF = {"TSLCD": frozenset({"tslcd"}), "INTERNET": frozenset({"internet"})}
_NO_ROLE: frozenset[str] = frozenset()


# ---------------------------------------------------------------- where a check looks

class Container:
    """The lines an assertion looks at: the whole config, or one section's body."""

    __slots__ = ("anywhere", "ctx", "section", "tree")

    def __init__(self, ctx: CheckContext, section: ConfigLine | None, anywhere: bool = False) -> None:
        self.ctx = ctx
        self.tree = ctx.tree
        self.section = section
        self.anywhere = anywhere

    def find(self, rx: Rx) -> Hits:
        if self.section is None:
            return self.tree.find(rx, anywhere=self.anywhere)
        return find_in(self.section.descendants(), rx)

    def has(self, rx: Rx) -> bool:
        if self.section is None:
            return self.tree.first(rx, anywhere=self.anywhere) is not None
        if rx.exact is not None:
            return rx.exact in self.section.texts()
        needle = rx.needle
        if rx.anchored:
            prefix, match = rx.prefix, rx.regex.match
            for line in self.section.descendants():
                text = line.text
                if text.startswith(prefix) and needle in text and match(text):
                    return True
            return False
        search = rx.regex.search
        return any(needle in line.text and search(line.text) for line in self.section.descendants())


# ---------------------------------------------------------------- assertions

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


# ---------------------------------------------------------------- scopes and whole checks

@dataclass(frozen=True)
class Scope:
    """Which sections a check applies to; `None` header and interfaces mean the whole config."""

    each: Rx | None = None
    interfaces: str | None = None
    where: tuple[Rx, ...] = ()
    unless: tuple[Rx, ...] = ()
    require: bool = False
    anywhere: bool = False

    @property
    def is_global(self) -> bool:
        return self.each is None and self.interfaces is None

    def candidates(self, ctx: CheckContext) -> list[ConfigLine]:
        """The sections before `where` / `unless` filter them (a platform's named check may select others)."""
        if self.interfaces is not None:
            each = self.each
            if each is None:
                return [i.line for i in ctx.interfaces_with(self.interfaces)]
            return [i.line for i in ctx.interfaces_with(self.interfaces) if each.match(i.line.text)]
        assert self.each is not None
        return [line for line, _ in ctx.tree.sections(self.each)]

    def select(self, ctx: CheckContext) -> list[ConfigLine]:
        candidates = self.candidates(ctx)
        where, unless = self.where, self.unless
        if not where and not unless:
            return candidates
        out = []
        for s in candidates:
            body = Container(ctx, s)
            for rx in where:
                if not body.has(rx):
                    break
            else:
                for rx in unless:
                    if body.has(rx):
                        break
                else:
                    out.append(s)
        return out

    def describe(self) -> str:
        if self.interfaces is not None:
            return f"{self.interfaces} interfaces"
        assert self.each is not None
        return f"sections /{self.each.source}/"


_FAIL = Status.FAIL
PASSED = Outcome(Status.PASS)
NOTHING_TO_CHECK = Outcome(Status.NOT_APPLICABLE, "nothing to check")


@dataclass(frozen=True)
class Check:
    """A compiled `check:` mapping: a scope, assertions that must all hold, and global escapes."""

    scope: Scope
    assertions: tuple[Assertion, ...]
    pass_if: tuple[Rx, ...] = ()  # any of these at top level makes the check pass outright
    # the single assertion of a check over the whole config, the common case run the short way
    _global_test: Callable[[Container], Result] | None = field(init=False, repr=False, compare=False)

    # the outcome when the scope selects no section (fail when the scope is required)
    _no_section: Outcome = field(init=False, repr=False, compare=False)
    # the outcomes of the global test's constant failing results, by id of the result
    _fails: dict[int, Outcome] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        single = self.scope.is_global and len(self.assertions) == 1
        object.__setattr__(self, "_global_test", self.assertions[0].test if single else None)
        results = self.assertions[0].constant_results() if single else ()
        object.__setattr__(self, "_fails", {id(r): Outcome(_FAIL, r.detail, (), r.expected, r.actual)
                                            for r in results if not r.lines})
        none = PASSED
        if not self.scope.is_global:
            what = self.scope.describe()
            none = (Outcome(Status.FAIL, f"no {what} found", expected=what, actual="none") if self.scope.require
                    else Outcome(Status.NOT_APPLICABLE, f"no {what}"))
        object.__setattr__(self, "_no_section", none)

    def constant_outcomes(self) -> tuple[Outcome, ...]:
        return (*((self._no_section,) if not self.scope.is_global else ()), *self._fails.values())

    def run(self, ctx: CheckContext) -> Outcome:
        for rx in self.pass_if:
            line = ctx.tree.first(rx)
            if line is not None:
                return Outcome(Status.PASS, f"met globally by line {line.number}", (ctx.evidence(line),))
        test = self._global_test
        if test is not None:
            result = test(ctx.everywhere if self.scope.anywhere else ctx.top)
            if result.ok:
                return PASSED if result.applicable else NOTHING_TO_CHECK
            fixed = self._fails.get(id(result))
            if fixed is not None:
                return fixed
            # what _judge makes of a single failed result
            evidence = tuple(dict.fromkeys(ctx.evidence(line) for line in result.lines)) if result.lines else ()
            return Outcome(_FAIL, result.detail, evidence, result.expected, result.actual)
        if self.scope.is_global:
            return self._judge(ctx, [(None, self._test(ctx.everywhere if self.scope.anywhere else ctx.top))])
        sections = self.scope.select(ctx)
        if not sections:
            return self._no_section
        assertions = self.assertions
        if len(assertions) == 1:
            # the common case, without building a result list per section unless one fails
            test = assertions[0].test
            applicable = False
            for i, s in enumerate(sections):
                r = test(Container(ctx, s))
                if not r.ok:
                    rest = [(t, [test(Container(ctx, t))]) for t in sections[i + 1:]]
                    return self._judge(ctx, [(s, [r]), *rest], applicable=True)
                applicable = applicable or r.applicable
            return PASSED if applicable else NOTHING_TO_CHECK
        return self._judge(ctx, [(s, self._test(Container(ctx, s))) for s in sections])

    def _test(self, where: Container) -> list[Result]:
        return [a.test(where) for a in self.assertions]

    def _judge(self, ctx: CheckContext, tested: Sequence[tuple[ConfigLine | None, list[Result]]],
               applicable: bool = False) -> Outcome:
        failing = False
        for _, results in tested:
            for r in results:
                if not r.ok:
                    failing = True
                    break
                applicable = applicable or r.applicable
            if failing:
                break
        if not failing:
            return PASSED if applicable else NOTHING_TO_CHECK
        details: list[str] = []
        evidence: list[Evidence] = []
        expected: list[str] = []
        actual: list[str] = []
        for section, results in tested:
            failed = [r for r in results if not r.ok]
            applicable = applicable or any(r.applicable for r in results) or bool(failed)
            if not failed:
                continue
            if section is not None:
                head = ctx.evidence(section)
                evidence.append(head)
                details.append(f"{head.text}: " + "; ".join(r.detail for r in failed))
            else:
                details.append("; ".join(r.detail for r in failed))
            for r in failed:
                evidence.extend(ctx.evidence(line) for line in r.lines)
                expected.append(r.expected)
                actual.append(r.actual)
        if details:
            unique = tuple(dict.fromkeys(evidence))
            return Outcome(Status.FAIL, " | ".join(details), unique, "; ".join(dict.fromkeys(expected)),
                           "; ".join(dict.fromkeys(actual)))
        if not applicable:
            return NOTHING_TO_CHECK
        return PASSED


@dataclass(frozen=True)
class PythonCheck:
    """A named check written in Python, registered by the platform (or generic)."""

    name: str
    fn: CheckFn
    params: Mapping[str, Any] = field(default_factory=dict)

    def run(self, ctx: CheckContext) -> Outcome:
        return self.fn(ctx, self.params)


@dataclass(frozen=True)
class Condition:
    """A rule's `when`: every listed condition must hold, else the rule is not applicable."""

    present: tuple[Rx, ...] = ()  # any of these lines exists (any depth)
    absent: tuple[Rx, ...] = ()  # none of these lines exists (any depth)
    host: tuple[str, ...] = ()  # host data paths that must be non-empty
    interfaces: tuple[str, ...] = ()  # interface roles the host must have
    # the outcome when `present` fails, then one per `absent`, `host` and `interfaces` entry
    _outcomes: tuple[Outcome, tuple[Outcome, ...], tuple[Outcome, ...], tuple[Outcome, ...]] = field(
        init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # the outcomes when a condition fails are the same every time: made once
        def na(why: str) -> Outcome:
            return Outcome(Status.NOT_APPLICABLE, why)
        object.__setattr__(self, "_outcomes", (
            na("not configured: " + " or ".join(f"/{rx.source}/" for rx in self.present)),
            tuple(na(f"not relevant: /{rx.source}/ configured") for rx in self.absent),
            tuple(na(f"inventory has no {path} for this host") for path in self.host),
            tuple(na(f"host has no {role} interface") for role in self.interfaces),
        ))

    def excluded(self, ctx: CheckContext) -> Outcome | None:
        """The not-applicable outcome when a condition fails, None when every condition holds."""
        missing, relevant, host, interfaces = self._outcomes
        if self.present:
            first = ctx.tree.first
            for rx in self.present:
                if first(rx, anywhere=True) is not None:
                    break
            else:
                return missing
        for rx, outcome in zip(self.absent, relevant, strict=True):
            if ctx.tree.first(rx, anywhere=True) is not None:
                return outcome
        for path, outcome in zip(self.host, host, strict=True):
            if not ctx.host_value(path):
                return outcome
        for role, outcome in zip(self.interfaces, interfaces, strict=True):
            if not ctx.interfaces_with(role):
                return outcome
        return None

    def constant_outcomes(self) -> tuple[Outcome, ...]:
        missing, relevant, host, interfaces = self._outcomes
        return (missing, *relevant, *host, *interfaces)


# ---------------------------------------------------------------- generic named checks

def hostname_matches(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    """The config's host name equals the inventory name (case-insensitive, domain suffix ignored)."""
    rx = compiled(params["match"])
    found = list(ctx.tree.find(rx, anywhere=bool(params.get("anywhere", False))))
    want = short_hostname(ctx.host.name)
    if not found:
        return Outcome(Status.FAIL, "no host name in the config", expected=want, actual="absent")
    line, m = found[-1]
    got = m.group("name").strip('"')
    if short_hostname(got) != want:
        return Outcome(Status.FAIL, f"config belongs to {got!r}, inventory expects {ctx.host.name!r}",
                       (ctx.evidence(line),), expected=want, actual=got)
    return Outcome(Status.PASS, evidence=(ctx.evidence(line),))


def separate_instances(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    """Interfaces of two roles (tslcd, internet) share no routing instance; an interface in none is in `default`.

    params: `match`, a child regex with a `name` group naming the interface's instance (VRF,
    vpn-instance...); optional `roles` (two roles, default tslcd and internet) and `default`.
    """
    rx = compiled(params["match"])
    first, second = params.get("roles", INTERFACE_ROLES)
    default = str(params.get("default", "global"))
    found: list[dict[str, list[Interface]]] = []
    for role in (first, second):
        by_instance: dict[str, list[Interface]] = {}
        for i in ctx.interfaces_with(role):
            name = next((m.group("name") for _, m in i.line.find_children(rx)), default)
            by_instance.setdefault(name, []).append(i)
        found.append(by_instance)
    if not found[0] or not found[1]:
        return Outcome(Status.NOT_APPLICABLE, f"host lacks {first} or {second} interfaces")
    shared = sorted(found[0].keys() & found[1].keys())
    if shared:
        ifaces = [i for name in shared for i in (*found[0][name], *found[1][name])]
        names = ", ".join(dict.fromkeys(i.name for i in ifaces))
        return Outcome(Status.FAIL, f"{first} and {second} interfaces share {', '.join(shared)} ({names})",
                       tuple(dict.fromkeys(ctx.evidence(i.line) for i in ifaces)),
                       expected=f"{first} and {second} in different instances", actual=f"both in {', '.join(shared)}")
    return PASSED


def short_hostname(name: str) -> str:
    """Host name for comparison: lower-case, without a domain suffix."""
    return name.strip().lower().split(".", 1)[0]


GENERIC_CHECKS: Mapping[str, CheckFn] = {
    "hostname_matches": hostname_matches,
    "separate_instances": separate_instances,
}
