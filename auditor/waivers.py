"""Approved exceptions (`policies/waivers.yaml`), applied after evaluation.

A waiver names a control and selects hosts by `host`, `site` and/or `agency` (all given must
match; each may be one value or a list). A FAIL verdict of that control on a selected host becomes
WAIVED, and so do the control's failing rule findings: they are listed in the report's waiver
section and no longer count as failures (scores and exit codes ignore WAIVED). ERROR verdicts are
never waived (the device could not be judged).

A waiver must expire, at most 365 days after today. An expired waiver no longer applies and is
reported as expired; a current waiver that covered no failure is reported as unused.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from .catalogue import Catalogue
from .errors import ValidationError
from .models import ControlVerdict, HostResult, Status
from .schemas import WAIVERS_SCHEMA, Validator, flatten_errors
from .yamlio import load_yaml

FILE_NAME = "waivers.yaml"
MAX_DAYS = 365


@dataclass(frozen=True)
class Waiver:
    index: int
    control: str
    hosts: tuple[str, ...]
    sites: tuple[str, ...]
    agencies: tuple[str, ...]
    reason: str
    approved_by: str
    reference: str
    expires: date

    def selects(self, result: HostResult) -> bool:
        h = result.host
        return ((not self.hosts or h.name in self.hosts)
                and (not self.sites or h.get("site") in self.sites)
                and (not self.agencies or h.get("agency") in self.agencies))

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {"control": self.control}
        for key, values in (("host", self.hosts), ("site", self.sites), ("agency", self.agencies)):
            if values:
                out[key] = values[0] if len(values) == 1 else list(values)
        out.update(reason=self.reason, approved_by=self.approved_by, reference=self.reference,
                   expires=self.expires.isoformat())
        return out


def _tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return tuple(str(v) for v in value) if isinstance(value, list) else (str(value),)


def load_waivers(path: Path, catalogue: Catalogue | None = None, today: date | None = None) -> list[Waiver]:
    """Read and validate a waivers file; every problem is reported at once (ValidationError)."""
    today = today or date.today()
    data = load_yaml(path)
    if data is None:
        return []
    validator = Validator(WAIVERS_SCHEMA)
    problems: list[str] = []
    if not validator.validate(data):
        raise ValidationError([f"{path}: {line}" for line in flatten_errors(validator.errors)])
    known = {c.id for c in catalogue.controls} if catalogue is not None else None
    out: list[Waiver] = []
    for i, item in enumerate(data.get("waivers") or []):
        where = f"{path}: waivers[{i}]"
        expires = item["expires"]
        if isinstance(expires, datetime):
            expires = expires.date()
        if known is not None and item["control"] not in known:
            problems.append(f"{where}: control: unknown control {item['control']!r}")
        if not any(item.get(k) for k in ("host", "site", "agency")):
            problems.append(f"{where}: needs a selector: host, site or agency")
        if (expires - today).days > MAX_DAYS:
            problems.append(f"{where}: expires: {expires.isoformat()} is more than {MAX_DAYS} days ahead")
        out.append(Waiver(i, item["control"], _tuple(item.get("host")), _tuple(item.get("site")),
                          _tuple(item.get("agency")), item["reason"], item["approved_by"], str(item["reference"]),
                          expires))
    if problems:
        raise ValidationError(problems)
    return out


def waivers_path(policies: Path) -> Path:
    return policies / FILE_NAME


class WaiverSet:
    """The waivers of one run: applied to each host as it finishes (thread-safe), then reported."""

    def __init__(self, waivers: list[Waiver], today: date | None = None) -> None:
        today = today or date.today()
        self.active = [w for w in waivers if w.expires >= today]
        self.expired = [w for w in waivers if w.expires < today]
        self.applied: list[dict[str, Any]] = []
        self._used: set[int] = set()
        self._lock = threading.Lock()

    def apply(self, result: HostResult) -> HostResult:
        if not result.ok or not self.active:
            return result
        waived: dict[str, Waiver] = {}
        for v in result.controls:
            if v.status != Status.FAIL:
                continue
            for w in self.active:
                if w.control == v.control and w.selects(result):
                    waived[v.control] = w
                    break
        if not waived:
            return result
        controls = tuple(ControlVerdict(v.control, Status.WAIVED, v.severity,
                                        f"waived: {waived[v.control].reference}")
                         if v.control in waived and v.status == Status.FAIL else v for v in result.controls)
        found = tuple(f._replace(status=Status.WAIVED) if f.control in waived and f.status == Status.FAIL else f
                      for f in result.findings)
        with self._lock:
            for control, w in sorted(waived.items()):
                self._used.add(w.index)
                self.applied.append({**w.describe(), "host": result.host.name,
                                     "site": result.host.get("site"), "agency": result.host.get("agency"),
                                     "control": control})
        return replace(result, controls=controls, findings=found)

    def report(self) -> dict[str, Any]:
        return {
            "applied": sorted(self.applied, key=lambda a: (a["control"], a["host"])),
            "expired": [w.describe() for w in self.expired],
            "unused": [w.describe() for w in self.active if w.index not in self._used],
        }
