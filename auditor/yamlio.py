"""Safe YAML loading with errors that name the file and line, and refuse duplicate keys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import AuditorError


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses a mapping with the same key twice."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            hash(key)
        except TypeError:
            continue
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (first at line {seen[key] + 1})", key_node.start_mark
            )
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


class YamlError(AuditorError):
    """A YAML file cannot be read or parsed."""


def load_yaml(path: Path) -> Any:
    """Load one YAML document safely; any problem is a YamlError naming file and line."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise YamlError(f"cannot read: {exc.strerror or exc}", source=str(path)) from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise YamlError("not UTF-8 text", source=str(path), line=raw[: exc.start].count(b"\n") + 1) from exc
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line: int | None = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        if "\t" in problem or "'\\t'" in problem:
            problem = "tab character (YAML indents with spaces only)"
        raise YamlError(problem, source=str(path), line=line) from exc
    except yaml.YAMLError as exc:
        raise YamlError(f"invalid YAML: {exc}", source=str(path)) from exc
