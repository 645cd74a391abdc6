"""Load and validate policy files into frozen rule objects."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .assertions import Absent, AnyOf, Assertion, Compare, Count, Defined, Present, References, Within
from .catalogue import Catalogue
from .checks import GENERIC_CHECKS, Check, Condition, PythonCheck, Scope
from .config import Rx
from .context import CheckContext, ObjectKind, ObjectTable
from .errors import AuditorError, PolicyError
from .models import Outcome, Status
from .platforms import Platform, get_platform, known_platforms
from .schemas import POLICY_SCHEMA, RULE_SCHEMA, Validator, flatten_errors
from .yamlio import load_yaml

# Files under the policy directory that are not rule files.
NON_RULE_FILES = {"waivers.yaml"}


@dataclass(frozen=True)
class Applies:
    roles: tuple[str, ...] = ()
    min_level: int | None = None
    max_level: int | None = None
    _outcomes: tuple[Outcome, Outcome, Outcome] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # the not-applicable outcomes, the same every time: made once
        object.__setattr__(self, "_outcomes", (
            Outcome(Status.NOT_APPLICABLE, f"applies to roles {', '.join(self.roles)}"),
            Outcome(Status.NOT_APPLICABLE, f"applies from level {self.min_level}"),
            Outcome(Status.NOT_APPLICABLE, f"applies up to level {self.max_level}"),
        ))

    def excluded(self, role: str | None, level: int | None) -> Outcome | None:
        """The not-applicable outcome when a host is outside this scope, None when it is inside."""
        by_role, below, above = self.constant_outcomes()
        if self.roles and role not in self.roles:
            return by_role
        if self.min_level is not None and (level is None or level < self.min_level):
            return below
        if self.max_level is not None and (level is None or level > self.max_level):
            return above
        return None

    def constant_outcomes(self) -> tuple[Outcome, Outcome, Outcome]:
        return self._outcomes


@dataclass(frozen=True)
class Rule:
    """One policy rule: checks one aspect of one control on one platform."""

    id: str
    control: str
    platform: str
    message: str
    remediation: str
    check: Check | PythonCheck
    applies: Applies = Applies()
    when: Condition | None = None
    source: str = ""
    _limited: bool = field(init=False, repr=False, compare=False)  # applies only to some roles or levels

    def __post_init__(self) -> None:
        a = self.applies
        object.__setattr__(self, "_limited", bool(a.roles) or a.min_level is not None or a.max_level is not None)

    def run(self, ctx: CheckContext) -> Outcome:
        if self._limited:
            outside = self.applies.excluded(ctx.role, ctx.level)
            if outside is not None:
                return outside
        if self.when is not None:
            excluded = self.when.excluded(ctx)
            if excluded is not None:
                return excluded
        return self.check.run(ctx)

    def runner(self) -> Callable[[CheckContext], Outcome]:
        """`run`, or the check's own run when no role, level or condition limits the rule."""
        return self.run if self._limited or self.when is not None else self.check.run

    def constant_outcomes(self) -> tuple[Outcome, ...]:
        """The outcome objects this rule returns as they are, whatever the config (the engine makes
        their findings once)."""
        when = self.when.constant_outcomes() if self.when is not None else ()
        check = self.check.constant_outcomes() if isinstance(self.check, Check) else ()
        return (*self.applies.constant_outcomes(), *when, *check)


@dataclass(frozen=True)
class PlatformPolicy:
    platform: Platform
    rules: tuple[Rule, ...]
    objects: ObjectTable

    def by_control(self) -> dict[str, list[Rule]]:
        """Rules grouped by control id (computed once)."""
        out: dict[str, list[Rule]] | None = self.__dict__.get("_by_control")
        if out is None:
            out = {}
            for r in self.rules:
                out.setdefault(r.control, []).append(r)
            object.__setattr__(self, "_by_control", out)
        return out


@dataclass(frozen=True)
class Policy:
    """Every platform's rules, and the version (content hash) of the files they came from."""

    platforms: Mapping[str, PlatformPolicy]
    version: str
    files: tuple[str, ...] = field(default_factory=tuple)

    def for_platform(self, name: str) -> PlatformPolicy | None:
        return self.platforms.get(name)


