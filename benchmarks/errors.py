"""The benchmarks' one error: a message that says what, where and how to fix it."""

from __future__ import annotations

from honcho_spec import KitError

__all__ = ["BenchError"]


class BenchError(KitError):
    """A benchmark cannot run: a tool is missing, or a server did not start or answer."""
