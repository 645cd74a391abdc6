"""The coverage matrix: control x platform -> implemented / n/a (reason) / missing."""

from __future__ import annotations

from dataclasses import dataclass

from .catalogue import Catalogue
from .policy import Policy


@dataclass(frozen=True)
class Cell:
    state: str  # implemented | n/a | missing | fleet
    rules: tuple[str, ...] = ()
    reason: str = ""


def coverage(catalogue: Catalogue, policy: Policy, platforms: tuple[str, ...]) -> dict[str, dict[str, Cell]]:
    """For every control and platform, whether the policy implements it."""
    out: dict[str, dict[str, Cell]] = {}
    for control in catalogue.controls:
        row: dict[str, Cell] = {}
        for platform in platforms:
            if control.fleet:
                row[platform] = Cell("fleet", reason="computed over the whole inventory")
                continue
            pp = policy.for_platform(platform)
            rules = tuple(r.id for r in pp.rules if r.control == control.id) if pp else ()
            na = control.na_reason(platform)
            if rules:
                row[platform] = Cell("implemented", rules)
            elif na is not None:
                row[platform] = Cell("n/a", reason=na)
            else:
                row[platform] = Cell("missing")
        out[control.id] = row
    return out


def render_text(catalogue: Catalogue, matrix: dict[str, dict[str, Cell]], platforms: tuple[str, ...]) -> str:
    width = max(12, *(len(p) for p in platforms))
    head = f"{'control':<9} {'severity':<9} " + " ".join(f"{p:<{width}}" for p in platforms) + "  title"
    lines = [head, "-" * len(head)]
    notes: list[str] = []
    missing = 0
    for control in catalogue.controls:
        cells = []
        for p in platforms:
            cell = matrix[control.id][p]
            if cell.state == "implemented":
                text = f"yes ({len(cell.rules)})"
            elif cell.state == "n/a":
                text = "n/a"
                notes.append(f"  {control.id:<9} {p:<{width}} {cell.reason}")
            elif cell.state == "fleet":
                text = "fleet"
            else:
                text = "MISSING"
                missing += 1
            cells.append(f"{text:<{width}}")
        lines.append(f"{control.id:<9} {control.severity.value:<9} " + " ".join(cells) + f"  {control.title}")
    lines.append("")
    lines.append("yes (N): implemented by N rules; n/a: not applicable on the platform; fleet: computed over "
                 "the inventory; MISSING: no rule yet")
    if notes:
        lines.append("")
        lines.append("Not applicable, with the catalogue's reason:")
        lines.extend(notes)
    lines.append("")
    lines.append(f"{missing} missing cell(s)")
    return "\n".join(lines) + "\n"
