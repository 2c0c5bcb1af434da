"""Sequences: answers queued for the next requests that match, each taken exactly once.

An answer is written as a ``Prefer`` value (:mod:`mock_server.controls.steering`):
``code=204`` or ``code=422`` (a documented answer, as the real server writes it),
``fault=503``, ``fault=reset``, ``fault=timeout`` (faults, with ``--allow-faults``),
``delay=200`` (the faithful answer, late), or several at once (``code=422, delay=100``).
A request takes the next answer of the first sequence that matches it; when every
sequence is spent, the faithful answer resumes.

>>> queue = Sequences()
>>> first = queue.add(RequestMatch(), ["fault=503", "code=204"], allow_faults=True)
>>> view = RequestView("POST", "/x", None, None)
>>> [queue.take(view).as_json() for _ in range(2)], queue.take(view)
([{'fault': '503', 'queued': {'sequence': 1, 'answer': 1, 'of': 2}}, \
{'code': 204, 'queued': {'sequence': 1, 'answer': 2, 'of': 2}}], None)
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from .matching import MatchError, RequestMatch, RequestView
from .steering import Plan, PreferenceError, is_documented, parse_prefer

__all__ = ["Queued", "SequenceError", "Sequences"]


class SequenceError(ValueError):
    """A sequence the mock cannot queue."""


@dataclass
class Queued:
    """One sequence: its match, its answers, how many are taken."""

    ident: int
    match: RequestMatch
    texts: tuple[str, ...]
    plans: tuple[Plan, ...]
    taken: int = 0

    @property
    def remaining(self) -> int:
        return len(self.plans) - self.taken

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.ident,
            "match": self.match.as_json(),
            "answers": list(self.texts),
            "taken": self.taken,
            "remaining": self.remaining,
        }


def _plan(index: int, text: object, allow_faults: bool, responses: Sequence[Iterable[str]]) -> Plan:
    where = f"answers[{index}]"
    if not isinstance(text, str):
        raise SequenceError(f'{where} is not a string such as "fault=503" or "code=204"')
    try:
        prefs = parse_prefer(text)
    except PreferenceError as exc:
        raise SequenceError(f"{where}: {str(exc).removeprefix('Prefer: ')}") from None
    if prefs.code is None and prefs.fault is None and prefs.delay is None:
        raise SequenceError(
            f"{where}: {text!r} asks for nothing (write code=204, code=422, fault=503, "
            "fault=reset, fault=timeout or delay=200)"
        )
    if prefs.fault is not None and not allow_faults:
        raise SequenceError(
            f"{where}: fault={prefs.fault} injects a fault; start the mock with --allow-faults"
        )
    code = prefs.code
    if code is not None and not allow_faults and not all(is_documented(code, r) for r in responses):
        raise SequenceError(
            f"{where}: code={code} is not a documented response (ask for 204 or 422), "
            "or start the mock with --allow-faults"
        )
    fault = prefs.fault
    if code is not None and fault is not None:
        fault = None  # as Prefer: a code asked for beats a fault
    return Plan(delay=prefs.delay or 0.0, fault=fault, code=code)


class Sequences:
    """The queued sequences of one mock, oldest first.

    :attr:`queued` is false when none is queued: the endpoint then looks no further.
    """

    def __init__(self, on_change: Callable[[], None] | None = None) -> None:
        self._on_change = on_change
        self._lock = threading.Lock()
        self._queued: list[Queued] = []
        self._ids = itertools.count(1)
        self.queued = False
        self.reads_body = False

    def add(
        self,
        match: RequestMatch,
        answers: Sequence[object],
        *,
        allow_faults: bool,
        responses: Sequence[Iterable[str]] = (),
    ) -> Queued:
        """Queue ``answers`` for the requests ``match`` selects; ``responses`` are the
        documented statuses of each operation it may reach."""
        if isinstance(answers, str) or not answers:
            raise SequenceError(
                'answers must be a non-empty list such as ["fault=503", "code=204"]'
            )
        plans = tuple(_plan(i, text, allow_faults, responses) for i, text in enumerate(answers))
        with self._lock:
            queued = Queued(next(self._ids), match, tuple(str(a) for a in answers), plans)
            self._queued.append(queued)
            self._changed()
        return queued

    def add_json(
        self, given: object, *, allow_faults: bool, responses: Sequence[Iterable[str]] = ()
    ) -> Queued:
        """Queue a control request's ``{"answers": [...], "workspace_id": ..., "body": ...}``."""
        if not isinstance(given, dict):
            raise SequenceError('the body must be a JSON object such as {"answers": ["fault=503"]}')
        answers = given.get("answers")
        if not isinstance(answers, list):
            raise SequenceError(
                'answers must be a non-empty list such as ["fault=503", "code=204"]'
            )
        try:
            match = RequestMatch.from_json({k: v for k, v in given.items() if k != "answers"})
        except MatchError as exc:
            raise SequenceError(str(exc)) from None
        return self.add(match, answers, allow_faults=allow_faults, responses=responses)

    def take(self, view: RequestView) -> Plan | None:
        """The next answer for this request, taken from its sequence; ``None`` when no
        sequence matches it."""
        with self._lock:
            for queued in self._queued:
                if queued.match.matches(view):
                    plan = queued.plans[queued.taken]
                    queued.taken += 1
                    if queued.remaining == 0:
                        self._queued.remove(queued)
                        self._changed()
                    return replace(plan, queued=(queued.ident, queued.taken, len(queued.plans)))
        return None

    def remove(self, ident: int | None = None) -> bool:
        """Drop one sequence (``None``: all); whether there was one to drop."""
        with self._lock:
            kept = [q for q in self._queued if ident is not None and q.ident != ident]
            dropped = len(kept) != len(self._queued)
            self._queued = kept
            self._changed()
        return dropped

    def as_json(self) -> list[dict[str, Any]]:
        with self._lock:
            return [queued.as_json() for queued in self._queued]

    def _changed(self) -> None:
        self.queued = bool(self._queued)
        self.reads_body = any(q.match.reads_body for q in self._queued)
        if self._on_change is not None:
            self._on_change()
