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

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .chaos import Chaos, FaultRate, Latency, parse_fault_rate, parse_latency
from .sequences import Sequences

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
    if value is None or isinstance(value, Latency):
        return value
    if not isinstance(value, str):
        raise ChaosError(f'latency {value!r} is not a string such as "50ms" or "20ms-200ms"')
    try:
        return parse_latency(value)
    except ValueError as exc:
        raise ChaosError(f"latency: {exc}") from None


def _fault_rate(value: object) -> FaultRate | None:
    if value is None or isinstance(value, FaultRate):
        return value
    if not isinstance(value, str):
        raise ChaosError(f'fault_rate {value!r} is not a string such as "0.3:503"')
    try:
        return parse_fault_rate(value)
    except ValueError as exc:
        raise ChaosError(f"fault_rate: {exc}") from None
