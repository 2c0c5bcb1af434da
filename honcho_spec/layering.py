"""Configuration enters once: a flag beats the environment, which beats the default."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["layered"]


def layered(
    names: Iterable[str], flags: Mapping[str, Any], environ: Mapping[str, str], prefix: str
) -> dict[str, Any]:
    """For each name, the flag if given (not ``None``), else a non-empty ``PREFIX + NAME``
    environment variable; names given neither way are left out, for the default.

    >>> layered(["port", "host"], {"port": None}, {"APP_PORT": "9"}, "APP_")
    {'port': '9'}
    """
    values: dict[str, Any] = {}
    for name in names:
        value = flags.get(name)
        if value is None:
            value = environ.get(prefix + name.upper()) or None
        if value is not None:
            values[name] = value
    return values
