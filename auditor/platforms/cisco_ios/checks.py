"""Named checks for Cisco IOS that the policy language cannot express."""

from __future__ import annotations

from collections.abc import Mapping

from ...checks import CheckFn

CHECKS: Mapping[str, CheckFn] = {}
