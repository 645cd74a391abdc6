"""The configuration file `auditor.yaml`: where it is, its schema, and how it fills in CLI options.

Search order: `--config FILE`, else `$AUDITOR_CONFIG`, else `./auditor.yaml`, else
`~/.config/auditor/auditor.yaml` (`$XDG_CONFIG_HOME/auditor/auditor.yaml`); none found is fine (the
built-in defaults apply), but a file named by `--config` / `$AUDITOR_CONFIG` must exist.

Every key below is a command-line option of `auditor audit` (dashes or underscores); flags win:
scalar options become the parser's defaults before parsing, list options (`format`, `site`, ...)
are taken from the file only when the flag was not given at all. `notifications` and `waivers` have
no flag.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cerberus import Validator

from .errors import ValidationError
from .schemas import flatten_errors
from .yamlio import load_yaml

ENV_CONFIG = "AUDITOR_CONFIG"
FILE_NAME = "auditor.yaml"

RULES = ("always", "on-new-failures", "on-critical", "on-errors")

# config key -> (argparse dest, kind): path | str | int | float | bool | list
OPTIONS: dict[str, tuple[str, str]] = {
    "inventory": ("inventory", "path"), "policies": ("policies", "path"), "database": ("db", "str"),
    "credentials": ("credentials", "path"), "known_hosts": ("known_hosts", "path"), "output": ("output", "path"),
    "formats": ("format", "list"), "lang": ("lang", "str"), "split_by": ("split_by", "str"),
    "workers": ("workers", "int"), "timeout": ("timeout", "float"), "read_timeout": ("read_timeout", "float"),
    "retries": ("retries", "int"), "max_new_connections": ("max_new_connections", "int"),
    "trust_on_first_use": ("trust_on_first_use", "bool"),
    "insecure_no_host_key_check": ("insecure_no_host_key_check", "bool"),
    "no_progress": ("no_progress", "bool"), "no_store": ("no_store", "bool"), "from_dir": ("from_dir", "path"),
    "site": ("site", "list"), "tier": ("tier", "list"), "role": ("role", "list"), "tag": ("tag", "list"),
    "host": ("host", "list"), "areas": ("areas", "list"), "controls": ("controls", "list"),
    "log_file": ("log_file", "path"), "log_format": ("log_format", "str"), "wait": ("wait", "bool"),
}
_TYPES = {"path": "string", "str": "string", "int": "integer", "float": "number", "bool": "boolean"}

_RULE = {"type": "string", "allowed": list(RULES), "default": "on-new-failures"}
_RETRY = {"retries": {"type": "integer", "min": 0, "max": 10, "default": 3},
          "backoff": {"type": "number", "min": 0, "max": 300, "default": 2.0},
          "timeout": {"type": "number", "min": 1, "max": 600, "default": 15.0}}
EMAIL_SCHEMA: dict[str, Any] = {
    "host": {"type": "string", "required": True, "empty": False},
    "port": {"type": "integer", "min": 1, "max": 65535},
    "security": {"type": "string", "allowed": ["starttls", "tls", "none"], "default": "starttls"},
    "from": {"type": "string", "required": True, "regex": r"[^@\s]+@[^@\s]+"},
    "to": {"type": "list", "required": True, "minlength": 1, "schema": {"type": "string", "regex": r"[^@\s]+@[^@\s]+"}},
    "subject_prefix": {"type": "string", "default": "[auditor]"},
    "ca_file": {"type": "string"},
    "send": _RULE,
    **_RETRY,
}
WEBHOOK_SCHEMA: dict[str, Any] = {
    "url": {"type": "string", "required": True, "regex": r"https://\S+"},
    "secret_env": {"type": "string"},  # name of the environment variable holding the HMAC secret
    "ca_file": {"type": "string"},
    "send": _RULE,
    **_RETRY,
}
SCHEMA: dict[str, Any] = {
    **{key: ({"type": "list", "schema": {"type": "string"}} if kind == "list" else {"type": _TYPES[kind]})
       for key, (_dest, kind) in OPTIONS.items()},
    "waivers": {"type": "string"},
    "formats": {"type": ["list", "string"]},
    "areas": {"type": ["list", "string"]}, "controls": {"type": ["list", "string"]},
    "lang": {"type": "string", "allowed": ["vi", "en"]},
    "log_format": {"type": "string", "allowed": ["kv", "json"]},
    "workers": {"type": "integer", "min": 1},
    "notifications": {"type": "dict", "schema": {
        "email": {"type": "list", "schema": {"type": "dict", "schema": EMAIL_SCHEMA}},
        "webhook": {"type": "list", "schema": {"type": "dict", "schema": WEBHOOK_SCHEMA}},
    }},
}


@dataclass
class Settings:
    path: Path | None = None
    values: dict[str, Any] = field(default_factory=dict)  # validated, normalised (defaults filled)

    @property
    def notifications(self) -> Mapping[str, list[dict[str, Any]]]:
        return self.values.get("notifications") or {}


def search_path(explicit: str | Path | None, env: Mapping[str, str] | None = None,
                cwd: Path | None = None) -> tuple[Path | None, bool]:
    """The config file to use and whether it was asked for explicitly (then it must exist)."""
    env = os.environ if env is None else env
    if explicit:
        return Path(explicit).expanduser(), True
    if env.get(ENV_CONFIG):
        return Path(env[ENV_CONFIG]).expanduser(), True
    for candidate in ((cwd or Path.cwd()) / FILE_NAME,
                      Path(env.get("XDG_CONFIG_HOME") or Path("~/.config").expanduser()) / "auditor" / FILE_NAME):
        if candidate.is_file():
            return candidate, False
    return None, False


def _normalise_keys(raw: Mapping[str, Any]) -> dict[str, Any]:
    return {str(k).replace("-", "_"): v for k, v in raw.items()}


def load_settings(path: Path | None) -> Settings:
    """Read and validate the file (every problem at once, as ValidationError)."""
    if path is None:
        return Settings()
    if not path.is_file():
        raise ValidationError([f"{path}: config file not found"])
    raw = load_yaml(path) or {}
    if not isinstance(raw, dict):
        raise ValidationError([f"{path}: expected a mapping of option: value"])
    raw = _normalise_keys(raw)
    for key in ("formats", "areas", "controls"):
        if isinstance(raw.get(key), str):
            raw[key] = [x.strip() for x in raw[key].split(",") if x.strip()]
    validator = Validator(SCHEMA)
    if not validator.validate(raw):
        raise ValidationError([f"{path}: {p}" for p in flatten_errors(validator.errors)])
    values: dict[str, Any] = validator.document
    base = path.parent
    for key, (_dest, kind) in OPTIONS.items():
        if kind == "path" and key in values:
            p = Path(values[key]).expanduser()
            values[key] = p if p.is_absolute() else base / p  # relative to the config file
    if "waivers" in values:
        waivers = Path(values["waivers"]).expanduser()
        waivers = waivers if waivers.is_absolute() else base / waivers
        policies = values.get("policies") or Path("policies")
        if waivers.resolve() != (Path(policies) / "waivers.yaml").resolve():
            raise ValidationError([f"{path}: waivers: must be <policies>/waivers.yaml ({Path(policies) / 'waivers.yaml'})"])
    return Settings(path, values)


# Subcommands whose own `--config FILE` names a device configuration, not this settings file.
DEVICE_CONFIG_COMMANDS = frozenset({"onboard"})


def _explicit_config(argv: Sequence[str]) -> str | None:
    command = next((a for a in argv if not a.startswith("-")), None)
    if command in DEVICE_CONFIG_COMMANDS:
        return None
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--config" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--config="):
            return arg.split("=", 1)[1]
    return None


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def apply_defaults(parser: argparse.ArgumentParser, argv: Sequence[str]) -> Settings:
    """Load the config file for `argv` and make its scalar values the defaults of every subcommand."""
    path, _explicit = search_path(_explicit_config(argv))
    settings = load_settings(path)
    for sub in _subparsers(parser).values():
        dests = {a.dest for a in sub._actions}
        defaults = {}
        for key, (dest, kind) in OPTIONS.items():
            if key in settings.values and dest in dests and kind != "list":
                defaults[dest] = settings.values[key]
        sub.set_defaults(**defaults)
    return settings


def merge_lists(args: argparse.Namespace, settings: Settings) -> None:
    """List options: the file's value when the flag was not given at all."""
    for key, (dest, kind) in OPTIONS.items():
        if kind == "list" and key in settings.values and hasattr(args, dest) and not getattr(args, dest):
            setattr(args, dest, list(settings.values[key]))
    args.settings = settings


def add_config_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", metavar="FILE", default=None,
                   help=f"configuration file (default: ${ENV_CONFIG}, else ./{FILE_NAME}, else "
                        f"~/.config/auditor/{FILE_NAME}); flags win over it")
