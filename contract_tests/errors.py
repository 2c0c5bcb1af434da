"""The suite's errors: each is one line that says what, where and how to fix it."""

from __future__ import annotations

from honcho_spec import KitError

__all__ = ["CredentialsError", "SetupError", "SuiteError", "UnreachableError", "UsageError"]


class SuiteError(KitError):
    """The suite cannot run as asked."""


class UsageError(SuiteError):
    """An option has a value the suite cannot use."""


class UnreachableError(SuiteError):
    """The server under test does not answer."""


class CredentialsError(SuiteError):
    """The server refuses every request without credentials and none were given."""


class SetupError(SuiteError):
    """The run is not set up to test the server: a base URL or document it does not serve
    the operation at, credentials minted with another secret than its own."""
