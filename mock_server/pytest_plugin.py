"""Pytest fixtures for client developers, registered as the ``pytest11`` entry point.

Installing the kit makes them available to any test suite::

    def test_dream(honcho_mock):
        client = Honcho(base_url=honcho_mock.url)
        client.workspaces.trigger_dream("ws-1", observer="alice", dream_type="agent")
        assert honcho_mock.dreams == [
            {"workspace_id": "ws-1", "observer": "alice", "observed": "alice",
             "dream_type": "agent"}
        ]

- ``honcho_mock``: a mock on the embedded document (auth off, every control on), started
  once per session on a free port; its journal is emptied before each test.
- ``honcho_mock_factory``: ``honcho_mock_factory(auth_jwt_secret="s", allow_faults=True,
  latency="50ms", ...)`` starts a mock with other settings, stopped after the test.

At each test's teardown, every mock it used drops its queued sequences, takes its start-up
latency and fault rate back, and checks the test's expectations (``mock.expect(...)``,
``mock.strict = True``): the test fails with what came, against what was expected.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # imported by the fixtures: a suite that uses none of them never pays for it
    from .testing import HonchoMock

__all__ = ["honcho_mock", "honcho_mock_factory"]


@pytest.fixture(scope="session")
def _honcho_mock_session() -> Iterator[HonchoMock]:
    from .testing import HonchoMock  # noqa: PLC0415

    with HonchoMock.from_options() as mock:
        yield mock


@pytest.fixture
def honcho_mock(_honcho_mock_session: HonchoMock) -> Iterator[HonchoMock]:
    """The session's mock, with an empty journal: ``.url``, ``.requests``, ``.dreams``."""
    _honcho_mock_session.reset()
    yield _honcho_mock_session
    _finish(_honcho_mock_session)


@pytest.fixture
def honcho_mock_factory() -> Iterator[Callable[..., HonchoMock]]:
    """Start mocks with other settings (as ``honcho-mock`` flags): auth, faults, latency."""
    from .testing import HonchoMock  # noqa: PLC0415

    started: list[HonchoMock] = []

    def start(**options: Any) -> HonchoMock:
        mock = HonchoMock.from_options(**options).start()
        started.append(mock)
        return mock

    yield start
    try:
        for mock in started:
            _finish(mock)
    finally:
        for mock in reversed(started):
            mock.stop()


def _finish(mock: HonchoMock) -> None:
    from .testing import ExpectationsUnmet  # noqa: PLC0415

    try:
        mock.finish()
    except ExpectationsUnmet as unmet:
        message = f"{mock.url}: {unmet}"
    else:
        return
    pytest.fail(message, pytrace=False)  # outside the except: no chained traceback shown
