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
from typing import Any

__all__ = ["BodyRejected", "parse_body"]

PARSE_ERROR_DETAIL = "There was an error parsing the body"
_CACHEABLE_LENGTH = 256


class BodyRejected(Exception):  # noqa: N818 - a verdict, not a fault of the mock
    """The body cannot be parsed: a 422 ``json_invalid`` item, or a 400 when ``error`` is None."""

    def __init__(self, position: int = 0, error: str | None = None) -> None:
        super().__init__(error or "body is not text")
        self.position = position
        self.error = error


def parse_body(body: bytes, content_type: str | None) -> Any:
    """The value to validate: ``None`` for no body, parsed JSON, or the raw bytes."""
    if not body:
        return None
    if content_type and not _is_json(content_type):
        return body
    try:
        return json.loads(body)
    except json.JSONDecodeError as exc:
        raise BodyRejected(position=exc.pos, error=exc.msg) from None
    except (ValueError, RecursionError):  # bytes that are not text, or nesting too deep
        raise BodyRejected() from None


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
