"""Replay every golden case in fixtures/ against real uvicorn servers.

The mock must give every golden answer. The oracle (FastAPI declaring Honcho's route) must
give every golden answer that is not a defect case, so the goldens are the real framework's
answers and not the mock's opinion of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import httpx
import pytest

from honcho_spec import GoldenCase, load_golden_cases
from mock_server import BackgroundServer, MockSettings

from oracle import oracle_server

CASES = load_golden_cases()

ServerFor = Callable[[Mapping[str, Any]], str]


def _servers(oracle: bool) -> Iterator[ServerFor]:
    servers: dict[str, BackgroundServer] = {}

    def url(settings: Mapping[str, Any]) -> str:
        secret = settings.get("auth_jwt_secret")
        key = secret or ""
        if key not in servers:
            quiet = MockSettings(port=0, log_level="critical", auth_jwt_secret=secret)
            server = oracle_server(auth_jwt_secret=secret) if oracle else BackgroundServer(quiet)
            servers[key] = server.start()
        return servers[key].url

    yield url
    for server in servers.values():
        server.stop()


@pytest.fixture(scope="module")
def server_for() -> Iterator[ServerFor]:
    """A mock per distinct case settings, started on first use."""
    yield from _servers(oracle=False)


@pytest.fixture(scope="module")
def oracle_for() -> Iterator[ServerFor]:
    """The reference FastAPI app per distinct case settings."""
    yield from _servers(oracle=True)


def replay(base_url: str, case: GoldenCase) -> httpx.Response:
    with httpx.Client(base_url=base_url, timeout=10) as client:
        return client.request(
            case.method, case.path, headers=case.request_headers(), content=case.body
        )


def test_fixtures_cover_every_class_of_answer() -> None:
    statuses = {case.status for case in CASES}
    assert statuses >= {204, 307, 400, 401, 404, 405, 422}
    assert sum(case.is_defect for case in CASES) >= 8


def assert_golden(response: httpx.Response, case: GoldenCase) -> None:
    assert response.status_code == case.status, response.text
    assert response.headers.get("content-type") == case.content_type
    for name, value in case.expected_headers.items():
        assert response.headers.get(name) == value
    assert response.content == case.expected_body
    if case.status == 204:
        assert "content-length" not in response.headers


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
@pytest.mark.slow
def test_mock_answers_the_golden_response(case: GoldenCase, server_for: ServerFor) -> None:
    assert_golden(replay(server_for(case.settings), case), case)


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "[::1]"])
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
@pytest.mark.slow
def test_mock_answers_the_golden_response_through_every_allowed_host(
    case: GoldenCase, server_for: ServerFor, host: str
) -> None:
    url = server_for(case.settings)
    port = url.rsplit(":", 1)[1]
    headers = {"host": f"{host}:{port}", **case.request_headers()}  # a case's own Host wins
    with httpx.Client(base_url=url, timeout=10) as client:
        response = client.request(case.method, case.path, headers=headers, content=case.body)
    assert_golden(response, case)


KEPT = [case for case in CASES if not case.is_defect]


@pytest.mark.pinned_runtime
@pytest.mark.parametrize("case", KEPT, ids=[case.name for case in KEPT])
@pytest.mark.slow
def test_oracle_gives_the_golden_response(case: GoldenCase, oracle_for: ServerFor) -> None:
    assert_golden(replay(oracle_for(case.settings), case), case)
