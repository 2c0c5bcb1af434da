"""The mock's settings: a flag beats the environment, which beats the default.

This is the one module that reads the environment (``HONCHO_MOCK_*``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from honcho_spec import KitError, layered

from .controls.chaos import FaultRate, Latency, parse_fault_rate, parse_latency

__all__ = ["ENV_PREFIX", "LOG_LEVELS", "MockSettings", "SettingsError", "resolve_settings"]

ENV_PREFIX = "HONCHO_MOCK_"
LOG_LEVELS = ("critical", "error", "warning", "info", "debug", "trace")


class SettingsError(KitError):
    """A setting has a value the mock cannot use."""


@dataclass(frozen=True)
class MockSettings:
    """How one mock runs. ``spec_path=None`` serves the embedded Honcho 2.5.1 document.

    The fields after ``log_level`` are the client developer's controls; with ``control``
    off and the others at their defaults but ``cors_origins=()``, the mock is the
    faithful server alone.
    """

    host: str = "127.0.0.1"
    port: int = 8000
    spec_path: Path | None = None
    auth_jwt_secret: str | None = None
    log_level: str = "info"
    control: bool = True
    journal_size: int = 1000
    latency: Latency | None = None
    allow_faults: bool = False
    fault_rate: FaultRate | None = None
    seed: int = 0
    cors_origins: tuple[str, ...] = ("*",)
    reload: bool = False
    allowed_hosts: tuple[str, ...] = ()
    journal_secrets: bool = False

    def __post_init__(self) -> None:
        if not 0 <= self.port <= 65535:
            raise SettingsError(f"port {self.port} is out of range", fix="use 0-65535")
        if self.log_level not in LOG_LEVELS:
            raise SettingsError(
                f"unknown log level {self.log_level!r}", fix=f"use one of {', '.join(LOG_LEVELS)}"
            )
        if self.journal_size < 0:
            raise SettingsError(
                f"journal size {self.journal_size} is negative", fix="use 0 (off) or more"
            )
        if self.fault_rate is not None and not self.allow_faults:
            raise SettingsError(
                f"--fault-rate {self.fault_rate} injects faults", fix="add --allow-faults"
            )


def resolve_settings(
    flags: Mapping[str, Any], environ: Mapping[str, str] | None = None
) -> MockSettings:
    """Settings from ``flags`` (``None`` means not given), then ``HONCHO_MOCK_*``, then defaults."""
    env = os.environ if environ is None else environ
    given = layered((field.name for field in fields(MockSettings)), flags, env, ENV_PREFIX)
    return MockSettings(
        **{name: _convert(name, value, flags.get(name) is None) for name, value in given.items()}
    )


def _convert(name: str, value: Any, from_environment: bool) -> Any:
    converter = _CONVERTERS.get(name)
    if converter is None:
        return value
    try:
        return converter(value)
    except ValueError as exc:
        source = ENV_PREFIX + name.upper() if from_environment else _FLAGS.get(name, name)
        raise SettingsError(f"{source}: {exc}", fix=_FIXES.get(name, "")) from None


def _integer(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a number") from None


def _port(value: Any) -> int:
    port = _integer(value)
    if not 0 <= port <= 65535:
        raise ValueError(f"port {port} is out of range")
    return port


def _journal_size(value: Any) -> int:
    size = _integer(value)
    if size < 0:
        raise ValueError(f"journal size {size} is negative")
    return size


def _log_level(value: Any) -> str:
    level = str(value).lower()
    if level not in LOG_LEVELS:
        raise ValueError(f"unknown log level {value!r}")
    return level


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{value!r} is not true or false")


def _origins(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        if value.strip().lower() in ("", "none"):
            return ()
        value = value.split(",")
    return tuple(origin.strip() for origin in value if origin.strip())


def _hosts(value: Any) -> tuple[str, ...]:
    names = value.split(",") if isinstance(value, str) else value
    hosts = []
    for name in (str(name).strip().lower() for name in names):
        if not name:
            continue
        bracketed = name.startswith("[")
        if any(c in name for c in "/@ ") or (
            (bracketed and not name.endswith("]")) or (not bracketed and name.count(":") == 1)
        ):
            raise ValueError(f"{name!r} is not a host name (no scheme, port or path)")
        hosts.append(f"[{name}]" if ":" in name and not name.startswith("[") else name)
    return tuple(hosts)


def _typed(kind: type[Any], parse: Any) -> Any:
    return lambda value: value if isinstance(value, kind) else parse(str(value))


_CONVERTERS: dict[str, Any] = {
    "port": _port,
    "journal_size": _journal_size,
    "seed": _integer,
    "spec_path": Path,
    "log_level": _log_level,
    "control": _boolean,
    "allow_faults": _boolean,
    "reload": _boolean,
    "latency": _typed(Latency, parse_latency),
    "fault_rate": _typed(FaultRate, parse_fault_rate),
    "cors_origins": _origins,
    "allowed_hosts": _hosts,
    "journal_secrets": _boolean,
}
# The flag that sets each setting, where it is not --NAME (booleans are switches).
_FLAGS = {"spec_path": "--spec", "control": "--no-control"}
_FLAGS |= {name: "--" + name.replace("_", "-") for name in _CONVERTERS if name not in _FLAGS}
_FIXES = {
    "port": "use 0-65535",
    "journal_size": "use 0 (off) or more",
    "seed": "use a whole number",
    "log_level": f"use one of {', '.join(LOG_LEVELS)}",
    "control": "use 1 or 0",
    "allow_faults": "use 1 or 0",
    "reload": "use 1 or 0",
    "journal_secrets": "use 1 or 0",
    "allowed_hosts": "write names alone, comma-separated: mock.internal,my-tunnel.example "
    "(any port is allowed; '*': any host)",
    "latency": "write 50ms, or a range such as 20ms-200ms",
    "fault_rate": "write RATE:FAULT such as 0.05:500 (faults: 400-599, reset, timeout)",
}
