"""Steering over real HTTP: ``Prefer`` codes and delays, faults, latency, fault rates."""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx
import pytest

from honcho_spec import load_golden_cases
from mock_server import BackgroundServer, MockSettings
from mock_server.controls.chaos import Chaos, parse_fault_rate
from mock_server.testing import HonchoMock

PATH = "/v2/workspaces/ws-1/trigger_dream"
VALID = {"observer": "alice", "dream_type": "agent"}
FORCED_422 = (
    b'{"detail":[{"type":"missing","loc":["body","observer"],"msg":"Field required",'
    b'"input":{"dream_type":"agent"}}]}'
)


def post(mock: HonchoMock, prefer: str | None, body: Any = VALID, **kw: Any) -> httpx.Response:
    headers = {"prefer": prefer} if prefer is not None else {}
    return httpx.post(mock.url + PATH, json=body, headers=headers, **kw)


@pytest.mark.parametrize(
    ("prefer", "body", "answer", "dreams"),
    [
        pytest.param("code=422", VALID, (422, FORCED_422), 0, id="422-on-a-valid-body"),
        pytest.param(
            "code=422",
            {"observer": 1, "dream_type": "agent"},
            (
                422,
                b'{"detail":[{"type":"string_type","loc":["body","observer"],'
                b'"msg":"Input should be a valid string","input":1}]}',
            ),
            0,
            id="422-on-an-invalid-body-is-its-own",
        ),
        pytest.param("code=204", {}, (204, b""), 0, id="204-on-an-invalid-body"),
        pytest.param("code=204", VALID, (204, b""), 1, id="204-on-a-valid-body"),
        pytest.param("return=minimal", VALID, (204, b""), 1, id="other-preferences-ignored"),
        pytest.param(
            "code=500",
            VALID,
            (
                400,
                b'{"detail":"Prefer: code=500 is not a documented response of POST '
                b"/v2/workspaces/{workspace_id}/trigger_dream (documented: 204, 422); "
                b'ask for one of those, or start the mock with --allow-faults"}',
            ),
            0,
            id="undocumented-code-refused",
        ),
        pytest.param(
            "fault=503",
            VALID,
            (
                400,
                b'{"detail":"Prefer: fault=503 injects a fault; start the mock with '
                b'--allow-faults to allow it"}',
            ),
            0,
            id="fault-refused",
        ),
    ],
)
def test_prefer(
    honcho_mock: HonchoMock, prefer: str, body: Any, answer: tuple[int, bytes], dreams: int
) -> None:
    response = post(honcho_mock, prefer, body)
    assert (response.status_code, response.content) == answer
    assert response.headers["content-type"] == "application/json"
    (entry,) = honcho_mock.requests
    assert entry["status"] == answer[0]
    assert len(honcho_mock.dreams) == dreams


@pytest.mark.parametrize(
    ("prefer", "status", "content"),
    [
        pytest.param("code=500", 500, b'{"detail":"Internal Server Error"}', id="code-500"),
        pytest.param("fault=500", 500, b'{"detail":"Internal Server Error"}', id="fault-500"),
        pytest.param("fault=503", 503, b'{"detail":"Service Unavailable"}', id="fault-503"),
        pytest.param("fault=429", 429, b'{"detail":"Too Many Requests"}', id="fault-429"),
    ],
)
def test_allowed_faults_answer(
    honcho_mock_factory: Any, prefer: str, status: int, content: bytes
) -> None:
    mock = honcho_mock_factory(allow_faults=True)
    response = post(mock, prefer)
    assert (response.status_code, response.content) == (status, content)
    assert mock.dreams == []
    assert mock.requests[0]["detail"] == content[11:-2].decode()


def test_reset_resets_the_connection(honcho_mock_factory: Any) -> None:
    mock = honcho_mock_factory(allow_faults=True)
    with pytest.raises(httpx.TransportError) as raised:
        post(mock, "fault=reset")
    assert "reset" in repr(raised.value.__context__ or raised.value).lower()
    (entry,) = mock.requests
    assert (entry["status"], entry["control"]) == (None, {"fault": "reset"})
    assert post(mock, None).status_code == 204  # the mock serves on


