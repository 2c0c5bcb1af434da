"""Responses as bytes: FastAPI's JSON rendering, prepared once where it can be.

FastAPI renders with ``json.dumps(ensure_ascii=False, allow_nan=False, separators=(",",
":"))``. Where that raises (a ``NaN`` or lone surrogate echoed in ``input``, nesting too
deep), the real server answers 500; the mock answers the same 422 with those values made
representable: non-finite numbers as ``null``, lone surrogates as ``\\u`` escapes, and
containers nested deeper than :data:`MAX_ECHO_DEPTH` as ``null``.
"""

from __future__ import annotations

import datetime
import enum
import json
import math
import uuid
from collections.abc import Callable
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import Any, NamedTuple

__all__ = [
    "MAX_ECHO_DEPTH",
    "Answer",
    "empty_answer",
    "json_answer",
    "json_text_answer",
    "render_json",
]

MAX_ECHO_DEPTH = 64
Headers = tuple[tuple[bytes, bytes], ...]


class Answer(NamedTuple):
    """A complete HTTP answer, ready to send (a tuple: cheap to build on the hot path)."""

    status: int
    headers: Headers
    body: bytes


def json_answer(status: int, content: Any) -> Answer:
    return json_text_answer(status, render_json(content))


def json_text_answer(status: int, body: bytes) -> Answer:
    """An answer whose JSON body is already written."""
    return Answer(
        status,
        ((b"content-length", b"%d" % len(body)), (b"content-type", b"application/json")),
        body,
    )


def empty_answer(status: int, *, content_type: bytes | None = b"application/json") -> Answer:
    """FastAPI's answer for a bodiless status: its content-type stays, no content-length."""
    headers: Headers = ((b"content-type", content_type),) if content_type else ()
    return Answer(status, headers, b"")


def render_json(content: Any) -> bytes:
    try:
        return _fastapi_json(content).encode("utf-8")
    except (ValueError, UnicodeEncodeError, RecursionError):
        return json.dumps(
            _representable(content, 0), ensure_ascii=True, separators=(",", ":"), default=_encode
        ).encode("ascii")


def _dumps(content: Any) -> str:
    return json.dumps(
        content, ensure_ascii=False, allow_nan=False, separators=(",", ":"), default=_encode
    )


def _fastapi_encoder() -> Callable[[Any], str]:
    """``_dumps``, with the C encoder ``json.dumps`` would build made once, not per call.

    Without cycle checks: rendered values come from parsed JSON and pydantic's errors,
    which have no cycles (nesting too deep is a RecursionError either way).
    """
    if c_make_encoder is None:  # no C speedups: json.dumps itself
        return _dumps
    encoder = c_make_encoder(None, _encode, encode_basestring, None, ":", ",", False, False, False)
    return lambda content: "".join(encoder(content, 0))


def _representable(value: Any, depth: int) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict | list | tuple):
        if depth >= MAX_ECHO_DEPTH:
            return None
        if isinstance(value, dict):
            return {str(k): _representable(v, depth + 1) for k, v in value.items()}
        return [_representable(v, depth + 1) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def _encode(value: Any) -> Any:
    # The types fastapi.encoders.jsonable_encoder meets in validation errors.
    if isinstance(value, bytes):
        return value.decode("utf-8")  # a UnicodeDecodeError is a ValueError: safe path
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, set | frozenset):
        return list(value)
    if isinstance(value, BaseException):
        return {}
    return str(value)


_fastapi_json = _fastapi_encoder()
