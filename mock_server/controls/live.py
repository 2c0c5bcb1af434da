"""What changes while the mock runs: latency and the fault rate, and the queued sequences.

The control paths and the fixture change them; the operations' endpoints read
:attr:`Live.busy` first, so a request meets none of it while nothing is set. A new latency
or fault rate draws from ``seed`` afresh, as at start-up.

>>> live = Live(allow_faults=True)
>>> live.busy, live.set_chaos(latency="50ms").as_json(), live.busy
(False, {'latency': '50ms', 'fault_rate': None}, True)
>>> live.reset_chaos().as_json(), live.busy
({'latency': None, 'fault_rate': None}, False)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from .chaos import Chaos, FaultRate, Latency, parse_fault_rate, parse_latency
from .sequences import Sequences

_T = TypeVar("_T")

__all__ = ["ChaosError", "ChaosSettings", "Live"]

_KEEP: Any = object()
_CHAOS_KEYS = ("latency", "fault_rate")


class ChaosError(ValueError):
    """A latency or fault rate the mock cannot set."""


@dataclass(frozen=True)
class ChaosSettings:
    latency: Latency | None = None
    fault_rate: FaultRate | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "latency": str(self.latency) if self.latency is not None else None,
            "fault_rate": str(self.fault_rate) if self.fault_rate is not None else None,
        }


class Live:
    """One mock's runtime state: :attr:`chaos` (``None``: none) and :attr:`sequences`."""

    def __init__(
        self,
        *,
        latency: Latency | None = None,
        fault_rate: FaultRate | None = None,
        seed: int = 0,
        allow_faults: bool = False,
    ) -> None:
        self.allow_faults = allow_faults
        self.responses: tuple[Iterable[str], ...] = ()  # each operation's documented statuses
        self._seed = seed
        self._start = ChaosSettings(latency, fault_rate)
        self.settings = self._start
        self.chaos: Chaos | None = None
        self.sequences = Sequences(on_change=self._update)
        self.busy = False
        self._install(self._start)

    def set_chaos(self, *, latency: Any = _KEEP, fault_rate: Any = _KEEP) -> ChaosSettings:
        """Set either (a string as the flags take it, or ``None`` to clear it)."""
        now = self.settings
        new_latency = now.latency if latency is _KEEP else _latency(latency)
        new_rate = now.fault_rate if fault_rate is _KEEP else _fault_rate(fault_rate)
        if new_rate is not None and new_rate != now.fault_rate and not self.allow_faults:
            raise ChaosError(
                f"fault_rate {new_rate} injects faults; start the mock with --allow-faults"
            )
        self._install(ChaosSettings(new_latency, new_rate))
        return self.settings

    def set_chaos_json(self, given: object) -> ChaosSettings:
        """Set what a control request's ``{"latency": "50ms", "fault_rate": null}`` names."""
        if not isinstance(given, Mapping):
            raise ChaosError('the body must be a JSON object such as {"latency": "50ms"}')
        unknown = sorted(set(given) - set(_CHAOS_KEYS))
        if unknown:
            raise ChaosError(
                f"unknown key {unknown[0]!r} (keys: latency, fault_rate; null clears one)"
            )
        return self.set_chaos(**given)

    def reset_chaos(self) -> ChaosSettings:
        """Back to the start-up latency and fault rate."""
        self._install(self._start)
        return self.settings

    def _install(self, settings: ChaosSettings) -> None:
        self.settings = settings
        if settings.latency is None and settings.fault_rate is None:
            self.chaos = None
        else:
            self.chaos = Chaos(
                latency=settings.latency, fault_rate=settings.fault_rate, seed=self._seed
            )
        self._update()

    def _update(self) -> None:
        self.busy = self.chaos is not None or self.sequences.queued


def _latency(value: object) -> Latency | None:
    return _setting(value, "latency", Latency, parse_latency, '"50ms" or "20ms-200ms"')


def _fault_rate(value: object) -> FaultRate | None:
    return _setting(value, "fault_rate", FaultRate, parse_fault_rate, '"0.3:503"')


def _setting(
    value: object, name: str, kind: type[_T], parse: Callable[[str], _T], example: str
) -> _T | None:
    """``value`` as a setting of ``kind``: kept, cleared (None) or parsed from its text."""
    if value is None or isinstance(value, kind):
        return value
    if not isinstance(value, str):
        raise ChaosError(f"{name} {value!r} is not a string such as {example}")
    try:
        return parse(value)
    except ValueError as exc:
        raise ChaosError(f"{name}: {exc}") from None
