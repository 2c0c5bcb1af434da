"""Answers read as RFC 8259 JSON, whatever language the kit happens to be written in.

Python's ``json`` module reads more than RFC 8259 allows (``NaN``, ``Infinity``, UTF-16 and
UTF-32 bytes); a server's answer is JSON only if it is UTF-8 without a byte order mark, one
value with nothing but whitespace around it, and no non-finite literal.

>>> strict_json(b'{"detail": []}')
{'detail': []}
>>> strict_json(b'{"input": NaN}')
Traceback (most recent call last):
...
ValueError: NaN is not JSON (RFC 8259)
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["is_strict_json", "strict_json"]


def _refuse(literal: str) -> Any:
    raise ValueError(f"{literal} is not JSON (RFC 8259)")


def strict_json(body: bytes) -> Any:
    """The value of ``body``; ``ValueError`` when it is not RFC 8259 JSON."""
    text = body.decode("utf-8")  # UnicodeDecodeError is a ValueError
    if text.startswith("\ufeff"):
        raise ValueError("a byte order mark before JSON (RFC 8259, section 8.1)")
    try:
        return json.loads(text, parse_constant=_refuse)
    except RecursionError:
        raise ValueError("JSON nested too deep to read") from None


def is_strict_json(body: bytes | None) -> bool:
    """Whether ``body`` is one RFC 8259 JSON text.

    >>> is_strict_json(b'{"a": 1}'), is_strict_json(b'{"a": Infinity}'), is_strict_json(None)
    (True, False, False)
    """
    try:
        strict_json(body or b"")
    except ValueError:
        return False
    return True
