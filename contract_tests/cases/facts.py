"""What the document says about the operation under test, read once through honcho_spec."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from honcho_spec import Operation, SpecDocument, load_document

from ..errors import SuiteError

__all__ = ["ContractFacts"]


@dataclass(frozen=True)
class ContractFacts:
    """The operation's shape: path, fields, enums, documented statuses, security."""

    operation: Operation
    body_schema: Mapping[str, Any]
    fields: tuple[str, ...]
    required: frozenset[str]
    field_schemas: Mapping[str, Mapping[str, Any]]
    parameters: frozenset[tuple[str, str]]
    documented: frozenset[int]
    success: int
    uses_bearer: bool

    @classmethod
    def from_document(cls, document: SpecDocument) -> ContractFacts:
        """Facts of the operation under test: the one with the embedded document's path and
        method when the document has it (a whole Honcho document, say), else its first
        operation with a JSON body."""
        with_body = [
            op for op in document.operations if op.request_body and op.request_body.json_schema
        ]
        wanted = {(op.method, op.path) for op in _embedded().operations}
        operation = next((op for op in with_body if (op.method, op.path) in wanted), None)
        operation = operation or next(iter(with_body), None)
        if operation is None or operation.request_body is None:
            raise SuiteError(
                "the document has no operation with a JSON body", where=document.source
            )
        body = document.resolve(operation.request_body.json_schema)
        properties = body.get("properties") or {}
        documented = frozenset(int(code) for code in operation.responses if code.isdigit())
        successes = sorted(code for code in documented if 200 <= code < 300)
        schemes = document.security_schemes
        return cls(
            operation=operation,
            body_schema=body,
            fields=tuple(properties),
            required=frozenset(body.get("required") or ()),
            field_schemas={name: document.resolve(s) for name, s in properties.items()},
            parameters=frozenset((p.location, p.name) for p in operation.parameters),
            documented=documented,
            success=successes[0] if successes else 200,
            uses_bearer=any(
                str(schemes.get(name, {}).get("scheme", "")).lower() == "bearer"
                for name in operation.security_schemes
            ),
        )

    def path_for(self, **values: str) -> str:
        path = self.operation.path
        for name, value in values.items():
            path = path.replace("{" + name + "}", value)
        return path

    @property
    def path_parameters(self) -> tuple[str, ...]:
        return tuple(name for location, name in sorted(self.parameters) if location == "path")

    def enum_values(self, name: str) -> tuple[Any, ...]:
        return tuple(self.field_schemas[name].get("enum") or ())

    def is_string_field(self, name: str) -> bool:
        schema = self.field_schemas[name]
        if schema.get("type") == "string" and "enum" not in schema:
            return True
        return any(member.get("type") == "string" for member in schema.get("anyOf") or ())

    def is_nullable(self, name: str) -> bool:
        schema = self.field_schemas[name]
        return any(member.get("type") == "null" for member in schema.get("anyOf") or ())


@functools.cache
def _embedded() -> SpecDocument:
    return load_document()
