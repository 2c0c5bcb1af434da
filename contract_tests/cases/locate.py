"""Where a generated request is hostile: the place a finding is filed under."""

from __future__ import annotations

import json
import math
import re
from typing import Any

__all__ = ["LONG_STRING", "locate", "place_of"]

LONG_STRING = 1_000
_NESTED = 32  # how deep a hostile value is looked for
_SURROGATE = re.compile("[\ud800-\udfff]")  # a scan in C: strings of 10 MiB come here


def locate(body: bytes | None) -> str:
    """``body.FIELD: KIND`` for the first hostile value in ``body``, else ``body``."""
    if not body:
        return "body: empty"
    try:
        # surrogates encoded in the bytes read as the code points they spell, as an escape
        # of one is read: the same lone surrogate to a server that reads them
        text = body.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        return "body: not UTF-8"
    try:
        value = json.loads(text)
    except RecursionError:
        return "body: deep nesting"
    except ValueError:
        return "body: malformed"
    if not isinstance(value, dict):
        return "body"
    for key, item in value.items():
        kind = _hostile(item)
        if kind:
            return f"body.{key}: {kind}"
    kind = _hostile(list(value))  # a key of the body itself
    return f"body: {kind} key" if kind else "body"


def _hostile(value: Any, depth: int = 0) -> str | None:
    """The kind of the first hostile value in ``value``, nested ones too (a NUL in a list
    in ``observer`` is ``body.observer: NUL``)."""
    if isinstance(value, dict | list) and depth < _NESTED:
        # an object's keys are strings too: a NUL in one is a NUL
        items = [*value.keys(), *value.values()] if isinstance(value, dict) else value
        return next((kind for item in items if (kind := _hostile(item, depth + 1))), None)
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else "Infinity"
    if not isinstance(value, str):
        return None
    if "\x00" in value:
        return "NUL"
    if _SURROGATE.search(value):
        return "lone surrogate"
    if len(value) >= LONG_STRING:
        return "long"
    return None


def place_of(location: str) -> str:
    """The place a location names, without the kind of input: ``body.observer: NUL`` ->
    ``body.observer``."""
    return location.split(":", 1)[0]