@pytest.mark.slow
def test_timeout_answers_nothing_until_the_client_gives_up(honcho_mock_factory: Any) -> None:
    mock = honcho_mock_factory(allow_faults=True)
    started = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        post(mock, "fault=timeout", timeout=0.3)
    assert time.monotonic() - started >= 0.3
    (entry,) = mock.requests
    assert (entry["status"], entry["control"]) == (None, {"fault": "timeout"})


@pytest.mark.parametrize(
    ("options", "prefer", "low", "high"),
    [
        pytest.param({}, "delay=150", 0.15, 1.0, id="prefer-delay"),
        pytest.param({"latency": "100ms"}, None, 0.1, 1.0, id="fixed-latency"),
        pytest.param({"latency": "100ms"}, "delay=0", 0.0, 0.09, id="prefer-beats-latency"),
        pytest.param({"latency": "40ms-80ms"}, None, 0.04, 1.0, id="range"),
    ],
)
@pytest.mark.slow
def test_latency(
    honcho_mock_factory: Any, options: dict[str, str], prefer: str | None, low: float, high: float
) -> None:
    mock = honcho_mock_factory(**options)
    with httpx.Client() as client:
        client.get(f"{mock.url}/__mock__/dreams")  # connect first: time the answer only
        started = time.monotonic()
        headers = {"prefer": prefer} if prefer else {}
        response = client.post(mock.url + PATH, json=VALID, headers=headers)
        elapsed = time.monotonic() - started
    assert response.status_code == 204
    assert low <= elapsed <= high


def statuses(mock: HonchoMock, count: int) -> list[int | None]:
    seen: list[int | None] = []
    with httpx.Client() as client:
        for _ in range(count):
            try:
                seen.append(client.post(mock.url + PATH, json=VALID).status_code)
            except httpx.TransportError:
                seen.append(None)
    return seen


@pytest.mark.slow
def test_fault_rate_is_seeded(honcho_mock_factory: Any) -> None:
    options = {"allow_faults": True, "fault_rate": "0.3:503,0.1:reset", "seed": 42}
    first = statuses(honcho_mock_factory(**options), 40)
    again = statuses(honcho_mock_factory(**options), 40)
    other = statuses(honcho_mock_factory(**{**options, "seed": 7}), 40)
    chaos = Chaos(fault_rate=parse_fault_rate(options["fault_rate"]), seed=42)
    predicted = [{None: 204, "503": 503, "reset": None}[chaos.fault()] for _ in range(40)]
    assert first == again == predicted
    assert first != other
    assert {503, 204, None} <= set(first)


@pytest.mark.slow
def test_stopping_releases_held_requests() -> None:
    settings = MockSettings(port=0, log_level="critical", allow_faults=True)
    server = BackgroundServer(settings).start()
    outcomes: list[str] = []

    def hold(prefer: str) -> None:
        try:
            response = httpx.post(server.url + PATH, json=VALID, headers={"prefer": prefer})
            outcomes.append(str(response.status_code))
        except httpx.TransportError as exc:
            outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=hold, args=(p,)) for p in ("fault=timeout", "delay=60000")]
    for thread in threads:
        thread.start()
    time.sleep(0.3)
    started = time.monotonic()
    server.stop()
    for thread in threads:
        thread.join(timeout=10)
    assert time.monotonic() - started < 5
    assert sorted(outcomes) == ["204", "RemoteProtocolError"]


CASES = [case for case in load_golden_cases() if not case.settings]


@pytest.mark.slow
def test_without_prefer_the_controls_change_no_answer() -> None:
    quiet = {"port": 0, "log_level": "critical"}
    faithful = MockSettings(**quiet, control=False, cors_origins=())
    with (
        BackgroundServer(faithful) as plain,
        BackgroundServer(MockSettings(**quiet)) as controlled,
        httpx.Client() as client,
    ):
        for case in CASES:
            answers = [
                client.request(
                    case.method, url + case.path, headers=case.request_headers(), content=case.body
                )
                for url in (plain.url, controlled.url)
            ]
            first, second = (
                (a.status_code, a.headers.get("content-type"), a.content) for a in answers
            )
            assert first == second, case.name
