"""Report renderers, one module per format, and the writer that puts them on disk."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

from ..catalogue import Catalogue
from ..errors import AuditorError
from ..models import AuditRun
from . import json_report, text

Renderer = Callable[[AuditRun, Catalogue], str]

# format name -> (file extension, renderer)
FORMATS: dict[str, tuple[str, Renderer]] = {
    "text": ("txt", lambda run, cat: text.render(run, cat)),
    "json": ("json", lambda run, cat: json_report.render(run)),
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


def write_private(path: Path, content: str) -> None:
    """Write a file readable by its owner only (0600), atomically."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(content)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_reports(run: AuditRun, catalogue: Catalogue, formats: Sequence[str], directory: Path) -> list[Path]:
    """Write one report file per format into `directory` (created if missing)."""
    written = []
    for name in formats:
        ext, render = FORMATS[name]
        path = directory / f"report.{ext}"
        write_private(path, render(run, catalogue))
        written.append(path)
    return written


def render(run: AuditRun, catalogue: Catalogue, fmt: str) -> str:
    return FORMATS[fmt][1](run, catalogue)
