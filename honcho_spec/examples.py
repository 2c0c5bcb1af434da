"""A JSON example for a documented response: the document's own, else one built from its schema.

Built once at start-up and always the same, so a client never sees random junk.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .document import SpecDocument

__all__ = ["example_for", "example_for_schema"]

_SCALARS: dict[str, Any] = {"boolean": True}
_FORMATTED = {
    "date-time": "1970-01-01T00:00:00Z",
    "date": "1970-01-01",
    "uuid": "00000000-0000-0000-0000-000000000000",
}
_MAX_DEPTH = 8


def example_for(media: Mapping[str, Any], document: SpecDocument) -> Any:
    """The example of a media-type object (``example``, first ``examples``, or the schema's)."""
    if "example" in media:
        return media["example"]
    examples = media.get("examples")
    if isinstance(examples, Mapping) and examples:
        first = document.resolve(next(iter(examples.values())))
        if isinstance(first, Mapping) and "value" in first:
            return first["value"]
    return example_for_schema(media.get("schema") or {}, document)


def example_for_schema(schema: Any, document: SpecDocument) -> Any:
    """A value ``schema`` accepts: its example, default or first enum value, else built."""
    return _from_schema(schema, document, 0)


def _from_schema(schema: Any, document: SpecDocument, depth: int) -> Any:
    schema = document.resolve(schema)
    if not isinstance(schema, Mapping) or depth > _MAX_DEPTH:
        return None
    for key in ("example", "default", "const"):
        if key in schema:
            return schema[key]
    if schema.get("examples"):
        return schema["examples"][0]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("anyOf", "oneOf", "allOf"):
        if schema.get(key):
            non_null = [s for s in schema[key] if document.resolve(s).get("type") != "null"]
            return _from_schema((non_null or schema[key])[0], document, depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "array":
        count = max(1, int(schema.get("minItems", 1)))
        return [_from_schema(schema.get("items") or {}, document, depth + 1)] * count
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties") or {}
        return {name: _from_schema(s, document, depth + 1) for name, s in properties.items()}
    if kind == "string":
        if schema.get("format") in _FORMATTED:
            return _FORMATTED[schema["format"]]
        return _sized_string(schema)
    if kind in ("integer", "number"):
        return _bounded_number(schema, integer=kind == "integer")
    return _SCALARS.get(str(kind))


def _sized_string(schema: Mapping[str, Any]) -> str:
    text = "string"
    maximum = schema.get("maxLength")
    if isinstance(maximum, int):
        text = text[:maximum]
    minimum = schema.get("minLength")
    if isinstance(minimum, int) and len(text) < minimum:
        text += "s" * (minimum - len(text))
    return text


def _bounded_number(schema: Mapping[str, Any], *, integer: bool) -> int | float:
    # The value nearest zero that the bounds allow: 0, or just inside a bound.
    step = 1 if integer else 0.5
    value = 0.0
    low, high = _bound(schema, "minimum"), _bound(schema, "maximum")
    above, below = _bound(schema, "exclusiveMinimum"), _bound(schema, "exclusiveMaximum")
    if low is not None and value < low:
        value = low
    if above is not None and value <= above:
        value = above + step
    if high is not None and value > high:
        value = high
    if below is not None and value >= below:
        value = below - step
    return int(value) if integer else value


def _bound(schema: Mapping[str, Any], key: str) -> float | None:
    value = schema.get(key)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None
