"""The journal as plain data: recording, the cap, filters, JSON, dreams."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from pydantic import create_model

from honcho_spec import load_document
from mock_server import compile_handlers
from mock_server.answer.rendering import json_answer
from mock_server.controls.dreams import TRIGGER_DREAM, DreamReader, dream_json, dream_of
from mock_server.controls.journal import (
    BODY_LIMIT,
    EXTRAS,
    EntryFilter,
    Extras,
    FilterError,
    Journal,
    extras,
)
from mock_server.controls.steering import Plan

(HANDLER,) = compile_handlers(load_document())
READER = DreamReader(HANDLER)


def scope(path: str = "/p", *, more: Extras | None = None) -> dict[str, Any]:
    request: dict[str, Any] = {
        "method": "POST",
        "path": path,
        "query_string": b"a=1",
        "headers": [(b"content-type", b"application/json"), (b"x-twice", b"1"), (b"X-Twice", b"2")],
    }
    if more is not None:
        request[EXTRAS] = more
    return request


def test_cap_drops_the_oldest_first() -> None:
    journal = Journal(size=3)
    for index in range(5):
        journal.record(scope(f"/{index}"), float(index), 404)
    kept = journal.as_json(EntryFilter())
    assert [(e["id"], e["path"]) for e in kept] == [(3, "/2"), (4, "/3"), (5, "/4")]
    journal.clear()
    assert journal.as_json(EntryFilter()) == []
    journal.record(scope(), 9.0, 204)
    assert journal.as_json(EntryFilter())[0]["id"] == 6  # ids keep counting


def test_entry_json() -> None:
    answer = json_answer(422, {"detail": [{"type": "missing"}]}).body
    more = extras(READER, b'{"a": "\xc3\xa9"}', answer, Plan(code=422), None)
    journal = Journal(size=5)
    journal.record(scope(more=more), 0.5, 422)
    assert journal.as_json(EntryFilter()) == [
        {
            "id": 1,
            "method": "POST",
            "path": "/p",
            "status": 422,
            "errors": [{"type": "missing"}],
            "detail": None,
            "control": {"code": 422},
            "time": "1970-01-01T00:00:00.500000Z",
            "query": "a=1",
            "headers": {"content-type": "application/json", "x-twice": "1, 2"},
            "body": '{"a": "é"}',
            "operation": TRIGGER_DREAM,
        }
    ]


@pytest.mark.parametrize(
    ("status", "answer", "detail"),
    [
        pytest.param(401, b'{"detail":"Invalid JWT"}', "Invalid JWT", id="401"),
        pytest.param(204, b"", None, id="success"),
        pytest.param(None, b"", None, id="no-answer"),
        pytest.param(500, b"Internal Server Error", None, id="not-json"),
    ],
)
def test_entry_detail(status: int | None, answer: bytes, detail: str | None) -> None:
    journal = Journal(size=1)
    journal.record(scope(more=extras(READER, b"", answer, None, None)), 0.0, status)
    (entry,) = journal.as_json(EntryFilter())
    assert (entry["errors"], entry["detail"]) == ([], detail)


def test_body_kept_up_to_the_limit_with_its_dream() -> None:
    dream = ("w", "a", "a", "agent")
    kept = extras(READER, b"x" * (BODY_LIMIT + 10), b"", None, dream)
    assert (len(kept[1]), kept[4]) == (BODY_LIMIT, dream)
    assert extras(READER, b"{}", b"", None, dream)[4] is None  # read again when needed


NOON = datetime.datetime(2025, 1, 1, 12, tzinfo=datetime.UTC).timestamp()


@pytest.mark.parametrize(
    ("query", "kept"),
    [
        pytest.param([], [1, 2, 3, 4], id="all"),
        pytest.param([("status", "422")], [2], id="one-status"),
        pytest.param([("status", "204,404")], [1, 3], id="statuses"),
        pytest.param([("status", "4xx")], [2, 3], id="class"),
        pytest.param([("status", "4XX"), ("status", "2xx")], [1, 2, 3], id="repeated"),
        pytest.param([("since", str(NOON))], [3, 4], id="since-unix"),
        pytest.param([("since", "2025-01-01T12:00:00Z")], [3, 4], id="since-iso-z"),
        pytest.param([("since", "2025-01-01T13:00:00 01:00")], [3, 4], id="since-plus-as-space"),
        pytest.param([("since", "2025-01-01T12:00:00")], [3, 4], id="since-naive-is-utc"),
        pytest.param([("since", str(NOON)), ("status", "4xx")], [3], id="both"),
    ],
)
def test_filters(query: list[tuple[str, str]], kept: list[int]) -> None:
    journal = Journal(size=10)
    for status, at in ((204, NOON - 1), (422, NOON - 1), (404, NOON), (None, NOON + 1)):
        journal.record(scope(), at, status)
    assert [e["id"] for e in journal.as_json(EntryFilter.from_query(query))] == kept


@pytest.mark.parametrize(
    ("query", "message"),
    [
        pytest.param([("status", "abc")], "is not a status", id="status-word"),
        pytest.param([("status", "6xx")], "is not a status", id="status-class"),
        pytest.param([("since", "yesterday")], "is not a time", id="since-word"),
        pytest.param([("since", "inf")], "is not a time", id="since-infinite"),
        pytest.param([("limit", "3")], "unknown filter 'limit'", id="unknown"),
    ],
)
def test_filters_refuse(query: list[tuple[str, str]], message: str) -> None:
    with pytest.raises(FilterError, match=message):
        EntryFilter.from_query(query)


@pytest.mark.parametrize(
    ("body", "observed"),
    [
        pytest.param({"observer": "a", "dream_type": "agent"}, "a", id="absent"),
        pytest.param({"observer": "a", "observed": None, "dream_type": "agent"}, "a", id="null"),
        pytest.param({"observer": "a", "observed": "", "dream_type": "agent"}, "", id="empty"),
        pytest.param({"observer": "a", "observed": "b", "dream_type": "agent"}, "b", id="given"),
    ],
)
def test_dream_defaults_observed_to_observer(body: dict[str, Any], observed: str) -> None:
    model = create_model(
        "M", observer=(str, ...), observed=(str | None, None), dream_type=(str, ...)
    )
    dream = dream_of(TRIGGER_DREAM, {"workspace_id": "w"}, model(**body))
    assert dream is not None
    assert dream_json(dream) == {
        "workspace_id": "w",
        "observer": "a",
        "observed": observed,
        "dream_type": "agent",
    }


def test_no_dream_for_other_operations_or_values() -> None:
    assert dream_of("other", {}, None) is None
    assert dream_of(TRIGGER_DREAM, {}, {"observer": "a"}) is None


def test_no_dream_from_a_model_without_the_fields() -> None:
    other = create_model("Other", observer=(str, ...))
    assert dream_of(TRIGGER_DREAM, {}, other(observer="a")) is None


def test_dreams_are_read_again_from_the_kept_bodies() -> None:
    journal = Journal(size=5)
    sent = [
        ("w1", b'{"observer": "a", "dream_type": "agent"}', 204),
        ("w1", b'{"observer": "a", "dream_type": "sleep"}', 204),  # forced 204: no dream
        ("w1", b'{"observer": "a", "dream_type": "agent"}', 500),  # a fault: no dream
        ("w2", b'{"observer": "b", "observed": "c", "dream_type": "consolidate"}', 204),
    ]
    for index, (workspace, body, status) in enumerate(sent):
        request = scope(
            f"/v2/workspaces/{workspace}/trigger_dream", more=extras(READER, body, b"", None, None)
        )
        request["headers"] = [(b"content-type", b"application/json")]
        journal.record(request, float(index), status)
    assert [d["workspace_id"] for d in journal.dreams(EntryFilter())] == ["w1", "w2"]
    only = EntryFilter.from_query([("observed", "c")], fields=("observed",))
    assert journal.dreams(only) == [
        {"workspace_id": "w2", "observer": "b", "observed": "c", "dream_type": "consolidate"}
    ]
