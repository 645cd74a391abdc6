"""Where configs come from: saved snapshots now, live SSH collection as a further source.

A source turns a host into config text, or raises CollectionError/ParseError saying why not.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from nornir.core.task import Task

from .errors import CollectionError
from .models import HostInfo
from .platforms.base import MAX_CONFIG_BYTES, decode_config


class ConfigSource(Protocol):
    """Gives the running config of a host."""

    label: str  # "snapshot", "live" or "files", as the report's run.source

    def fetch(self, host: HostInfo, task: Task | None = None) -> tuple[str, str]:
        """The config text of `host` and where it came from (a path or an address).

        `task` is the Nornir task running for the host, for sources that need its connections.
        """
        ...


class SnapshotSource:
    """Configs saved as DIR/NAME.cfg."""

    label = "snapshot"

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path(self, host: HostInfo) -> Path:
        return self.directory / f"{host.name}.cfg"

    def fetch(self, host: HostInfo, task: Task | None = None) -> tuple[str, str]:
        path = self.path(host)
        return read_config_file(path), str(path)


class FileSource:
    """Config files named on the command line (`auditor check`): host name = file name stem."""

    label = "files"

    def __init__(self, paths: dict[str, Path]) -> None:
        self.paths = paths

    def fetch(self, host: HostInfo, task: Task | None = None) -> tuple[str, str]:
        path = self.paths[host.name]
        return read_config_file(path), str(path)


def read_config_file(path: Path) -> str:
    """Read a saved config as text; missing, unreadable, binary or oversized files raise."""
    try:
        size = path.stat().st_size
        if size > MAX_CONFIG_BYTES:
            raise CollectionError(
                f"config is {size / 1048576:.1f} MB, more than the {MAX_CONFIG_BYTES // 1048576} MB limit",
                source=str(path),
            )
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise CollectionError("no saved config (file not found)", source=str(path)) from exc
    except IsADirectoryError as exc:
        raise CollectionError("is a directory, not a config file", source=str(path)) from exc
    except OSError as exc:
        raise CollectionError(f"cannot read: {exc.strerror or exc}", source=str(path)) from exc
    return decode_config(raw, str(path))
