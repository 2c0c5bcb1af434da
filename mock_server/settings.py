"""The mock's settings: a flag beats the environment, which beats the default.

This is the one module that reads the environment (``HONCHO_MOCK_*``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from honcho_spec import KitError

__all__ = ["ENV_PREFIX", "LOG_LEVELS", "MockSettings", "SettingsError", "resolve_settings"]

ENV_PREFIX = "HONCHO_MOCK_"
LOG_LEVELS = ("critical", "error", "warning", "info", "debug", "trace")


class SettingsError(KitError):
    """A setting has a value the mock cannot use."""


@dataclass(frozen=True)
class MockSettings:
    """How one mock runs. ``spec_path=None`` serves the embedded Honcho 2.5.1 document."""

    host: str = "127.0.0.1"
    port: int = 8000
    spec_path: Path | None = None
    auth_jwt_secret: str | None = None
    log_level: str = "info"

    def __post_init__(self) -> None:
        if not 0 <= self.port <= 65535:
            raise SettingsError(f"port {self.port} is out of range", fix="use 0-65535")
        if self.log_level not in LOG_LEVELS:
            raise SettingsError(
                f"unknown log level {self.log_level!r}", fix=f"use one of {', '.join(LOG_LEVELS)}"
            )


def resolve_settings(
    flags: Mapping[str, Any], environ: Mapping[str, str] | None = None
) -> MockSettings:
    """Settings from ``flags`` (``None`` means not given), then ``HONCHO_MOCK_*``, then defaults."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for field in fields(MockSettings):
        value = flags.get(field.name)
        if value is None:
            value = env.get(ENV_PREFIX + field.name.upper()) or None
        if value is not None:
            values[field.name] = _convert(field.name, value)
    return MockSettings(**values)


def _convert(name: str, value: Any) -> Any:
    if name == "port":
        try:
            return int(value)
        except ValueError:
            raise SettingsError(f"port {value!r} is not a number", fix="use 0-65535") from None
    if name == "spec_path":
        return Path(value)
    if name == "log_level":
        return str(value).lower()
    return value
