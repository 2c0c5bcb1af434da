"""Turn a request's bytes into the value FastAPI validates, or the answer it gives instead.

FastAPI parses the body as JSON when the content-type is missing, ``application/json`` or
``application/<anything>+json`` (any case, any parameters); any other body reaches
validation as raw bytes. ``json.loads`` on bytes detects UTF-8 (with or without a BOM),
UTF-16 and UTF-32, as the real server does.
"""

from __future__ import annotations

import email.message
import json
from functools import lru_cache
from typing import Any, NamedTuple

__all__ = ["BodyRejected", "Parsed", "parse", "parse_body"]

PARSE_ERROR_DETAIL = "There was an error parsing the body"
_CACHEABLE_LENGTH = 256
_OPEN, _CLOSE = b"{}"
_UNSURE = object()
_PLAIN_DEPTH = 200


class BodyRejected(Exception):  # noqa: N818 - a verdict, not a fault of the mock
    """The body cannot be parsed: a 422 ``json_invalid`` item, or a 400 when ``error`` is None."""

    def __init__(self, position: int = 0, error: str | None = None) -> None:
        super().__init__(error or "body is not text")
        self.position = position
        self.error = error


class Parsed(NamedTuple):
    """The value to validate, and whether it is *plain*: parsed from UTF-8 text of an
    object without NaN or Infinity, with floats only in plain decimals (0, or 1e-4 up to
    1e16) and at most 200 brackets, so that pydantic-core writes its values byte for byte
    as ``json.dumps`` does (outside plain decimals ``json.dumps`` writes ``1e+16`` where
    it writes ``1e16``; past 255 levels it cuts the nesting)."""

    value: Any
    plain: bool = False


def parse_body(body: bytes, content_type: str | None) -> Any:
    """The value to validate: ``None`` for no body, parsed JSON, or the raw bytes."""
    return parse(body, content_type).value


def parse(body: bytes, content_type: str | None) -> Parsed:
    """:func:`parse_body`, saying whether the value is plain."""
    if not body:
        return Parsed(None)
    if content_type and not _is_json(content_type):
        return Parsed(body)
    if body[0] == _OPEN and body[-1] == _CLOSE and body[1] and _shallow(body):
        value = _plain_object(body)
        if value is not _UNSURE:
            return Parsed(value, plain=True)
    try:
        return Parsed(json.loads(body))
    except json.JSONDecodeError as exc:
        raise BodyRejected(position=exc.pos, error=exc.msg) from None
    except (ValueError, RecursionError):  # bytes that are not text, or nesting too deep
        raise BodyRejected() from None


def _shallow(body: bytes) -> bool:
    # pydantic-core writes values nested deeper than 255 levels otherwise (it cuts them);
    # the brackets counted here bound the depth, strings included.
    return body.count(b"{") + body.count(b"[") <= _PLAIN_DEPTH


class _NotPlainError(Exception):
    pass


def _plain_float(text: str) -> float:
    value = float(text)  # what json.loads makes of it
    if value != 0 and not 1e-4 <= abs(value) < 1e16:
        raise _NotPlainError
    return value


def _not_plain(_constant: str) -> float:
    raise _NotPlainError


# json.loads's own scanner (the C one), refusing what is not plain.
_DECODER: Any = json.JSONDecoder(parse_float=_plain_float, parse_constant=_not_plain)
_scan_once = _DECODER.scan_once


def _plain_object(body: bytes) -> Any:
    """``json.loads(body)`` for a plain object in UTF-8 with nothing around it (no BOM, no
    NUL, no whitespace), minus its encoding detection and whitespace passes; ``_UNSURE``
    on any doubt, and json.loads itself has the last word."""
    try:
        text = body.decode("utf-8", "surrogatepass")
        value, end = _scan_once(text, 0)
    except Exception:
        return _UNSURE
    return value if end == len(text) else _UNSURE


def _is_json(content_type: str) -> bool:
    if len(content_type) <= _CACHEABLE_LENGTH:
        return _is_json_cached(content_type)
    return _is_json_uncached(content_type)


def _is_json_uncached(content_type: str) -> bool:
    # The same reading of the header as FastAPI's, quirks included.
    message = email.message.Message()
    message["content-type"] = content_type
    if message.get_content_maintype() != "application":
        return False
    subtype = message.get_content_subtype()
    return subtype == "json" or subtype.endswith("+json")


_is_json_cached = lru_cache(maxsize=128)(_is_json_uncached)
