"""The control catalogue: the 50 controls that policies implement, with per-platform guidance."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import PolicyError
from .models import Severity
from .yamlio import load_yaml

FLEET_AREA = "fleet"


@dataclass(frozen=True)
class Control:
    """One catalogue control."""

    id: str
    area: str
    severity: Severity
    title: str
    title_vi: str
    intent: str
    notes: str = ""
    roles: tuple[str, ...] = ()
    min_level: int | None = None
    when: str = ""
    checks: Mapping[str, str] = field(default_factory=dict)
    refs: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def fleet(self) -> bool:
        return self.area == FLEET_AREA

    def na_reason(self, platform: str) -> str | None:
        """The catalogue's reason when the control does not apply on `platform`, else None."""
        text = self.checks.get(platform, "")
        if text.strip().lower().startswith("n/a"):
            reason = text.strip()[3:].lstrip(": ").strip()
            return reason or "not applicable on this platform"
        return None


@dataclass(frozen=True)
class Catalogue:
    platforms: tuple[str, ...]
    controls: tuple[Control, ...]
    documents: Mapping[str, str]

    @property
    def by_id(self) -> dict[str, Control]:
        return {c.id: c for c in self.controls}

    @property
    def host_controls(self) -> tuple[Control, ...]:
        """Controls evaluated per host (every control but the fleet-wide ones)."""
        cached: tuple[Control, ...] | None = self.__dict__.get("_host_controls")
        if cached is None:
            cached = tuple(c for c in self.controls if not c.fleet)
            object.__setattr__(self, "_host_controls", cached)
        return cached

    def na_reasons(self, platform: str) -> dict[str, str | None]:
        """Control id -> the catalogue's n/a reason on `platform` (None where it applies); computed once."""
        cache: dict[str, dict[str, str | None]] = self.__dict__.setdefault("_na", {})
        reasons = cache.get(platform)
        if reasons is None:
            reasons = cache[platform] = {c.id: c.na_reason(platform) for c in self.controls}
        return reasons


def _control(raw: Mapping[str, Any]) -> Control:
    applies = raw.get("applies") or {}
    return Control(
        id=raw["id"],
        area=raw["area"],
        severity=Severity(raw["severity"]),
        title=raw["title"],
        title_vi=raw["title_vi"],
        intent=str(raw.get("intent", "")).strip(),
        notes=str(raw.get("notes", "")),
        roles=tuple(applies.get("roles") or ()),
        min_level=applies.get("min_level"),
        when=str(raw.get("when", "")),
        checks={str(k): str(v) for k, v in (raw.get("check") or {}).items()},
        refs={k: tuple(str(x) for x in v) for k, v in (raw.get("refs") or {}).items()},
    )


def load_catalogue(path: Path | None = None) -> Catalogue:
    """Load the catalogue from `path`, or the copy shipped with the package."""
    if path is None:
        return _packaged()
    return _load(path)


@cache
def _packaged() -> Catalogue:
    with resources.as_file(resources.files("auditor") / "data" / "controls.yaml") as p:
        return _load(Path(p))


def _load(path: Path) -> Catalogue:
    raw = load_yaml(path)
    try:
        controls = tuple(_control(c) for c in raw["controls"])
        return Catalogue(tuple(raw["platforms"]), controls, dict(raw.get("VN_documents") or {}))
    except (KeyError, TypeError, ValueError) as exc:
        raise PolicyError([f"{path}: malformed control catalogue ({exc})"]) from exc
