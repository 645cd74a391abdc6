"""Cerberus schemas: inventory host data and policy files."""

from __future__ import annotations

import ipaddress
from typing import Any

import cerberus

ROLES = ("wan-edge", "core", "access", "firewall")
TIERS = ("province", "department", "district", "commune")
INTERFACE_SCOPES = ("external", "tslcd", "internet", "physical", "all")
SERVER_TYPES = ("ntp", "syslog", "aaa")


class Validator(cerberus.Validator):  # type: ignore[misc]
    """Cerberus validator with the auditor's custom checks (CIDR, IP address)."""

    def _check_with_cidr(self, field: str, value: Any) -> None:
        try:
            ipaddress.ip_network(str(value), strict=True)
        except ValueError as exc:
            self._error(field, f"malformed CIDR {value!r} ({exc})")

    def _check_with_ip(self, field: str, value: Any) -> None:
        try:
            ipaddress.ip_address(str(value))
        except ValueError:
            self._error(field, f"malformed IP address {value!r}")


_IFLIST = {"type": "list", "schema": {"type": "string", "empty": False}}
_CIDRS = {"type": "list", "schema": {"type": "string", "check_with": "cidr"}}
_IPS = {"type": "list", "schema": {"type": "string", "check_with": "ip"}}

HOST_DATA_SCHEMA: dict[str, Any] = {
    "site": {"type": "string", "required": True, "empty": False},
    "agency": {"type": "string", "required": True, "empty": False},
    "tier": {"type": "string", "required": True, "allowed": list(TIERS)},
    "role": {"type": "string", "required": True, "allowed": list(ROLES)},
    "level": {"type": "integer", "required": True, "min": 1, "max": 5},
    "owner": {"type": "string"},
    "district": {"type": "string"},
    "uplinks": {"type": "dict", "schema": {"tslcd": _IFLIST, "internet": _IFLIST}},
    "allocated_prefixes": _CIDRS,
    "management_prefixes": _CIDRS,
    "designated_servers": {"type": "dict", "schema": {t: _IPS for t in SERVER_TYPES}},
    "tags": {"type": "list", "schema": {"type": "string"}},
    # report defaults, usually set once in defaults.yaml
    "report_lang": {"type": "string", "allowed": ["vi", "en"]},
}

_PATTERNS = {"type": ["string", "list"], "schema": {"type": "string"}}
_NUMBER = {"type": "number"}

CHECK_SCHEMA: dict[str, Any] = {
    # scope
    "each": {"type": "string"},
    "interfaces": {"type": "string", "allowed": list(INTERFACE_SCOPES)},
    "where": _PATTERNS,
    "unless": _PATTERNS,
    "require": {"type": "boolean"},
    "anywhere": {"type": "boolean"},
    "pass_if": _PATTERNS,
    # assertions
    "present": _PATTERNS,
    "absent": _PATTERNS,
    "any_of": _PATTERNS,
    "compare": {
        "type": "dict",
        "schema": {
            "match": {"type": "string", "required": True},
            "value": {"type": "dict", "keysrules": {"type": "string"}, "valuesrules": _NUMBER},
            "min": _NUMBER,
            "max": _NUMBER,
            "above": _NUMBER,
            "missing": {"type": "string", "allowed": ["fail", "pass", "not_applicable"]},
        },
    },
    "count": {
        "type": "dict",
        "schema": {
            "match": {"type": "string", "required": True},
            "min": {"type": "integer", "min": 0},
            "max": {"type": "integer", "min": 0},
        },
    },
    "defined": {
        "type": "list",
        "schema": {
            "type": "dict",
            "schema": {"ref": {"type": "string", "required": True}, "kind": {"type": "string", "required": True}},
        },
    },
    "references": {"type": "list", "schema": {"type": "string"}},
    "within": {
        "type": "dict",
        "schema": {
            "match": {"type": "string", "required": True},
            "prefixes": {"type": "string", "allowed": ["allocated_prefixes", "management_prefixes"],
                         "excludes": "servers"},
            "servers": {"type": "string", "allowed": list(SERVER_TYPES), "excludes": "prefixes"},
        },
    },
    "python": {"type": "string"},
    "params": {"type": "dict"},
}

RULE_SCHEMA: dict[str, Any] = {
    "id": {"type": "string", "required": True, "regex": r"[a-z0-9][a-z0-9-]*"},
    "control": {"type": "string", "required": True, "regex": r"[A-Z]+-[0-9]{2}"},
    "message": {"type": "string", "required": True, "empty": False},
    "remediation": {"type": "string", "required": True, "empty": False},
    "applies": {
        "type": "dict",
        "schema": {
            "roles": {"type": "list", "schema": {"type": "string", "allowed": list(ROLES)}},
            "min_level": {"type": "integer", "min": 1, "max": 5},
            "max_level": {"type": "integer", "min": 1, "max": 5},
        },
    },
    "when": {
        "type": "dict",
        "schema": {
            "present": _PATTERNS,
            "absent": _PATTERNS,
            "host": {"type": "list", "schema": {"type": "string"}},
            "interfaces": {"type": "list", "schema": {"type": "string", "allowed": list(INTERFACE_SCOPES)}},
        },
    },
    "check": {"type": "dict", "required": True, "schema": CHECK_SCHEMA},
}

POLICY_SCHEMA: dict[str, Any] = {
    "platform": {"type": "string", "required": True},
    "description": {"type": "string"},
    "objects": {
        "type": "dict",
        "keysrules": {"type": "string"},
        "valuesrules": {
            "type": "dict",
            "schema": {
                "defs": {**_PATTERNS, "required": True},
                "refs": _PATTERNS,
                "builtin": {"type": "list", "schema": {"type": "string"}},
            },
        },
    },
    "rules": {"type": "list", "required": True, "schema": {"type": "dict"}},
}


def flatten_errors(errors: Any, prefix: str = "") -> list[str]:
    """Cerberus' nested error tree as `field.sub: message` lines."""
    out: list[str] = []
    if isinstance(errors, dict):
        for key, value in errors.items():
            out.extend(flatten_errors(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(errors, list):
        for item in errors:
            if isinstance(item, dict):
                out.extend(flatten_errors(item, prefix))
            else:
                out.append(f"{prefix}: {item}")
    else:
        out.append(f"{prefix}: {errors}")
    return out


_SELECTOR = {"anyof_type": ["string", "list"], "nullable": False,
             "schema": {"type": "string", "empty": False}}

WAIVER_SCHEMA: dict[str, Any] = {
    "control": {"type": "string", "required": True, "empty": False},
    "host": _SELECTOR,
    "site": _SELECTOR,
    "agency": _SELECTOR,
    "reason": {"type": "string", "required": True, "empty": False},
    "approved_by": {"type": "string", "required": True, "empty": False},
    "reference": {"type": "string", "required": True, "empty": False},
    "expires": {"type": ["date", "datetime"], "required": True, "nullable": False},
}

WAIVERS_SCHEMA: dict[str, Any] = {
    "waivers": {"type": "list", "required": True, "schema": {"type": "dict", "schema": WAIVER_SCHEMA}},
}
