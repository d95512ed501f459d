"""Errors that are the user's to fix, as opposed to bugs in the runtime.

The command-line entry points print these as ``error: <message>`` without a
traceback and exit with :attr:`UserError.exit_code`; anything else is a bug
and propagates with its traceback.
"""
from __future__ import annotations


class UserError(Exception):
    """A mistake the user can fix: bad input data, a bad flag, a diverged run."""

    exit_code = 1


class UsageError(UserError):
    """A bad command line: unknown flag, invalid value, unavailable device."""

    exit_code = 2


class DataError(UserError):
    """Missing, unreadable or mismatched training data."""


class TrainingError(UserError):
    """Training cannot go on (for example the loss became NaN or infinite)."""
