"""A mock for a client's own tests: a real uvicorn server on a free port, in a thread.

Settings are given as ``honcho-mock`` flags are (``latency="50ms"``,
``fault_rate="0.1:503"``); the ``HONCHO_MOCK_*`` environment is not read, so a test
suite runs the same everywhere.

>>> with HonchoMock.from_options(auth_jwt_secret="s3cret") as mock:
...     mock.url.startswith("http://127.0.0.1:"), mock.requests, mock.token("ws-1").count(".")
(True, [], 2)
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

from honcho_spec import KitError, honcho_claims, mint_token

from .controls.journal import EntryFilter, Journal
from .edge.app import create_app
from .edge.server import BackgroundServer
from .settings import MockSettings, resolve_settings

__all__ = ["HonchoMock", "MockUsageError"]


class MockUsageError(KitError):
    """The mock was asked for something its settings turn off."""


class HonchoMock:
    """A running mock: its ``url``, its journal (``requests``, ``dreams``), its tokens."""

    def __init__(self, settings: MockSettings) -> None:
        self.settings = settings
        self.app = create_app(settings=settings)
        self._server = BackgroundServer(settings, app=self.app)
        self.url = ""

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

    def _journal(self) -> Journal:
        controls = self.app.state.controls
        journal: Journal | None = controls.journal if controls is not None else None
        if journal is None:
            raise MockUsageError(
                "this mock keeps no journal", fix="start it with control on and journal_size > 0"
            )
        return journal
