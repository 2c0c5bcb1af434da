"""Sequences over real HTTP: queued through ``/__mock__/sequences`` and the fixture's
``queue``, matched, taken exactly once each under concurrency, shown in the journal.

One mock with faults allowed serves the module; each test leaves it as it found it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from mock_server.controls.matching import RequestMatch, RequestView
from mock_server.controls.sequences import Sequences
from mock_server.controls.steering import Steering
from mock_server.testing import HonchoMock, MockUsageError

PATH = "/v2/workspaces/ws-1/trigger_dream"
VALID = {"observer": "alice", "dream_type": "agent"}


@pytest.fixture(scope="module")
def faulty() -> Iterator[HonchoMock]:
    with HonchoMock.from_options(allow_faults=True) as mock:
        yield mock


@pytest.fixture
def mock(faulty: HonchoMock) -> Iterator[HonchoMock]:
    faulty.reset()
    yield faulty
    faulty.finish()


def post(mock: HonchoMock, body: Any = VALID, path: str = PATH, **options: Any) -> httpx.Response:
    return httpx.post(mock.url + path, json=body, **options)


def queue(mock: HonchoMock, given: Any) -> httpx.Response:
    return httpx.post(f"{mock.url}/__mock__/sequences", json=given)


def outcome(mock: HonchoMock, body: Any = VALID, path: str = PATH) -> int | str:
    try:
        return post(mock, body, path, timeout=0.5).status_code
    except httpx.ReadTimeout:
        return "timeout"
    except httpx.TransportError:  # a reset read as ReadError or RemoteProtocolError
        return "reset"


def test_a_sequence_answers_in_order_then_the_faithful_answer(mock: HonchoMock) -> None:
    made = queue(mock, {"answers": ["fault=503", "fault=reset", "code=422"]})
    assert made.status_code == 201
    assert made.json() == {
        "id": made.json()["id"],
        "match": {},
        "answers": ["fault=503", "fault=reset", "code=422"],
        "taken": 0,
        "remaining": 3,
    }
    assert [outcome(mock) for _ in range(4)] == [503, "reset", 422, 204]
    ident = made.json()["id"]
    assert [(e["status"], e["control"]) for e in mock.requests] == [
        (503, {"fault": "503", "queued": {"sequence": ident, "answer": 1, "of": 3}}),
        (None, {"fault": "reset", "queued": {"sequence": ident, "answer": 2, "of": 3}}),
        (422, {"code": 422, "queued": {"sequence": ident, "answer": 3, "of": 3}}),
        (204, None),
    ]
    assert mock.requests[2]["errors"][0]["type"] == "missing"  # written by the validators
    assert httpx.get(f"{mock.url}/__mock__/sequences").json() == []
    assert mock.dreams == [{"workspace_id": "ws-1", "observed": "alice", **VALID}]


@pytest.mark.parametrize(
    ("match", "taken_by"),
    [
        pytest.param({"workspace_id": "ws-2"}, "ws-2", id="workspace"),
        pytest.param({"path": "/v2/workspaces/ws-2/trigger_dream"}, "ws-2", id="path"),
        pytest.param(
            {"path": "/v2/workspaces/{workspace_id}/trigger_dream", "body": {"observer": "bob"}},
            "bob",
            id="template-and-body",
        ),
        pytest.param({"method": "post", "body": {"observer": "bob"}}, "bob", id="body-field"),
    ],
)
def test_a_sequence_answers_only_the_requests_it_matches(
    mock: HonchoMock, match: dict[str, Any], taken_by: str
) -> None:
    assert queue(mock, {"answers": ["code=422"], **match}).status_code == 201
    sent = {
        "ws-1": (VALID, PATH),
        "ws-2": (VALID, PATH.replace("ws-1", "ws-2")),
        "bob": ({**VALID, "observer": "bob"}, PATH),
    }
    others = [name for name in sent if name != taken_by]
    assert [outcome(mock, *sent[name]) for name in others] == [204, 204]
    assert outcome(mock, *sent[taken_by]) == 422
    assert outcome(mock, *sent[taken_by]) == 204


def test_delay_and_timeout_answers(mock: HonchoMock) -> None:
    mock.queue("delay=300", "fault=timeout")
    started = time.monotonic()
    assert outcome(mock) == 204
    assert time.monotonic() - started >= 0.3
    assert outcome(mock) == "timeout"
    assert [e["control"]["queued"]["answer"] for e in mock.requests] == [1, 2]


def test_listing_and_dropping_sequences(mock: HonchoMock) -> None:
    url = f"{mock.url}/__mock__/sequences"
    first, second = (queue(mock, {"answers": ["code=422"] * n}).json()["id"] for n in (1, 2))
    assert [s["id"] for s in httpx.get(url).json()] == [first, second]
    assert httpx.delete(url, params={"id": first}).status_code == 204
    assert [s["remaining"] for s in httpx.get(url).json()] == [2]
    missing = httpx.delete(url, params={"id": first})
    assert (missing.status_code, missing.json()) == (
        404,
        {"detail": f"no sequence {first} is queued (GET /__mock__/sequences)"},
    )
    bad = httpx.delete(url, params={"id": "one"})
    assert (bad.status_code, bad.json()) == (
        400,
        {"detail": "DELETE /__mock__/sequences: id='one' is not a sequence's number"},
    )
    assert httpx.delete(url).status_code == 204
    assert httpx.get(url).json() == mock.sequences == []


def test_the_fixture_queues_and_finish_drops(mock: HonchoMock) -> None:
    queued = mock.queue("fault=503", "fault=503", observer="alice")
    assert mock.sequences == [queued.as_json()]
    assert queued.as_json()["match"] == {"body": {"observer": "alice"}}
    assert [outcome(mock, {**VALID, "observer": "bob"}), outcome(mock)] == [204, 503]
    assert queued.remaining == 1
    mock.queue("code=422", predicate=lambda view: view.body.get("dream_type") == "consolidate")
    consolidate = {"observer": "bob", "dream_type": "consolidate"}  # alice's 503 is still queued
    assert outcome(mock, consolidate) == 422
    mock.finish()
    assert mock.sequences == []
    assert outcome(mock) == 204


@pytest.mark.parametrize(
    ("given", "detail"),
    [
        pytest.param(
            b"{",
            "the body is not JSON (Expecting property name enclosed in double "
            "quotes: line 1 column 2 (char 1))",
            id="not-json",
        ),
        pytest.param(b"", "the body is not JSON (it is empty)", id="empty"),
        pytest.param(
            b"[]",
            'the body must be a JSON object such as {"answers": ["fault=503"]}',
            id="not-an-object",
        ),
        pytest.param(
            b"{}",
            'answers must be a non-empty list such as ["fault=503", "code=204"]',
            id="no-answers",
        ),
        pytest.param(
            b'{"answers": []}',
            'answers must be a non-empty list such as ["fault=503", "code=204"]',
            id="empty-answers",
        ),
        pytest.param(
            b'{"answers": [503]}',
            'answers[0] is not a string such as "fault=503" or "code=204"',
            id="answer-not-a-string",
        ),
        pytest.param(
            b'{"answers": ["fault=504", "fault=lag"]}',
            "answers[1]: fault=lag: 'lag' "
            "is not a fault (use a status from 400 to 599, 'reset' or 'timeout')",
            id="bad-fault",
        ),
        pytest.param(
            b'{"answers": ["code=9"]}',
            "answers[0]: code=9 is not an HTTP status (100-599)",
            id="bad-code",
        ),
        pytest.param(
            b'{"answers": ["nothing"]}',
            "answers[0]: 'nothing' asks for nothing "
            "(write code=204, code=422, fault=503, fault=reset, fault=timeout or "
            "delay=200)",
            id="asks-nothing",
        ),
        pytest.param(
            b'{"answers": ["code=204"], "observer": "alice"}',
            "unknown key 'observer' (keys: answers, method, path, workspace_id, body)",
            id="unknown-key",
        ),
        pytest.param(
            b'{"answers": ["code=204"], "body": ["alice"]}',
            'body must be an object of fields, not ["alice"]',
            id="body-not-fields",
        ),
        pytest.param(
            b'{"answers": ["code=204"], "workspace_id": 1}',
            "workspace_id must be a string, not 1",
            id="workspace-not-a-string",
        ),
    ],
)
def test_a_malformed_sequence_gets_one_400_line(
    mock: HonchoMock, given: bytes, detail: str
) -> None:
    response = httpx.post(f"{mock.url}/__mock__/sequences", content=given)
    assert response.status_code == 400
    assert response.json() == {"detail": f"POST /__mock__/sequences: {detail}"}
    assert mock.sequences == []


@pytest.mark.parametrize(
    ("answer", "detail"),
    [
        pytest.param(
            "fault=503",
            "answers[0]: fault=503 injects a fault; start the mock with --allow-faults",
            id="fault",
        ),
        pytest.param(
            "code=503",
            "answers[0]: code=503 is not a documented response (ask for "
            "204 or 422), or start the mock with --allow-faults",
            id="undocumented",
        ),
    ],
)
def test_faults_need_allow_faults(honcho_mock: HonchoMock, answer: str, detail: str) -> None:
    response = queue(honcho_mock, {"answers": ["code=204", answer][1:]})
    assert response.json() == {"detail": f"POST /__mock__/sequences: {detail}"}
    with pytest.raises(MockUsageError, match=r"^queue: answers\[0\]"):
        honcho_mock.queue(answer)
    assert honcho_mock.queue("code=422", "code=204").remaining == 2  # documented: allowed


@pytest.mark.parametrize("path", ["/__mock__/sequences", "/__mock__/sequences?id=1"])
def test_sequences_are_not_reachable_cross_origin(mock: HonchoMock, path: str) -> None:
    for method in ("GET", "POST", "DELETE"):
        response = httpx.request(
            method,
            mock.url + path,
            json={"answers": ["code=422"]},
            headers={"origin": "https://evil.example"},
        )
        assert response.status_code == 403, method
        assert "access-control-allow-origin" not in response.headers
    assert mock.sequences == []


async def _many(url: str, count: int) -> list[int]:
    limits = httpx.Limits(max_connections=count)
    async with httpx.AsyncClient(limits=limits, timeout=10) as client:
        start = asyncio.Event()

        async def one() -> int:
            await start.wait()
            return (await client.post(url, json=VALID)).status_code

        tasks = [asyncio.ensure_future(one()) for _ in range(count)]
        await asyncio.sleep(0)
        start.set()
        return await asyncio.gather(*tasks)


@pytest.mark.parametrize("size", [1, 20, 63])
def test_concurrent_requests_take_each_answer_exactly_once(mock: HonchoMock, size: int) -> None:
    queued = mock.queue(*["fault=503"] * size)
    statuses = asyncio.run(_many(mock.url + PATH, 64))
    assert sorted(statuses) == [204] * (64 - size) + [503] * size
    assert (queued.taken, mock.sequences) == (size, [])
    answers = [e["control"]["queued"]["answer"] for e in mock.requests if e["control"]]
    assert sorted(answers) == list(range(1, size + 1))


def test_threads_take_each_answer_exactly_once() -> None:
    # The fixture's thread and the server's loop share the queue: it is locked, not just async.
    sequences = Sequences()
    sequences.add(RequestMatch(), ["code=422"] * 500, allow_faults=False)
    view = RequestView("POST", PATH, "ws-1", VALID)
    with concurrent.futures.ThreadPoolExecutor(64) as pool:
        plans = list(pool.map(lambda _: sequences.take(view), range(640)))
    taken = [plan.queued[1] for plan in plans if plan is not None and plan.queued is not None]
    assert sorted(taken) == list(range(1, 501))
    assert not sequences.queued


def test_with_nothing_set_a_request_looks_no_further(
    mock: HonchoMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    looked: list[str] = []
    monkeypatch.setattr(Sequences, "take", lambda _self, _view: looked.append("take"))
    monkeypatch.setattr(Steering, "plan", lambda _self, _prefer: looked.append("plan"))
    assert outcome(mock) == 204
    assert looked == []  # the hot path: one look at Live.busy
    mock.queue("code=422")
    assert outcome(mock) == 204  # what the patched take and plan leave: the faithful answer
    assert looked == ["take", "plan"]
