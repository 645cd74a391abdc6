"""Named checks for FortiOS that the policy language cannot express on its own.

FortiOS keeps most settings in entries (`edit X`) of tables (`config A B`), often nested
(`config system ntp` / `config ntpserver` / `edit 1`), while the policy language's `each` scope
selects top-level sections. `entries` is the bridge: it selects the entries at the end of a path
of blocks and applies the policy language's own assertions to each. The other checks model what
plain assertions cannot: firewall policies (firewall.py), BGP and OSPF (routing.py), the host name.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...assertions import Absent, AnyOf, Assertion, Present, Within
from ...checks import PASSED, Check, Scope, short_hostname
from ...config import ConfigLine, Rx
from ...context import CheckContext, CheckFn
from ...models import Outcome, Status
from .common import tables, values
from .firewall import no_permit_any_any, policies_separate, policy_references_defined
from .routing import bgp_authenticated, ebgp_filtered, ebgp_maximum_prefix, ospf_authenticated

_GLOBAL = Rx(r"^config system global$")
_HOSTNAME = Rx(r"^set hostname ")

# ---------------------------------------------------------------- entries


@dataclass(frozen=True)
class _PathScope(Scope):
    """The blocks at the end of a path: a top-level table, then nested blocks or entries, one regex a level."""

    path: tuple[Rx, ...] = ()

    @property
    def is_global(self) -> bool:
        return False

    def candidates(self, ctx: CheckContext) -> list[ConfigLine]:
        level = list(tables(ctx, self.path[0]))
        for rx in self.path[1:]:
            level = [child for node in level for child in node.children if rx.match(child.text)]
        return level

    def describe(self) -> str:
        return "entries " + " > ".join(f"/{rx.source}/" for rx in self.path)


@dataclass(frozen=True)
class _Entries:
    """A compiled `entries` check: the selecting scope, the assertions, and the count and empty rules."""

    check: Check
    most: int | None  # at most this many selected entries
    none: Status  # verdict when no entry is selected
    what: str  # what the entries are, for messages


@functools.lru_cache(maxsize=256)
def _compile(key: str) -> _Entries:
    p = json.loads(key)

    def rxs(name: str) -> tuple[Rx, ...]:
        return tuple(Rx(s) for s in p.get(name) or ())

    assertions: list[Assertion] = []
    if p.get("present"):
        assertions.append(Present(rxs("present")))
    if p.get("absent"):
        assertions.append(Absent(rxs("absent")))
    if p.get("any_of"):
        assertions.append(AnyOf(rxs("any_of")))
    if p.get("within"):
        w = p["within"]
        assertions.append(Within(Rx(w["match"]), w.get("prefixes"), w.get("servers")))
    scope = _PathScope(path=rxs("path"), where=rxs("where"), unless=rxs("unless"))
    if not scope.path or (not assertions and p.get("max") is None):
        raise ValueError("entries needs a path and an assertion (present, absent, any_of, within) or max")
    return _Entries(Check(scope, tuple(assertions)), p.get("max"), Status(p.get("none", "not_applicable")),
                    p.get("what", "entries"))


def entries(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    """The entries at the end of a path of blocks pass the given assertions (and number at most `max`)."""
    spec = _compile(json.dumps(params, sort_keys=True))
    scope = spec.check.scope
    selected = scope.select(ctx)
    if not selected:
        return Outcome(spec.none, f"no {spec.what}", expected=scope.describe() if spec.none == Status.FAIL else "",
                       actual="none" if spec.none == Status.FAIL else "")
    if spec.most is not None and len(selected) > spec.most:
        return Outcome(Status.FAIL, f"{len(selected)} {spec.what}, at most {spec.most} allowed",
                       tuple(ctx.evidence(line) for line in selected), expected=f"<= {spec.most}",
                       actual=str(len(selected)))
    if not spec.check.assertions:
        return PASSED
    return spec.check.run(ctx)


# ---------------------------------------------------------------- WAN-05


def system_hostname_matches(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    """`set hostname` in `config system global` equals the inventory name (case-insensitive, domain ignored)."""
    want = short_hostname(ctx.host.name)
    found: ConfigLine | None = None
    for table in tables(ctx, _GLOBAL):
        for child in table.children:
            if _HOSTNAME.match(child.text):
                found = child
    if found is None:
        return Outcome(Status.FAIL, "no host name in config system global", expected=want, actual="absent")
    got = (values(found.text) or [""])[0]
    if short_hostname(got) != want:
        return Outcome(Status.FAIL, f"config belongs to {got!r}, inventory expects {ctx.host.name!r}",
                       (ctx.evidence(found),), expected=want, actual=got)
    return Outcome(Status.PASS, evidence=(ctx.evidence(found),))


CHECKS: Mapping[str, CheckFn] = {
    "entries": entries,
    "system_hostname_matches": system_hostname_matches,
    "policy_references_defined": policy_references_defined,
    "no_permit_any_any": no_permit_any_any,
    "policies_separate": policies_separate,
    "ospf_authenticated": ospf_authenticated,
    "bgp_authenticated": bgp_authenticated,
    "ebgp_maximum_prefix": ebgp_maximum_prefix,
    "ebgp_filtered": ebgp_filtered,
}
