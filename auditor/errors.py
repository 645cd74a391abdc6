"""The auditor's error hierarchy: every user-facing failure is one of these."""

from __future__ import annotations


class AuditorError(Exception):
    """Base of every error the auditor reports to its user (never a traceback)."""

    def __init__(self, message: str, *, source: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.source = source
        self.line = line

    def __str__(self) -> str:
        if not self.source:
            return self.message
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.message}"


class ValidationError(AuditorError):
    """Input files fail validation; `problems` holds every problem found, one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(problems[0] if len(problems) == 1 else f"{len(problems)} problems")
        self.problems = problems


class InventoryError(ValidationError):
    """The inventory cannot be loaded or fails validation."""


class PolicyError(ValidationError):
    """A policy (or the control catalogue) cannot be loaded or fails validation."""


class ParseError(AuditorError):
    """A configuration cannot be understood as the platform's config."""


class CollectionError(AuditorError):
    """A configuration could not be obtained from the device or the snapshot directory."""


class UnknownPlatformError(AuditorError):
    """A platform name that no platform module implements."""
