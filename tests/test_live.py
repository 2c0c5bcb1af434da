"""Latency and the fault rate changed at runtime, over ``/__mock__/chaos`` and from the
fixture, with no restart; each test's teardown restores the start-up settings."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from mock_server.controls.live import ChaosError, Live
from mock_server.pytest_plugin import _finish
from mock_server.testing import HonchoMock, MockUsageError

PATH = "/v2/workspaces/ws-1/trigger_dream"
VALID = {"observer": "alice", "dream_type": "agent"}
NONE = {"latency": None, "fault_rate": None}


@pytest.fixture(scope="module")
def faulty() -> Iterator[HonchoMock]:
    with HonchoMock.from_options(allow_faults=True, seed=7) as mock:
        yield mock


@pytest.fixture
def mock(faulty: HonchoMock) -> Iterator[HonchoMock]:
    faulty.reset()
    yield faulty
    faulty.finish()


def chaos(mock: HonchoMock, method: str = "GET", given: Any = None) -> httpx.Response:
    return httpx.request(method, f"{mock.url}/__mock__/chaos", json=given)


def statuses(mock: HonchoMock, count: int) -> list[int]:
    return [httpx.post(mock.url + PATH, json=VALID).status_code for _ in range(count)]


def test_latency_set_and_cleared_over_the_control_path(mock: HonchoMock) -> None:
    assert chaos(mock).json() == NONE
    assert chaos(mock, "PATCH", {"latency": "250ms"}).json() == {**NONE, "latency": "250ms"}
    started = time.monotonic()
    assert statuses(mock, 1) == [204]
    assert time.monotonic() - started >= 0.25
    assert mock.requests[0]["control"] == {"delay_ms": 250.0}
    assert chaos(mock, "PATCH", {"latency": None}).json() == NONE
    started = time.monotonic()
    assert statuses(mock, 1) == [204]
    assert time.monotonic() - started < 0.2
    assert mock.requests[1]["control"] is None


def test_fault_rate_set_then_restored(mock: HonchoMock) -> None:
    set_ = chaos(mock, "PATCH", {"fault_rate": "1:503"})
    assert set_.json() == {**NONE, "fault_rate": "1:503"}
    assert statuses(mock, 3) == [503, 503, 503]
    assert chaos(mock, "DELETE").json() == NONE  # the start-up settings
    assert statuses(mock, 2) == [204, 204]


def test_the_fault_rate_draws_from_the_seed_afresh(mock: HonchoMock) -> None:
    runs = []
    for _ in range(2):
        chaos(mock, "PATCH", {"fault_rate": "0.5:503"})
        runs.append(statuses(mock, 8))
    assert runs[0] == runs[1]
    assert set(runs[0]) == {204, 503}


def test_a_queued_answer_beats_the_fault_rate(mock: HonchoMock) -> None:
    mock.set_fault_rate("1:500")
    mock.queue("code=422")
    assert statuses(mock, 2) == [422, 500]


def test_the_fixture_sets_and_teardown_restores(honcho_mock_factory: Any) -> None:
    started = honcho_mock_factory(allow_faults=True, latency="20ms")
    assert started.set_fault_rate("1:429").as_json() == {"latency": "20ms", "fault_rate": "1:429"}
    assert started.set_latency(None).as_json() == {"latency": None, "fault_rate": "1:429"}
    assert statuses(started, 1) == [429]
    _finish(started)  # what the plugin does at teardown
    assert chaos(started).json() == {"latency": "20ms", "fault_rate": None}
    assert statuses(started, 1) == [204]


@pytest.mark.parametrize(
    ("given", "detail"),
    [
        pytest.param("[]", 'the body must be a JSON object such as {"latency": "50ms"}', id="list"),
        pytest.param(
            "{",
            "the body is not JSON (Expecting property name enclosed in double "
            "quotes: line 1 column 2 (char 1))",
            id="not-json",
        ),
        pytest.param(
            '{"delay": "5ms"}',
            "unknown key 'delay' (keys: latency, fault_rate; null clears one)",
            id="unknown-key",
        ),
        pytest.param(
            '{"latency": "fast"}',
            "latency: 'fast' is not a duration (write 50ms, 0.2s or 200)",
            id="bad-latency",
        ),
        pytest.param(
            '{"latency": 50}',
            'latency 50 is not a string such as "50ms" or "20ms-200ms"',
            id="latency-number",
        ),
        pytest.param(
            '{"fault_rate": "0.5"}',
            "fault_rate: '0.5' is not RATE:FAULT (write 0.05:500)",
            id="bad-rate",
        ),
    ],
)
def test_a_malformed_chaos_request_gets_one_400_line(
    mock: HonchoMock, given: str, detail: str
) -> None:
    response = httpx.patch(f"{mock.url}/__mock__/chaos", content=given)
    assert (response.status_code, response.json()) == (
        400,
        {"detail": f"PATCH /__mock__/chaos: {detail}"},
    )
    assert chaos(mock).json() == NONE


def test_a_fault_rate_needs_allow_faults(honcho_mock: HonchoMock) -> None:
    detail = "fault_rate 1:503 injects faults; start the mock with --allow-faults"
    response = chaos(honcho_mock, "PATCH", {"fault_rate": "1:503"})
    assert response.json() == {"detail": f"PATCH /__mock__/chaos: {detail}"}
    with pytest.raises(MockUsageError, match=re.escape(detail)):
        honcho_mock.set_fault_rate("1:503")
    assert honcho_mock.set_latency("1ms").as_json() == {"latency": "1ms", "fault_rate": None}


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_chaos_is_not_reachable_cross_origin(mock: HonchoMock, method: str) -> None:
    response = httpx.request(
        method,
        f"{mock.url}/__mock__/chaos",
        json={"latency": "1s"},
        headers={"origin": "http://localhost:5173"},
    )
    assert response.status_code == 403
    assert "cross-origin" in response.json()["detail"]
    assert chaos(mock).json() == NONE


def test_a_mock_with_every_control_off_says_so(honcho_mock_factory: Any) -> None:
    off = honcho_mock_factory(control=False, cors_origins="none")
    with pytest.raises(MockUsageError, match="every control off; start it with control on"):
        off.set_latency("5ms")
    assert httpx.get(f"{off.url}/__mock__/chaos").status_code == 404


def test_live_refuses_what_it_cannot_use() -> None:
    with pytest.raises(ChaosError, match=r"fault_rate 0\.1:reset injects faults"):
        Live().set_chaos(fault_rate="0.1:reset")
