"""Report renderers, one module per format, and the writer that puts them on disk."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from ..catalogue import Catalogue
from ..errors import AuditorError
from ..files import write_private
from ..models import AuditRun
from . import csv_report, html, json_report, junit, sarif, text, xlsx
from .labels import DEFAULT_LANG
from .ranking import SPLIT_KEYS, slug, split_run

# renderer(run, catalogue, lang) -> text, or bytes for binary formats (xlsx)
Renderer = Callable[[AuditRun, Catalogue, str], str | bytes]

# format name -> (file extension, renderer)
FORMATS: dict[str, tuple[str, Renderer]] = {
    "text": ("txt", lambda run, cat, lang: text.render(run, cat)),
    "json": ("json", lambda run, cat, lang: json_report.render(run)),
    "html": ("html", html.render),
    "xlsx": ("xlsx", xlsx.render),
    "csv": ("csv", csv_report.render),
    "junit": ("junit.xml", junit.render),
    "sarif": ("sarif", sarif.render),
}


def parse_formats(values: Sequence[str]) -> list[str]:
    """Formats from repeated and/or comma-separated `--format` values, validated, in order."""
    out: list[str] = []
    for value in values:
        for name in value.split(","):
            name = name.strip().lower()
            if not name:
                continue
            if name not in FORMATS:
                raise AuditorError(f"unknown format {name!r} (known: {', '.join(FORMATS)})")
            if name not in out:
                out.append(name)
    return out or ["text"]


def write_reports(run: AuditRun, catalogue: Catalogue, formats: Sequence[str], directory: Path,
                  lang: str = DEFAULT_LANG, split_by: str | None = None) -> list[Path]:
    """Write one report file per format into `directory` (created if missing).

    With `split_by` (owner, agency, site or district), also one set per group of hosts into
    `directory/<split_by>/<group slug>/`, so each unit head receives only their unit's findings.
    """
    written = []
    for name in formats:
        ext, renderer = FORMATS[name]
        path = directory / f"report.{ext}"
        write_private(path, renderer(run, catalogue, lang))
        written.append(path)
    if split_by is not None:
        if split_by not in SPLIT_KEYS:
            raise AuditorError(f"unknown --split-by {split_by!r} (known: {', '.join(SPLIT_KEYS)})")
        used: set[str] = set()
        for group, sub in split_run(run, split_by).items():
            name = slug(group)
            while name in used:
                name += "-"
            used.add(name)
            written.extend(write_reports(sub, catalogue, formats, directory / split_by / name, lang))
    return written


def render(run: AuditRun, catalogue: Catalogue, fmt: str, lang: str = DEFAULT_LANG) -> str | bytes:
    return FORMATS[fmt][1](run, catalogue, lang)