def _patterns(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


class _Compiler:
    """Compiles one policy file, collecting every problem instead of stopping at the first."""

    def __init__(self, path: Path, catalogue: Catalogue) -> None:
        self.path = path
        self.catalogue = catalogue
        self.problems: list[str] = []

    def problem(self, rule: str | None, fld: str, message: str) -> None:
        where = f"rule {rule}: " if rule else ""
        self.problems.append(f"{self.path}: {where}{fld}: {message}")

    def rx(self, rule: str | None, fld: str, source: str, groups: tuple[str, ...] = ()) -> Rx | None:
        try:
            rx = Rx(source)
        except re.error as exc:
            self.problem(rule, fld, f"bad regex {source!r}: {exc}")
            return None
        for g in groups:
            if g not in rx.regex.groupindex:
                self.problem(rule, fld, f"regex {source!r} needs a named group (?P<{g}>...)")
                return None
        return rx

    def rxs(self, rule: str | None, fld: str, value: Any) -> tuple[Rx, ...]:
        out = [self.rx(rule, fld, s) for s in _patterns(value)]
        return tuple(r for r in out if r is not None)

    def objects(self, raw: Mapping[str, Any]) -> dict[str, ObjectKind]:
        out: dict[str, ObjectKind] = {}
        for name, spec in raw.items():
            defs = [self.rx(None, f"objects.{name}.defs", s, ("name",)) for s in _patterns(spec.get("defs"))]
            refs = [self.rx(None, f"objects.{name}.refs", s, ("name",)) for s in _patterns(spec.get("refs"))]
            out[name] = ObjectKind(
                name,
                tuple(r for r in defs if r is not None),
                tuple(r for r in refs if r is not None),
                frozenset(spec.get("builtin") or ()),
            )
        return out

    def check(self, rid: str, raw: Mapping[str, Any], platform: Platform, objects: ObjectTable) -> Check | PythonCheck | None:
        if "python" in raw:
            name = raw["python"]
            fn = platform.checks.get(name) or GENERIC_CHECKS.get(name)
            if fn is None:
                known = ", ".join(sorted({*platform.checks, *GENERIC_CHECKS}))
                self.problem(rid, "check.python", f"unknown check {name!r} for {platform.name} (known: {known})")
                return None
            extra = set(raw) - {"python", "params"}
            if extra:
                self.problem(rid, "check", f"python checks take only 'params', not {', '.join(sorted(extra))}")
            return PythonCheck(name, fn, dict(raw.get("params") or {}))
        assertions: list[Assertion] = []
        if "present" in raw:
            assertions.append(Present(self.rxs(rid, "check.present", raw["present"])))
        if "absent" in raw:
            assertions.append(Absent(self.rxs(rid, "check.absent", raw["absent"])))
        if "any_of" in raw:
            assertions.append(AnyOf(self.rxs(rid, "check.any_of", raw["any_of"])))
        if "compare" in raw:
            c = raw["compare"]
            weights = dict(c.get("value") or {"n": 1})
            rx = self.rx(rid, "check.compare.match", c["match"], tuple(weights))
            if rx is not None:
                assertions.append(Compare(rx, weights, c.get("min"), c.get("max"), c.get("above"), c.get("missing", "fail")))
        if "count" in raw:
            c = raw["count"]
            rx = self.rx(rid, "check.count.match", c["match"])
            if rx is not None:
                assertions.append(Count(rx, c.get("min"), c.get("max")))
        for i, d in enumerate(raw.get("defined") or ()):
            if d["kind"] not in objects:
                self.problem(rid, f"check.defined[{i}].kind", f"unknown object kind {d['kind']!r} (known: {', '.join(sorted(objects))})")
                continue
            rx = self.rx(rid, f"check.defined[{i}].ref", d["ref"], ("name",))
            if rx is not None:
                assertions.append(Defined(rx, d["kind"]))
        if "references" in raw:
            unknown = [k for k in raw["references"] if k not in objects]
            if unknown:
                self.problem(rid, "check.references", f"unknown object kind(s) {', '.join(unknown)}")
            else:
                assertions.append(References(tuple(raw["references"]), objects.refs(raw["references"])))
        if "within" in raw:
            w = raw["within"]
            if not (w.get("prefixes") or w.get("servers")):
                self.problem(rid, "check.within", "needs 'prefixes' or 'servers'")
            rx = self.rx(rid, "check.within.match", w["match"], ("addr",))
            if rx is not None:
                assertions.append(Within(rx, w.get("prefixes"), w.get("servers")))
        if not assertions and "pass_if" not in raw:
            self.problem(rid, "check", "has no assertion (present, absent, any_of, compare, count, defined, references, within or python)")
            return None
        each = self.rx(rid, "check.each", raw["each"]) if "each" in raw else None
        scope = Scope(
            each=each,
            interfaces=raw.get("interfaces"),
            where=self.rxs(rid, "check.where", raw.get("where")),
            unless=self.rxs(rid, "check.unless", raw.get("unless")),
            require=bool(raw.get("require", False)),
            anywhere=bool(raw.get("anywhere", False)),
        )
        return Check(scope, tuple(assertions), self.rxs(rid, "check.pass_if", raw.get("pass_if")))

    def rule(self, index: int, raw: Any, platform: Platform, objects: ObjectTable) -> Rule | None:
        rid: str = raw["id"] if isinstance(raw, dict) and isinstance(raw.get("id"), str) else f"#{index + 1}"
        v = Validator(RULE_SCHEMA)
        if not v.validate(raw):
            for line in flatten_errors(v.errors):
                self.problem(rid, line.split(":", 1)[0], line.split(":", 1)[1].strip())
            return None
        control = self.catalogue.by_id.get(raw["control"])
        if control is None:
            self.problem(rid, "control", f"unknown control {raw['control']!r} (not in the catalogue)")
            return None
        if control.fleet:
            self.problem(rid, "control", f"{control.id} is fleet-wide and is computed over the inventory, not by rules")
            return None
        check = self.check(rid, raw["check"], platform, objects)
        when = None
        if "when" in raw:
            w = raw["when"]
            when = Condition(self.rxs(rid, "when.present", w.get("present")), self.rxs(rid, "when.absent", w.get("absent")),
                             tuple(w.get("host") or ()), tuple(w.get("interfaces") or ()))
        if check is None:
            return None
        a = raw.get("applies") or {}
        return Rule(rid, raw["control"], platform.name, raw["message"], raw["remediation"], check,
                    Applies(tuple(a.get("roles") or ()), a.get("min_level"), a.get("max_level")), when,
                    str(self.path))


def load_policy(directory: Path, catalogue: Catalogue) -> Policy:
    """Load every rule file of `directory`; PolicyError lists every problem found."""
    if not directory.is_dir():
        raise PolicyError([f"{directory}: policy directory not found"])
    files = sorted(p for p in directory.glob("*.yaml") if p.name not in NON_RULE_FILES)
    if not files:
        raise PolicyError([f"{directory}: no policy files (*.yaml) found"])
    problems: list[str] = []
    rules: dict[str, list[Rule]] = {}
    objects: dict[str, ObjectTable] = {}
    seen_ids: dict[str, str] = {}
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
        try:
            raw = load_yaml(path)
        except AuditorError as exc:
            problems.append(str(exc))
            continue
        comp = _Compiler(path, catalogue)
        if not isinstance(raw, dict):
            problems.append(f"{path}: a policy file is a mapping with 'platform' and 'rules'")
            continue
        v = Validator(POLICY_SCHEMA)
        if not v.validate(raw):
            problems.extend(f"{path}: {line}" for line in flatten_errors(v.errors))
            continue
        try:
            platform = get_platform(raw["platform"])
        except AuditorError as exc:
            problems.append(f"{path}: platform: {exc}")
            continue
        objs = objects[platform.name] = ObjectTable({**objects.get(platform.name, {}),
                                                     **comp.objects(raw.get("objects") or {})})
        for i, item in enumerate(raw["rules"]):
            rule = comp.rule(i, item, platform, objs)
            if rule is None:
                continue
            if rule.id in seen_ids:
                comp.problem(rule.id, "id", f"duplicate rule id (also in {seen_ids[rule.id]})")
                continue
            seen_ids[rule.id] = str(path)
            rules.setdefault(platform.name, []).append(rule)
        problems.extend(comp.problems)
    if problems:
        raise PolicyError(problems)
    platforms = {
        name: PlatformPolicy(get_platform(name), tuple(rs), objects.get(name, ObjectTable({})))
        for name, rs in rules.items()
    }
    return Policy(platforms, digest.hexdigest()[:12], tuple(str(f) for f in files))


__all__ = ["Applies", "PlatformPolicy", "Policy", "Rule", "known_platforms", "load_policy"]
