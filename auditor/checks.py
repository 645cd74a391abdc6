"""The check primitives that policy rules are built from.

A rule's `check` names a scope (the whole config, every section matching a pattern, or the
interfaces of a role) and one or more assertions (`assertions.py`) that must hold in it. A rule
that needs more is a named Python check registered by its platform module.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .assertions import Assertion, Result
from .config import ConfigLine, Rx, compiled, find_in
from .context import INTERFACE_ROLES, CheckContext, CheckFn, Container, Interface
from .models import Evidence, Outcome, Status

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
            return [line for line, _ in find_in([i.line for i in ctx.interfaces_with(self.interfaces)], each)]
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
            return fixed if fixed is not None else _failure(ctx, [(None, [result])])
        if self.scope.is_global:
            return self._judge(ctx, [(None, self._test(ctx.everywhere if self.scope.anywhere else ctx.top))])
        sections = self.scope.select(ctx)
        if not sections:
            return self._no_section
        return self._judge(ctx, [(s, self._test(Container(ctx, s))) for s in sections])

    def _test(self, where: Container) -> list[Result]:
        return [a.test(where) for a in self.assertions]

    def _judge(self, ctx: CheckContext, tested: Sequence[tuple[ConfigLine | None, list[Result]]]) -> Outcome:
        failed: list[tuple[ConfigLine | None, list[Result]]] = []
        applicable = False
        for section, results in tested:
            bad = [r for r in results if not r.ok]
            if bad:
                failed.append((section, bad))
            applicable = applicable or any(r.applicable for r in results)
        if failed:
            return _failure(ctx, failed)
        return PASSED if applicable else NOTHING_TO_CHECK


def _failure(ctx: CheckContext, failed: list[tuple[ConfigLine | None, list[Result]]]) -> Outcome:
    """The failing outcome of a check from its failed results, by section (None: the whole config)."""
    details: list[str] = []
    evidence: list[Evidence] = []
    for section, results in failed:
        detail = "; ".join(r.detail for r in results)
        if section is None:
            details.append(detail)
        else:
            head = ctx.evidence(section)
            evidence.append(head)
            details.append(f"{head.text}: {detail}")
        for r in results:
            evidence.extend(ctx.evidence(line) for line in r.lines)
    every = [r for _, results in failed for r in results]
    return Outcome(_FAIL, " | ".join(details), tuple(dict.fromkeys(evidence)),
                   "; ".join(dict.fromkeys(r.expected for r in every)),
                   "; ".join(dict.fromkeys(r.actual for r in every)))


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
