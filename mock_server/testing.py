"""A mock for a client's own tests: a real uvicorn server on a free port, in a thread.

Settings are given as ``honcho-mock`` flags are (``latency="50ms"``,
``fault_rate="0.1:503"``); the ``HONCHO_MOCK_*`` environment is not read, so a test
suite runs the same everywhere. While it runs, a test queues answers (:meth:`HonchoMock.queue`),
changes latency and faults (:meth:`HonchoMock.set_latency`), and says what it expects
(:meth:`HonchoMock.expect`); :meth:`HonchoMock.finish` checks and restores it all.

>>> with HonchoMock.from_options(auth_jwt_secret="s3cret") as mock:
...     mock.url.startswith("http://127.0.0.1:"), mock.requests, mock.token("ws-1").count(".")
(True, [], 2)
"""

from __future__ import annotations

import json
from collections.abc import Callable
from types import TracebackType
from typing import Any

from honcho_spec import KitError, honcho_claims, mint_token

from .controls.expectations import Expectation, failures, views_of
from .controls.journal import EntryFilter, Journal
from .controls.live import ChaosError, ChaosSettings, Live
from .controls.matching import RequestMatch, RequestView
from .controls.sequences import Queued, SequenceError
from .edge.app import create_app
from .edge.server import BackgroundServer
from .settings import MockSettings, resolve_settings

__all__ = ["ExpectationsUnmet", "HonchoMock", "MockUsageError"]

Predicate = Callable[[RequestView], bool]


class MockUsageError(KitError):
    """The mock was asked for something its settings turn off, or something it cannot use."""


class ExpectationsUnmet(KitError, AssertionError):  # noqa: N818 - a test's failure
    """The requests that came are not the ones the test expected."""


