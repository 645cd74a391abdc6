"""The simulator's error: bad specs, unknown platforms or faults, unusable inventories."""

from __future__ import annotations

from ..errors import AuditorError


class SimulatorError(AuditorError):
    """The device simulator cannot be set up as asked."""
