"""The answer to a forced status (``Prefer: code=N``, a fault): plain functions, no HTTP.

A forced 422 is a real validation error written by the operation's own validators: the
request's own errors when it has some, else those of the nearest invalid request (the
body without one of its keys, then no body, then a body of another type, then no query,
header or cookie parameters). A forced success is the operation's success answer; another
documented status answers the document's example for it. A status the document does not
declare (allowed with ``--allow-faults``) answers FastAPI's body for it,
``{"detail": "<reason phrase>"}``.

>>> status_answer(503).body
b'{"detail":"Service Unavailable"}'
"""

from __future__ import annotations

import http
from collections.abc import Iterator
from dataclasses import replace
from functools import lru_cache
from typing import Any

from honcho_spec import SpecDocument, example_for

from ..answer.body import BodyRejected, parse_body
from ..answer.handler import Incoming, OperationHandler
from ..answer.rendering import Answer, empty_answer, json_answer
from ..answer.validation import RequestParts

__all__ = ["Forcing", "status_answer"]

_BODILESS = frozenset({204, 205, 304})
_OTHER_TYPES: tuple[Any, ...] = ([], {}, "", 0)


@lru_cache(maxsize=64)
def status_answer(status: int) -> Answer:
    """FastAPI's answer to ``HTTPException(status)``: the reason phrase as ``detail``."""
    if status < 200 or status in _BODILESS:
        return empty_answer(status)
    try:
        phrase = http.HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    return json_answer(status, {"detail": phrase})


class Forcing:
    """Forced answers for one operation, each built once, on first use."""

    def __init__(self, handler: OperationHandler, document: SpecDocument) -> None:
        self._handler = handler
        self._document = document
        self._responses = {key.upper(): r for key, r in handler.operation.responses.items()}
        self._built: dict[int, Answer] = {}

    def answer(self, code: int, request: Incoming, natural: Answer) -> Answer | None:
        """The answer for ``code``; ``None`` when no request to this operation is a 422."""
        if code == 422:
            return natural if natural.status == 422 else self._invalid(request)
        answer = self._built.get(code)
        if answer is None:
            answer = self._built[code] = self._documented(code) or status_answer(code)
        return answer

    def _documented(self, code: int) -> Answer | None:
        success = self._handler.success
        if code == success.status:
            return success
        for key in (str(code), f"{code // 100}XX", "DEFAULT"):
            response = self._responses.get(key)
            if response is not None:
                break
        else:
            return None
        if response.is_empty or code < 200 or code in _BODILESS:
            return empty_answer(code)
        media = next(iter(response.content.values()))
        return json_answer(code, example_for(media, self._document))

    def _invalid(self, request: Incoming) -> Answer | None:
        validator = self._handler.validator
        body: Any = None
        if validator.has_body:
            try:
                body = parse_body(request.body, request.content_type)
            except BodyRejected:
                body = None
        parts = RequestParts(
            request.path_params, body, request.query, request.headers, request.cookies
        )
        for variant in _nearest_invalid(parts):
            errors, _ = validator.errors(variant)
            if errors:
                return json_answer(422, {"detail": errors})
        return None


def _nearest_invalid(parts: RequestParts) -> Iterator[RequestParts]:
    body = parts.body
    if isinstance(body, dict):
        for key in body:
            yield replace(parts, body={k: v for k, v in body.items() if k != key})
    yield replace(parts, body=None)
    for other in _OTHER_TYPES:
        if type(other) is not type(body):
            yield replace(parts, body=other)
    yield RequestParts(parts.path_params, parts.body)
