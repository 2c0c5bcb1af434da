"""How a request steers the mock: its ``Prefer`` header, and the plan for one request.

``Prefer`` is read as RFC 7240 writes it: comma-separated ``name=value`` preferences (more
than one header joins with commas), names in any case, values optionally quoted,
parameters after ``;`` and unknown preferences ignored. The mock acts on three:
``code=422`` (answer that documented status; Prism's convention), ``delay=200``
(milliseconds, or ``0.2s``, to wait before answering) and ``fault=500|503|reset|timeout``.

>>> parse_prefer('code=422, delay="200"')
Preferences(code=422, delay=0.2, fault=None)
>>> steering = Steering(label="POST /x", responses=("204", "422"), allow_faults=False)
>>> print(steering.plan("code=500").refusal)  # doctest: +ELLIPSIS
Prefer: code=500 is not a documented response of POST /x (documented: 204, 422); ...
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .chaos import Chaos, parse_duration, parse_fault

if TYPE_CHECKING:
    from .live import Live

__all__ = ["Plan", "PreferenceError", "Preferences", "Steering", "is_documented", "parse_prefer"]


class PreferenceError(ValueError):
    """A ``Prefer`` preference the mock reads has a value it cannot use."""


@dataclass(frozen=True, slots=True)
class Preferences:
    code: int | None = None
    delay: float | None = None  # seconds
    fault: str | None = None


@dataclass(frozen=True, slots=True)
class Plan:
    """What happens to one request besides its verdict; ``refusal`` is a 400's detail."""

    delay: float = 0.0
    fault: str | None = None
    code: int | None = None
    refusal: str | None = None
    queued: tuple[int, int, int] | None = None  # sequence, answer, of: a queued answer

    def as_json(self) -> dict[str, Any]:
        """The journal's ``control`` field: only what was applied."""
        shown: dict[str, Any] = {}
        if self.code is not None:
            shown["code"] = self.code
        if self.fault is not None:
            shown["fault"] = self.fault
        if self.delay:
            shown["delay_ms"] = round(self.delay * 1000, 3)
        if self.refusal is not None:
            shown["refused"] = self.refusal
        if self.queued is not None:
            sequence, answer, of = self.queued
            shown["queued"] = {"sequence": sequence, "answer": answer, "of": of}
        return shown


@lru_cache(maxsize=256)
def parse_prefer(header: str) -> Preferences:
    """The preferences the mock acts on; raises :class:`PreferenceError` for a bad value."""
    code = delay = fault = None
    for item in header.split(","):
        name, _, value = item.partition(";")[0].partition("=")
        name, value = name.strip().lower(), value.strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        if name == "code":
            if not (value.isdigit() and 100 <= int(value) <= 599):
                raise PreferenceError(f"Prefer: code={value} is not an HTTP status (100-599)")
            code = int(value)
        elif name == "delay":
            try:
                delay = parse_duration(value)
            except ValueError:
                raise PreferenceError(
                    f"Prefer: delay={value} is not a delay (milliseconds, e.g. delay=200)"
                ) from None
        elif name == "fault":
            try:
                fault = parse_fault(value)
            except ValueError as exc:
                raise PreferenceError(f"Prefer: fault={value}: {exc}") from None
    return Preferences(code, delay, fault)


def is_documented(code: int, responses: Iterable[str]) -> bool:
    """``code`` is declared by ``responses`` keys: exactly, by a range (``4XX``) or ``default``."""
    keys = {key.upper() for key in responses}
    return str(code) in keys or f"{code // 100}XX" in keys or "DEFAULT" in keys


class Steering:
    """The rules one operation steers by: its documented codes, faults, chaos.

    ``read_prefer=False`` (``--no-control``) ignores ``Prefer`` entirely, as the real
    server does.
    """

    def __init__(
        self,
        *,
        label: str,
        responses: Iterable[str],
        allow_faults: bool,
        read_prefer: bool = True,
        chaos: Chaos | None = None,
        live: Live | None = None,
    ) -> None:
        self._label = label
        self._live = live
        self._responses = tuple(responses)
        self._allow_faults = allow_faults
        self._chaos = chaos
        self.reads_prefer = read_prefer

    def plan(self, prefer: str | None) -> Plan | None:
        """The plan for a request with this ``Prefer`` value; ``None`` when nothing applies."""
        prefs = None
        if prefer is not None and self.reads_prefer:
            try:
                prefs = parse_prefer(prefer)
            except PreferenceError as exc:
                return Plan(refusal=str(exc))
            refusal = self._refusal(prefs)
            if refusal is not None:
                return Plan(refusal=refusal)
        chaos = self._live.chaos if self._live is not None else self._chaos
        delay = chaos.delay() if chaos is not None else 0.0
        fault = chaos.fault() if chaos is not None else None
        code = None
        if prefs is not None:
            if prefs.delay is not None:
                delay = prefs.delay
            if prefs.code is not None or prefs.fault is not None:
                code, fault = prefs.code, prefs.fault  # asked for beats drawn at random
        if not delay and fault is None and code is None:
            return None
        return Plan(delay=delay, fault=fault, code=code)

    def _refusal(self, prefs: Preferences) -> str | None:
        if prefs.fault is not None and not self._allow_faults:
            return (
                f"Prefer: fault={prefs.fault} injects a fault; "
                "start the mock with --allow-faults to allow it"
            )
        code = prefs.code
        if code is not None and not self._allow_faults and not is_documented(code, self._responses):
            return (
                f"Prefer: code={code} is not a documented response of {self._label} "
                f"(documented: {', '.join(self._responses)}); ask for one of those, "
                "or start the mock with --allow-faults"
            )
        return None
