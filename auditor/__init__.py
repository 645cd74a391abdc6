"""Compliance auditor for a province's dedicated government data network."""

__version__ = "0.1.0"
