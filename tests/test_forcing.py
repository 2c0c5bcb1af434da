"""Forced answers: a real 422 from the operation's validators, documented answers, faults."""

from __future__ import annotations

import json

import pytest

from honcho_spec import SpecDocument, load_document, parse_document
from mock_server import Incoming, compile_handlers
from mock_server.controls.forcing import Forcing, status_answer

from conftest import ENUM_ERROR

DOCUMENT = load_document()
(HANDLER,) = compile_handlers(DOCUMENT)
FORCING = Forcing(HANDLER, DOCUMENT)
JSON = "application/json"


def incoming(body: bytes, content_type: str | None = JSON) -> Incoming:
    return Incoming({"workspace_id": "ws-1"}, content_type, None, body)


def forced(code: int, request: Incoming) -> tuple[int, object]:
    natural, _ = HANDLER.decide(request)
    answer = FORCING.answer(code, request, natural)
    assert answer is not None
    return answer.status, json.loads(answer.body) if answer.body else None


def missing(loc: list[object], value: object) -> dict[str, object]:
    return {"type": "missing", "loc": loc, "msg": "Field required", "input": value}


@pytest.mark.parametrize(
    ("request_", "detail"),
    [
        pytest.param(
            incoming(b'{"observer": "alice", "dream_type": "agent"}'),
            [missing(["body", "observer"], {"dream_type": "agent"})],
            id="valid-body-loses-its-first-key",
        ),
        pytest.param(
            incoming(b'{"extra": 1, "observer": "a", "dream_type": "agent"}'),
            [missing(["body", "observer"], {"extra": 1, "dream_type": "agent"})],
            id="dropping-an-extra-key-is-still-valid",
        ),
        pytest.param(
            incoming(b'{"observer": "alice", "dream_type": "sleep"}'),
            [ENUM_ERROR],
            id="invalid-body-keeps-its-own-errors",
        ),
        pytest.param(
            incoming(b'{"observer": "alice",'),
            [
                {
                    "type": "json_invalid",
                    "loc": ["body", 21],
                    "msg": "JSON decode error",
                    "input": {},
                    "ctx": {"error": "Expecting property name enclosed in double quotes"},
                }
            ],
            id="malformed-json-keeps-its-error",
        ),
        pytest.param(incoming(b"\xff\xfe\xfd"), [missing(["body"], None)], id="bytes-not-text"),
    ],
)
def test_forced_422_is_a_real_validation_error(request_: Incoming, detail: object) -> None:
    assert forced(422, request_) == (422, {"detail": detail})


def test_forced_success_on_an_invalid_body() -> None:
    assert forced(204, incoming(b"{}")) == (204, None)


@pytest.mark.parametrize(
    ("code", "detail"),
    [
        pytest.param(500, "Internal Server Error", id="500"),
        pytest.param(503, "Service Unavailable", id="503"),
        pytest.param(418, "I'm a Teapot", id="418"),
        pytest.param(599, "Error", id="no-reason-phrase"),
    ],
)
def test_undocumented_codes_answer_fastapis_body(code: int, detail: str) -> None:
    status, body = forced(code, incoming(b"{}"))
    assert (status, body) == (code, {"detail": detail})


OTHER = parse_document(
    json.dumps(
        {
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1"},
            "paths": {
                "/ping": {
                    "get": {
                        "responses": {
                            "200": {"description": "ok"},
                            "404": {
                                "description": "gone",
                                "content": {JSON: {"example": {"detail": "No such ping"}}},
                            },
                            "5XX": {"description": "down"},
                        }
                    }
                }
            },
        }
    )
)


def other_forcing(document: SpecDocument = OTHER) -> tuple[Forcing, Incoming]:
    (handler,) = compile_handlers(document)
    return Forcing(handler, document), Incoming({}, None, None, b"")


def test_documented_status_answers_the_documents_example() -> None:
    forcing, request = other_forcing()
    answer = forcing.answer(404, request, status_answer(200))
    assert answer is not None
    assert (answer.status, answer.body) == (404, b'{"detail":"No such ping"}')


def test_documented_range_answers_the_status_asked_for() -> None:
    forcing, request = other_forcing()
    answer = forcing.answer(503, request, status_answer(200))
    assert answer is not None
    assert (answer.status, answer.body) == (503, b"")


def test_no_422_when_every_request_is_valid() -> None:
    forcing, request = other_forcing()
    assert forcing.answer(422, request, status_answer(200)) is None
