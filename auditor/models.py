"""Typed, immutable results: verdicts, findings, host and run results.

The records made once per rule and host (Evidence, Outcome, Finding, ControlVerdict) are named
tuples: as immutable as frozen dataclasses, and several times cheaper to create on the hot path.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple


class Status(enum.StrEnum):
    """Verdict of a rule or a control on one host."""

    PASS = "pass"  # noqa: S105 - a verdict, not a password
    FAIL = "fail"
    NOT_APPLICABLE = "not_applicable"
    ERROR = "error"
    WAIVED = "waived"


class Severity(enum.StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def weight(self) -> int:
        """Weight of the severity in compliance scores."""
        return _WEIGHTS[self]

    @property
    def rank(self) -> int:
        """0 for critical .. 3 for low, for sorting worst first."""
        return _RANKS[self]


_WEIGHTS = {Severity.CRITICAL: 10, Severity.HIGH: 5, Severity.MEDIUM: 2, Severity.LOW: 1}
_RANKS = {Severity.CRITICAL: 0, Severity.HIGH: 1, Severity.MEDIUM: 2, Severity.LOW: 3}


class Evidence(NamedTuple):
    """One config line that supports a verdict; `text` is already redacted."""

    line: int
    text: str


class Outcome(NamedTuple):
    """What one check concluded, before it is tied to a rule and a control."""

    status: Status
    message: str = ""
    evidence: tuple[Evidence, ...] = ()
    expected: str = ""
    actual: str = ""


class Finding(NamedTuple):
    """The verdict of one rule on one host."""

    control: str
    rule: str
    status: Status
    severity: Severity
    message: str
    evidence: tuple[Evidence, ...] = ()
    remediation: str = ""
    expected: str = ""
    actual: str = ""


class ControlVerdict(NamedTuple):
    """The verdict of one catalogue control on one host."""

    control: str
    status: Status
    severity: Severity
    reason: str = ""


@dataclass(frozen=True, slots=True)
class HostInfo:
    """What the engine knows of a host besides its config: name, platform and inventory data."""

    name: str
    platform: str
    data: Mapping[str, Any] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)


@dataclass(frozen=True, slots=True)
class HostResult:
    """Everything the audit concluded about one host."""

    host: HostInfo
    status: str  # "ok" or "error"
    error: str | None = None
    controls: tuple[ControlVerdict, ...] = ()
    findings: tuple[Finding, ...] = ()
    lines: int = 0
    seconds: float = 0.0
    source: str | None = None  # the config file audited (snapshot or file), for report locations

    @property
    def ok(self) -> bool:
        return self.status == "ok"


@dataclass(frozen=True, slots=True)
class FleetResult:
    """The verdict of a fleet-wide control over the whole inventory."""

    control: str
    status: Status
    severity: Severity
    hosts: tuple[str, ...] = ()
    message: str = ""


@dataclass(frozen=True, slots=True)
class RunInfo:
    """Identity of one audit run."""

    id: str
    started: str
    finished: str
    policy_version: str
    source: str  # live | snapshot | files
    host_key_verification: str | None = None  # live runs: known_hosts | trust-on-first-use | disabled
    theme: Mapping[str, tuple[str, ...]] | None = None  # thematic run: {"areas": ..., "controls": ...}


@dataclass(frozen=True, slots=True)
class AuditRun:
    """A whole audit: per-host results and fleet-wide verdicts."""

    run: RunInfo
    hosts: tuple[HostResult, ...]
    fleet: tuple[FleetResult, ...] = ()
    # waivers.py report when a waivers file exists: {"applied": [...], "expired": [...], "unused": [...]}
    waivers: Mapping[str, Any] | None = None
    # scores of each unit over its last stored runs, oldest first: {"agency"|"district": {unit: ((started, score), ...)}}
    trends: Mapping[str, Mapping[str, tuple[tuple[str, float], ...]]] | None = None
