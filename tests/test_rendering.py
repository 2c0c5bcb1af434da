"""What the mock writes where FastAPI's rendering raises (the real server answers 500 there):
the same 422, with non-finite numbers as ``null``, lone surrogates escaped, and containers
nested deeper than 64 levels as ``null`` (docs/mock.md's table of the real server's defects).
"""

from __future__ import annotations

import datetime
import enum
import json
import uuid
from typing import Any

import pytest
from fastapi.encoders import jsonable_encoder

from mock_server.answer.rendering import render_json

from gallery import decided

PATH = "/v2/workspaces/ws-1/trigger_dream"
JSON = {"content-type": "application/json"}
# {"detail": [{"input": ...}]}: the echoed input starts at the fourth level of the answer.
ANSWER_LEVELS = 3
MAX_DEPTH = 64  # as documented


def answer_to(observer: str) -> tuple[int, bytes]:
    body = f'{{"observer":{observer},"dream_type":"consolidate"}}'.encode()
    status, _, answer = decided("POST", PATH, JSON, body)
    return status, answer


def depth(value: Any) -> int:
    """Containers nested in ``value``: 0 for a scalar."""
    if isinstance(value, dict):
        return 1 + max(map(depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(depth, value), default=0)
    return 0


def echoed(answer: bytes) -> Any:
    (item,) = json.loads(answer)["detail"]
    return item["input"]


@pytest.mark.parametrize(
    ("nesting", "inner", "levels"),
    [
        # Plain JSON echoes in full, as FastAPI writes it, however deep.
        pytest.param(100, "1", 100 + ANSWER_LEVELS, id="plain-100-deep-in-full"),
        pytest.param(400, '"x"', 400 + ANSWER_LEVELS, id="plain-400-deep-in-full"),
        # A non-finite number or a lone surrogate inside: cut at 64 levels of the answer.
        pytest.param(10, "NaN", 10 + ANSWER_LEVELS, id="nan-shallow-in-full"),
        pytest.param(MAX_DEPTH - ANSWER_LEVELS, "NaN", MAX_DEPTH, id="nan-at-the-limit"),
        pytest.param(MAX_DEPTH - ANSWER_LEVELS + 1, "NaN", MAX_DEPTH, id="nan-one-past"),
        pytest.param(100, "Infinity", MAX_DEPTH, id="infinity-100-deep"),
        pytest.param(100, '"\\ud800"', MAX_DEPTH, id="surrogate-100-deep"),
        pytest.param(100, '{"k":NaN}', MAX_DEPTH, id="object-100-deep"),
    ],
)
def test_echoed_nesting(nesting: int, inner: str, levels: int) -> None:
    status, answer = answer_to("[" * nesting + inner + "]" * nesting)
    assert status == 422
    assert depth(json.loads(answer)) == levels


@pytest.mark.parametrize(
    ("observer", "input_"),
    [
        pytest.param("[NaN]", [None], id="nan"),
        pytest.param("[-Infinity, 1.5]", [None, 1.5], id="infinity-beside-a-number"),
        pytest.param("[1e999]", [None], id="overflow"),
        pytest.param('["\\udfff"]', ["\udfff"], id="lone-surrogate"),
    ],
)
def test_unrepresentable_values(observer: str, input_: Any) -> None:
    status, answer = answer_to(observer)
    assert status == 422
    assert answer.isascii()  # escaped: lone surrogates cannot be written as UTF-8
    assert echoed(answer) == input_


def test_what_fits_is_fastapis_utf8() -> None:
    status, answer = answer_to('["é", 1.5]')
    assert status == 422
    assert echoed(answer) == ["é", 1.5]
    assert "é".encode() in answer  # not escaped when nothing forces the fallback


def test_a_bodiless_answer_keeps_fastapis_content_type() -> None:
    body = b'{"observer":"alice","dream_type":"consolidate"}'
    assert decided("POST", PATH, JSON, body) == (204, [("content-type", "application/json")], b"")


class Colour(enum.Enum):
    RED = "red"


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(b"bytes", id="bytes"),
        pytest.param(Colour.RED, id="enum"),
        pytest.param(datetime.date(2025, 1, 2), id="date"),
        pytest.param(datetime.time(3, 4, 5), id="time"),
        pytest.param(datetime.timedelta(seconds=90), id="timedelta"),
        pytest.param(uuid.UUID(int=7), id="uuid"),
        pytest.param(frozenset({"x"}), id="frozenset"),
        pytest.param(ValueError("no"), id="exception"),
    ],
)
def test_values_in_validation_errors_render_as_fastapi_encodes_them(value: Any) -> None:
    # The types pydantic's errors carry in ``input`` and ``ctx`` (other documents: dates,
    # UUIDs, enums), as jsonable_encoder writes them.
    expected = json.dumps(jsonable_encoder({"ctx": {"error": value}}), separators=(",", ":"))
    assert render_json({"ctx": {"error": value}}) == expected.encode()
