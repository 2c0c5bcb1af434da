"""The kit's one exception root and the spec layer's errors."""

from __future__ import annotations

__all__ = ["KitError", "SpecError"]


class KitError(Exception):
    """Root of every error the kit raises on purpose.

    The message is one line that says what went wrong, where, and how to fix it, so a
    command-line tool can print it as it is and exit.
    """

    def __init__(self, what: str, *, where: str = "", fix: str = "") -> None:
        self.what = what
        self.where = where
        self.fix = fix
        parts = [f"{where}: {what}" if where else what]
        if fix:
            parts.append(fix)
        super().__init__("; ".join(parts))


class SpecError(KitError):
    """The OpenAPI document is missing, unreadable, or not one the kit can serve."""
