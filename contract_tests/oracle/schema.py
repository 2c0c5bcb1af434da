"""The document's schema of the request body, as JSON Schema validates it.

The schema is read from the document as it stands (its components with it, so every
``$ref`` resolves as the document means it): OpenAPI 3.1's schemas are JSON Schema 2020-12;
3.0's are draft 4's, with ``nullable``, which is written as the union it means.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import jsonschema_rs

from honcho_spec import SpecDocument

__all__ = ["BodySchema"]

_SURROGATE = re.compile("[\ud800-\udfff]")


class BodySchema:
    """Whether a value read from a body is what the document's schema describes.

    >>> from honcho_spec import SpecDocument
    >>> name = {"type": "string", "nullable": True}
    >>> document = SpecDocument({"openapi": "3.0.3", "components": {"schemas": {"Name": name}}}, "")
    >>> schema = BodySchema(document, {"type": "object", "required": ["name"], "properties": {
    ...     "name": {"$ref": "#/components/schemas/Name"}}})
    >>> schema.valid({"name": None}), schema.valid({"name": 1}), schema.valid({})
    (True, False, False)
    """

    def __init__(self, document: SpecDocument, schema: Mapping[str, Any]) -> None:
        version = str(document.raw.get("openapi", "3.1"))
        legacy = version.startswith("3.0")
        root: dict[str, Any] = dict(_written(document.resolve(schema), legacy))
        components = document.raw.get("components")
        if isinstance(components, Mapping):
            root["components"] = _written(components, legacy)
        draft = jsonschema_rs.Draft4Validator if legacy else jsonschema_rs.Draft202012Validator
        self._validator = draft(root)

    def valid(self, value: Any) -> bool:
        try:
            return bool(self._validator.is_valid(value))
        except UnicodeEncodeError:  # a surrogate, which the validator's strings cannot hold
            return bool(self._validator.is_valid(_without_surrogates(value)))

    def problem(self, value: Any) -> str:
        """What makes ``value`` invalid, in JSON Schema's words, at its place (``""`` if it
        is valid).

        >>> BodySchema(SpecDocument({}, ""), {"required": ["a"]}).problem({"b": 1})
        '"a" is a required property'
        """
        for error in self._validator.iter_errors(_without_surrogates(value)):
            where = "/".join(str(part) for part in error.instance_path)
            return f"{where}: {error.message}" if where else str(error.message)
        return ""


def _without_surrogates(value: Any) -> Any:
    """``value`` with each surrogate a U+FFFD: a string stays a string of the same length,
    and no string that holds one equals any the schema names."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_without_surrogates(k): _without_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_surrogates(item) for item in value]
    return value


def _written(node: Any, legacy: bool) -> Any:
    """``node`` with OpenAPI 3.0's ``nullable: true`` written as JSON Schema's union."""
    if isinstance(node, Mapping):
        written = {key: _written(item, legacy) for key, item in node.items()}
        if legacy and written.pop("nullable", False) is True:
            return {"anyOf": [written, {"type": "null"}]}
        return written
    if isinstance(node, list):
        return [_written(item, legacy) for item in node]
    return node
