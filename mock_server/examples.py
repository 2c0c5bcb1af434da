"""A JSON example for a documented response: the document's own, else one built from its schema.

Built once at start-up and always the same, so a client never sees random junk.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from honcho_spec import SpecDocument

__all__ = ["example_for"]

_SCALARS: dict[str, Any] = {"string": "string", "integer": 0, "number": 0.0, "boolean": True}
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
    return _from_schema(media.get("schema") or {}, document, 0)


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
        return [_from_schema(schema.get("items") or {}, document, depth + 1)]
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties") or {}
        return {name: _from_schema(s, document, depth + 1) for name, s in properties.items()}
    if kind == "string" and schema.get("format") in _FORMATTED:
        return _FORMATTED[schema["format"]]
    return _SCALARS.get(str(kind))
