"""Latency and faults: their settings as text, and seeded draws for each request.

A latency is one duration (``50ms``) or a range (``20ms-200ms``); a fault rate is
``RATE:FAULT`` pairs (``0.05:500`` or ``0.05:500,0.01:reset``). A fault is a status from
400 to 599, ``reset`` (the connection is reset, no answer) or ``timeout`` (no answer until
the client gives up). Draws come from generators seeded with ``seed``, so the same
requests in the same order meet the same delays and faults.

>>> chaos = Chaos(latency=parse_latency("20ms-200ms"), fault_rate=parse_fault_rate("0.5:503"))
>>> [round(chaos.delay(), 3) for _ in range(3)]
[0.154, 0.077, 0.03]
>>> [chaos.fault() for _ in range(4)]
['503', '503', None, '503']
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass

__all__ = [
    "CONNECTION_FAULTS",
    "Chaos",
    "FaultRate",
    "Latency",
    "fault_status",
    "parse_duration",
    "parse_fault",
    "parse_fault_rate",
    "parse_latency",
]

CONNECTION_FAULTS = ("reset", "timeout")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*(ms|s)?\s*$", re.IGNORECASE)
_FAULT_HELP = "a status from 400 to 599, 'reset' or 'timeout'"


@dataclass(frozen=True)
class Latency:
    """A delay drawn uniformly from ``low`` to ``high`` seconds (one value when equal)."""

    low: float
    high: float

    def __str__(self) -> str:
        low, high = _ms(self.low), _ms(self.high)
        return low if low == high else f"{low}-{high}"


@dataclass(frozen=True)
class FaultRate:
    """Each ``(rate, fault)`` pair: that fault for that share of requests."""

    shares: tuple[tuple[float, str], ...]

    def __str__(self) -> str:
        return ",".join(f"{rate:g}:{fault}" for rate, fault in self.shares)


def parse_duration(text: str) -> float:
    """Seconds in ``text``: ``50ms``, ``0.2s``, or a bare number of milliseconds.

    >>> parse_duration("50ms"), parse_duration("1.5s"), parse_duration("200")
    (0.05, 1.5, 0.2)
    """
    match = _DURATION.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not a duration (write 50ms, 0.2s or 200)")
    value, unit = float(match.group(1)), (match.group(2) or "ms").lower()
    return value / 1000 if unit == "ms" else value


def parse_latency(text: str) -> Latency:
    """A fixed latency (``50ms``) or a range (``20ms-200ms``)."""
    low_text, dash, high_text = text.partition("-")
    low = parse_duration(low_text)
    high = parse_duration(high_text) if dash else low
    if high < low:
        raise ValueError(f"latency range {text!r} ends before it starts")
    return Latency(low, high)


def parse_fault(text: str) -> str:
    """The fault ``text`` names, normalised: ``'500'``, ``'reset'`` or ``'timeout'``."""
    fault = text.strip().lower()
    if fault in CONNECTION_FAULTS:
        return fault
    if fault.isdigit() and 400 <= int(fault) <= 599:
        return str(int(fault))
    raise ValueError(f"{text!r} is not a fault (use {_FAULT_HELP})")


def parse_fault_rate(text: str) -> FaultRate:
    """``RATE:FAULT[,RATE:FAULT...]`` with rates from 0 to 1 that add up to at most 1."""
    shares = []
    for part in text.split(","):
        rate_text, colon, fault_text = part.partition(":")
        if not colon:
            raise ValueError(f"{part.strip()!r} is not RATE:FAULT (write 0.05:500)")
        try:
            rate = float(rate_text)
        except ValueError:
            raise ValueError(f"{rate_text.strip()!r} is not a rate from 0 to 1") from None
        if not (math.isfinite(rate) and 0 <= rate <= 1):
            raise ValueError(f"{rate_text.strip()!r} is not a rate from 0 to 1")
        shares.append((rate, parse_fault(fault_text)))
    if sum(rate for rate, _ in shares) > 1 + 1e-9:
        raise ValueError(f"the rates in {text!r} add up to more than 1")
    return FaultRate(tuple(shares))


def fault_status(fault: str) -> int | None:
    """The status a fault answers with; ``None`` for one that closes the connection."""
    return None if fault in CONNECTION_FAULTS else int(fault)


class Chaos:
    """Per-request delays and faults, reproducible from ``seed``."""

    def __init__(
        self,
        *,
        latency: Latency | None = None,
        fault_rate: FaultRate | None = None,
        seed: int = 0,
    ) -> None:
        self._latency = latency
        self._shares = fault_rate.shares if fault_rate is not None else ()
        # One generator each, so turning latency on leaves the sequence of faults as it was.
        self._delays = random.Random(f"latency:{seed}")
        self._faults = random.Random(f"faults:{seed}")

    def delay(self) -> float:
        """Seconds to wait before this answer."""
        latency = self._latency
        if latency is None:
            return 0.0
        if latency.low == latency.high:
            return latency.low
        return self._delays.uniform(latency.low, latency.high)

    def fault(self) -> str | None:
        """The fault this request meets, if any."""
        if not self._shares:
            return None
        draw = self._faults.random()
        for rate, fault in self._shares:
            if draw < rate:
                return fault
            draw -= rate
        return None


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:g}ms"
