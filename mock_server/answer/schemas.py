"""Compile JSON Schemas from the document into pydantic validators, once, at start-up.

FastAPI validates requests with pydantic; compiling the document's schemas back into
pydantic types lets pydantic-core itself report each error, so the mock's 422 items are
the ones the real server writes (``type``, ``loc``, ``msg``, ``input``, ``ctx``).
The mapping follows what FastAPI generates: a named ``enum`` schema becomes an ``Enum``,
an inline one a ``Literal``; ``anyOf`` with ``null`` becomes ``Optional``; an object with
``properties`` becomes a model whose fields carry the property names as aliases.
"""

from __future__ import annotations

import datetime
import enum
import uuid
from collections.abc import Mapping
from typing import Annotated, Any, Literal, Optional, Union

from pydantic import ConfigDict, Field, create_model

from honcho_spec import SpecDocument

__all__ = ["SchemaCompiler", "is_plain_string"]

_FORMATS: dict[str, Any] = {
    "date-time": datetime.datetime,
    "date": datetime.date,
    "time": datetime.time,
    "duration": datetime.timedelta,
    "uuid": uuid.UUID,
    "binary": bytes,
}
_NUMBER_CONSTRAINTS = {
    "minimum": "ge",
    "maximum": "le",
    "exclusiveMinimum": "gt",
    "exclusiveMaximum": "lt",
    "multipleOf": "multiple_of",
}
_ANNOTATION_KEYS = {
    "title",
    "description",
    "default",
    "examples",
    "example",
    "deprecated",
    "readOnly",
    "writeOnly",
}


def is_plain_string(schema: Mapping[str, Any]) -> bool:
    """A schema every string satisfies: validating a path segment against it is a no-op."""
    return schema.get("type") == "string" and set(schema) - _ANNOTATION_KEYS == {"type"}


class SchemaCompiler:
    """Turns the document's schemas into Python annotations pydantic can validate."""

    def __init__(self, document: SpecDocument) -> None:
        self._document = document
        self._named: dict[str, Any] = {}
        self._building: set[str] = set()

    @property
    def document(self) -> SpecDocument:
        return self._document

    def annotation(self, schema: Mapping[str, Any]) -> Any:
        """The annotation for ``schema``; ``$ref``s become named models and enums."""
        ref = schema.get("$ref")
        if isinstance(ref, str):
            return self._named_annotation(ref)
        return self._inline(schema, name=str(schema.get("title") or "Model"))

    def _named_annotation(self, ref: str) -> Any:
        if ref in self._named:
            return self._named[ref]
        if ref in self._building:  # a recursive schema: accept any value below the cycle
            return Any
        self._building.add(ref)
        target = self._document.resolve({"$ref": ref})
        name = str(target.get("title") or ref.rsplit("/", 1)[-1])
        if "enum" in target and target.get("type") != "object":
            result: Any = _named_enum(name, target["enum"])
        else:
            result = self._inline(target, name=name)
        self._building.discard(ref)
        self._named[ref] = result
        return result

    def _inline(self, schema: Mapping[str, Any], *, name: str) -> Any:
        if "$ref" in schema:
            return self._named_annotation(str(schema["$ref"]))
        for key in ("anyOf", "oneOf"):
            if key in schema:
                return self._union([self.annotation(s) for s in schema[key]])
        if "allOf" in schema and len(schema["allOf"]) == 1:
            return self.annotation(schema["allOf"][0])
        if "const" in schema:
            return Literal[schema["const"]]
        if "enum" in schema:
            return Literal[tuple(schema["enum"])]
        kind = schema.get("type")
        if isinstance(kind, list):
            return self._union([self._inline({**schema, "type": k}, name=name) for k in kind])
        annotation = self._typed(schema, kind, name)
        if schema.get("nullable") is True:
            return Optional[annotation]  # noqa: UP045 - built at run time from a value
        return annotation

    def _typed(self, schema: Mapping[str, Any], kind: Any, name: str) -> Any:
        if kind == "string":
            base = _FORMATS.get(str(schema.get("format")), str)
            return _constrained(
                base,
                schema,
                {"minLength": "min_length", "maxLength": "max_length", "pattern": "pattern"},
            )
        if kind in ("integer", "number"):
            return _constrained(int if kind == "integer" else float, schema, _NUMBER_CONSTRAINTS)
        if kind == "boolean":
            return bool
        if kind == "null":
            return None
        if kind == "array":
            items = self.annotation(schema.get("items") or {})
            container = _generic(set if schema.get("uniqueItems") else list, items)
            return _constrained(
                container, schema, {"minItems": "min_length", "maxItems": "max_length"}
            )
        if kind == "object" or "properties" in schema:
            return self._object(schema, name)
        return Any

    def _object(self, schema: Mapping[str, Any], name: str) -> Any:
        properties: Mapping[str, Any] = schema.get("properties") or {}
        extra = schema.get("additionalProperties", True)
        if not properties:
            values: Any = self.annotation(extra) if isinstance(extra, Mapping) else Any
            return _generic(dict, str, values)
        required = set(schema.get("required") or ())
        fields: dict[str, Any] = {}
        for index, (prop, prop_schema) in enumerate(properties.items()):
            annotation = self.annotation(prop_schema)
            if prop in required:
                fields[f"f{index}"] = (annotation, Field(alias=prop))
            else:
                default = self._document.resolve(prop_schema).get("default")
                fields[f"f{index}"] = (annotation, Field(default=default, alias=prop))
        config = ConfigDict(extra="forbid" if extra is False else "ignore")
        model: Any = create_model(_identifier(name), __config__=config, **fields)
        return model

    @staticmethod
    def _union(members: list[Any]) -> Any:
        nullable = any(m is None for m in members)
        rest = tuple(m for m in members if m is not None)
        if not rest:
            return None
        core = rest[0] if len(rest) == 1 else Union[rest]  # noqa: UP007 - built at run time
        return Optional[core] if nullable else core  # noqa: UP045


def _generic(origin: Any, *args: Any) -> Any:
    return origin[args if len(args) > 1 else args[0]]


def _named_enum(name: str, values: list[Any]) -> Any:
    members = {f"m{i}": value for i, value in enumerate(values)}
    if all(isinstance(v, str) for v in values):
        return enum.Enum(_identifier(name), members, type=str)
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return enum.Enum(_identifier(name), members, type=int)
    return enum.Enum(_identifier(name), members)


def _constrained(base: Any, schema: Mapping[str, Any], keys: Mapping[str, str]) -> Any:
    # OpenAPI 3.0 writes exclusive bounds as booleans; only numeric bounds constrain here.
    constraints = {
        arg: schema[key]
        for key, arg in keys.items()
        if key in schema and not isinstance(schema[key], bool)
    }
    return Annotated[base, Field(**constraints)] if constraints else base


def _identifier(name: str) -> str:
    cleaned = "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in name)
    return cleaned if cleaned and not cleaned[0].isdigit() else f"M_{cleaned}"