class HonchoMock:
    """A running mock: its ``url``, its journal (``requests``, ``dreams``), its tokens."""

    def __init__(self, settings: MockSettings) -> None:
        self.settings = settings
        self.app = create_app(settings=settings)
        self._server = BackgroundServer(settings, app=self.app)
        self.url = ""
        # strict: a request no expectation matches, or a queued answer left, fails verify()
        self.strict = False
        self._expectations: list[Expectation] = []

    @classmethod
    def from_options(cls, **options: Any) -> HonchoMock:
        """A mock on a free loopback port with these settings (strings as flags take them)."""
        flags = {"port": 0, "log_level": "warning", **options}
        known = MockSettings.__dataclass_fields__
        unknown = sorted(set(flags) - set(known))
        if unknown:
            raise MockUsageError(
                f"unknown setting {', '.join(unknown)}", fix=f"use one of {', '.join(known)}"
            )
        return cls(resolve_settings(flags, environ={}))

    def start(self) -> HonchoMock:
        self._server.start()
        self.url = self._server.url
        return self

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> HonchoMock:
        return self.start()

    def __exit__(self, *exc: object | TracebackType | None) -> None:
        self.stop()

    @property
    def requests(self) -> list[dict[str, Any]]:
        """The journal, oldest first, as ``GET /__mock__/requests`` lists it."""
        return self._journal().as_json(EntryFilter())

    @property
    def dreams(self) -> list[dict[str, Any]]:
        """The dreams of accepted requests, as ``GET /__mock__/dreams`` lists them."""
        return self._journal().dreams(EntryFilter())

    def reset(self) -> None:
        """Empty the journal (and so the dreams)."""
        self._journal().clear()

    def queue(
        self,
        *answers: str,
        method: str | None = None,
        path: str | None = None,
        workspace_id: str | None = None,
        predicate: Predicate | None = None,
        **fields: Any,
    ) -> Queued:
        """Answer the next matching requests with ``answers``, one each, then faithfully.

        Answers are written as ``Prefer`` values; keyword arguments other than these are
        body fields. ``mock.queue("fault=503", "fault=reset", observer="alice")``
        """
        live = self._live()
        match = _match(method, path, workspace_id, predicate, fields)
        try:
            return live.sequences.add(
                match, answers, allow_faults=live.allow_faults, responses=live.responses
            )
        except SequenceError as exc:
            raise MockUsageError(f"queue: {exc}") from None

    @property
    def sequences(self) -> list[dict[str, Any]]:
        """The queued sequences, as ``GET /__mock__/sequences`` lists them."""
        return self._live().sequences.as_json()

    def set_latency(self, latency: str | None) -> ChaosSettings:
        """Delay every answer from now on (``"50ms"``, ``"20ms-200ms"``); ``None``: none."""
        return self._set_chaos(latency=latency)

    def set_fault_rate(self, fault_rate: str | None) -> ChaosSettings:
        """Fault a share of requests from now on (``"0.3:503"``); ``None``: none."""
        return self._set_chaos(fault_rate=fault_rate)

    def expect(
        self,
        *,
        times: int | None = 1,
        ordered: bool = False,
        method: str | None = None,
        path: str | None = None,
        workspace_id: str | None = None,
        predicate: Predicate | None = None,
        **fields: Any,
    ) -> Expectation:
        """Expect ``times`` requests (``None``: one or more) with these parts; other keyword
        arguments are body fields. ``mock.expect(observer="alice", dream_type="agent")``"""
        if times is not None and times < 0:
            raise MockUsageError(f"expect: times={times} is negative", fix="use 0 or more")
        match = _match(method, path, workspace_id, predicate, fields)
        expectation = Expectation(match, times, ordered)
        self._expectations.append(expectation)
        return expectation

    def verify(self) -> None:
        """Raise :class:`ExpectationsUnmet` when the journal does not meet the expectations."""
        if not self._expectations and not self.strict:
            return
        templates = [handler.operation.path for handler in self.app.state.handlers]
        views = views_of(self._journal().as_json(EntryFilter()), templates)
        found = failures(self._expectations, views, strict=self.strict)
        controls = self.app.state.controls
        if self.strict and controls is not None:  # an answer queued was meant to be taken
            found += [_untaken(queued) for queued in controls.live.sequences.as_json()]
        if found:
            raise ExpectationsUnmet(
                f"the requests that came ({len(views)}) do not meet the test's expectations:\n"
                + "\n".join(found)
            )

    def finish(self) -> None:
        """End a test: the expectations verified and forgotten, the sequences dropped, latency
        and faults as at start-up."""
        try:
            self.verify()
        finally:
            self._expectations.clear()
            self.strict = False
            controls = self.app.state.controls
            if controls is not None:
                controls.live.sequences.remove()
                controls.live.reset_chaos()

    def token(self, workspace: str | None = None, *, admin: bool = False) -> str:
        """A JWT this mock accepts: for ``workspace``, or an admin one when none is named."""
        secret = self.settings.auth_jwt_secret
        if secret is None:
            raise MockUsageError(
                "this mock has auth off, so it needs no token",
                fix="start one with auth_jwt_secret=... to test tokens",
            )
        claims = honcho_claims(admin=admin or workspace is None, workspace=workspace)
        return mint_token(secret, claims)

    def _set_chaos(self, **given: Any) -> ChaosSettings:
        try:
            return self._live().set_chaos(**given)
        except ChaosError as exc:
            raise MockUsageError(str(exc)) from None

    def _live(self) -> Live:
        controls = self.app.state.controls
        if controls is None or not controls.steers:
            raise MockUsageError("this mock has every control off", fix="start it with control on")
        live: Live = controls.live
        return live

    def _journal(self) -> Journal:
        controls = self.app.state.controls
        journal: Journal | None = controls.journal if controls is not None else None
        if journal is None:
            raise MockUsageError(
                "this mock keeps no journal", fix="start it with control on and journal_size > 0"
            )
        return journal


def _untaken(queued: dict[str, Any]) -> str:
    left = ", ".join(queued["answers"][queued["taken"] :])
    match = json.dumps(queued["match"], separators=(",", ":")) if queued["match"] else "any"
    taken = f"{queued['taken']} of {len(queued['answers'])} were"
    return f"sequence {queued['id']} (match {match}): {left} never taken ({taken})"


def _match(
    method: str | None,
    path: str | None,
    workspace_id: str | None,
    predicate: Predicate | None,
    fields: dict[str, Any],
) -> RequestMatch:
    return RequestMatch(
        method and method.upper(), path, workspace_id, (*fields.items(),), predicate
    )
