"""Grouping of hosts into units (agency, district, tier, owner, site): the ranking league table and
the per-group split of a run (`--split-by`)."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, replace

from ..catalogue import Catalogue
from ..models import AuditRun, ControlVerdict, HostResult, Severity, Status
from .summary import weighted_score

SPLIT_KEYS = ("owner", "agency", "site", "district")
UNKNOWN = "-"


@dataclass(frozen=True)
class Unit:
    """One group of hosts with its weighted score and failure counts."""

    name: str
    hosts: int
    audited: int
    compliant: int
    score: float | None
    critical: int
    high: int
    failures: int
    owner: str
    rank: int = 0


def group_key(result: HostResult, key: str) -> str:
    value = result.host.get(key)
    return str(value) if value not in (None, "") else UNKNOWN


def _unit(name: str, results: list[HostResult]) -> Unit:
    verdicts: list[ControlVerdict] = []
    sev: Counter[Severity] = Counter()
    compliant = 0
    for r in results:
        if not r.ok:
            continue
        verdicts.extend(r.controls)
        failed = False
        for v in r.controls:
            if v.status == Status.FAIL:
                sev[v.severity] += 1
                failed = True
            elif v.status == Status.ERROR:
                failed = True
        compliant += not failed
    owners = Counter(str(r.host.get("owner")) for r in results if r.host.get("owner"))
    return Unit(name, len(results), sum(1 for r in results if r.ok), compliant, weighted_score(verdicts),
                sev[Severity.CRITICAL], sev[Severity.HIGH], sum(sev.values()),
                owners.most_common(1)[0][0] if owners else UNKNOWN)


def units(run: AuditRun, key: str) -> list[Unit]:
    """Units by `key`, unranked, in name order."""
    groups: dict[str, list[HostResult]] = defaultdict(list)
    for r in run.hosts:
        groups[group_key(r, key)].append(r)
    return [_unit(name, rs) for name, rs in sorted(groups.items())]


def ranking(run: AuditRun, key: str) -> list[Unit]:
    """The league table: best weighted score first, then fewer critical / high failures; ties share a rank."""
    ordered = sorted(units(run, key),
                     key=lambda u: (-(u.score if u.score is not None else -1.0), u.critical, u.high, u.name))
    out: list[Unit] = []
    previous: tuple[float | None, int, int] | None = None
    rank = 0
    for i, u in enumerate(ordered, 1):
        sig = (u.score, u.critical, u.high)
        if sig != previous:
            rank, previous = i, sig
        out.append(replace(u, rank=rank))
    return out


@dataclass(frozen=True)
class AreaRow:
    area: str
    controls: int
    failures: int
    score: float | None


def by_area(run: AuditRun, catalogue: Catalogue) -> list[AreaRow]:
    """Per catalogue area: failing (host, control) pairs and the weighted score of its verdicts."""
    area_of = {c.id: c.area for c in catalogue.controls}
    verdicts: dict[str, list[ControlVerdict]] = defaultdict(list)
    for r in run.hosts:
        if r.ok:
            for v in r.controls:
                verdicts[area_of.get(v.control, UNKNOWN)].append(v)
    counts = Counter(c.area for c in catalogue.controls)
    rows = []
    for area in sorted(counts):
        vs = verdicts.get(area, [])
        rows.append(AreaRow(area, counts[area], sum(1 for v in vs if v.status == Status.FAIL), weighted_score(vs)))
    return rows


def slug(name: str) -> str:
    """A file-system-safe ASCII name: 'Điện Biên Phủ' -> 'dien-bien-phu'."""
    text = name.replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()
    return text[:80] or "unknown"


def split_run(run: AuditRun, key: str) -> dict[str, AuditRun]:
    """One run per value of `key` (hosts of that unit only, fleet verdicts restricted to its hosts)."""
    groups: dict[str, list[HostResult]] = defaultdict(list)
    for r in run.hosts:
        groups[group_key(r, key)].append(r)
    out: dict[str, AuditRun] = {}
    for name, results in sorted(groups.items()):
        names = {r.host.name for r in results}
        fleet = tuple(replace(f, hosts=tuple(h for h in f.hosts if h in names)) for f in run.fleet
                      if not f.hosts or names.intersection(f.hosts))
        out[name] = replace(run, hosts=tuple(results), fleet=fleet)
    return out
