"""Load an OpenAPI 3.x document once and normalise its operations.

Everything above this layer reads operations, parameters, schemas and responses from the
:class:`SpecDocument` built here, never from Python that restates them.

>>> doc = load_document()
>>> [op.operation_id for op in doc.operations]
['trigger_dream_v2_workspaces__workspace_id__trigger_dream_post']
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import SpecError
from .resources import default_document_path

__all__ = [
    "HTTP_METHODS",
    "Operation",
    "Parameter",
    "RequestBody",
    "ResponseSpec",
    "SpecDocument",
    "load_document",
    "parse_document",
]

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_PARAMETER_LOCATIONS = ("path", "query", "header", "cookie")

Schema = Mapping[str, Any]


@dataclass(frozen=True)
class Parameter:
    name: str
    location: str
    required: bool
    schema: Schema


@dataclass(frozen=True)
class RequestBody:
    required: bool
    content: Mapping[str, Schema]

    @property
    def json_schema(self) -> Schema | None:
        """The schema of the JSON media type, if the body is JSON."""
        for media_type, schema in self.content.items():
            if media_type == "application/json" or media_type.endswith("+json"):
                return schema
        return None


@dataclass(frozen=True)
class ResponseSpec:
    status: str
    description: str
    content: Mapping[str, Mapping[str, Any]]

    @property
    def is_empty(self) -> bool:
        return not self.content


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    operation_id: str
    parameters: tuple[Parameter, ...]
    request_body: RequestBody | None
    responses: Mapping[str, ResponseSpec]
    security_schemes: tuple[str, ...]

    @property
    def success(self) -> ResponseSpec | None:
        """The lowest declared 2xx response."""
        codes = sorted(code for code in self.responses if code.startswith("2") and code.isdigit())
        return self.responses[codes[0]] if codes else None

    def parameters_in(self, location: str) -> tuple[Parameter, ...]:
        return tuple(p for p in self.parameters if p.location == location)


@dataclass(frozen=True)
class SpecDocument:
    """A parsed document: the raw tree, where it came from, and its operations in order."""

    raw: Mapping[str, Any]
    source: str
    operations: tuple[Operation, ...] = field(default=())

    @property
    def security_schemes(self) -> Mapping[str, Mapping[str, Any]]:
        components = self.raw.get("components") or {}
        schemes = components.get("securitySchemes") or {}
        return {name: self.resolve(s) for name, s in schemes.items()}

    def resolve(self, node: Any) -> Any:
        """Follow ``$ref`` chains until ``node`` is not a reference."""
        return _resolve(self.raw, node, self.source)

    def operation(self, operation_id: str) -> Operation:
        for op in self.operations:
            if op.operation_id == operation_id:
                return op
        raise SpecError(f"no operation {operation_id!r}", where=self.source)


def load_document(path: str | Path | None = None) -> SpecDocument:
    """Read and normalise the document at ``path`` (the embedded one when ``None``)."""
    file = Path(path) if path is not None else default_document_path()
    where = str(file)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError(
            "no such file", where=where, fix="pass the path of an OpenAPI 3.x document"
        ) from None
    except IsADirectoryError:
        raise SpecError(
            "is a directory", where=where, fix="pass the path of an OpenAPI 3.x document"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"cannot read the document ({exc})", where=where) from None
    return parse_document(text, source=where)


def parse_document(text: str, *, source: str = "<document>") -> SpecDocument:
    """Parse YAML or JSON text into a :class:`SpecDocument`."""
    try:
        raw = json.loads(text) if text.lstrip().startswith("{") else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SpecError(
            f"not valid YAML or JSON ({first_line})",
            where=source,
            fix="check the file is an OpenAPI document",
        ) from None
    if not isinstance(raw, dict):
        raise SpecError("the document is not a mapping", where=source, fix="expected OpenAPI 3.x")
    version = str(raw.get("openapi", ""))
    if not version.startswith("3."):
        raise SpecError(
            f"unsupported 'openapi' version {version or '(missing)'!r}",
            where=source,
            fix="the kit serves OpenAPI 3.0 and 3.1 documents",
        )
    paths = raw.get("paths")
    if not isinstance(paths, dict) or not paths:
        raise SpecError("the document declares no paths", where=source)
    skeleton = SpecDocument(raw=raw, source=source)
    operations = tuple(_operations(skeleton, paths))
    if not operations:
        raise SpecError("the document declares no operations", where=source)
    return SpecDocument(raw=raw, source=source, operations=operations)


def _operations(doc: SpecDocument, paths: Mapping[str, Any]) -> list[Operation]:
    result = []
    default_security = doc.raw.get("security") or []
    for path, node in paths.items():
        item = doc.resolve(node)
        if not isinstance(item, dict):
            raise SpecError("path item is not a mapping", where=f"{doc.source}#/paths/{path}")
        shared = item.get("parameters") or []
        for method in HTTP_METHODS:
            raw_op = item.get(method)
            if raw_op is None:
                continue
            where = f"{doc.source}#/paths/{path}/{method}"
            if not isinstance(raw_op, dict):
                raise SpecError("operation is not a mapping", where=where)
            security = raw_op.get("security", default_security) or []
            result.append(
                Operation(
                    method=method.upper(),
                    path=path,
                    operation_id=str(raw_op.get("operationId") or f"{method}_{path}"),
                    parameters=_parameters(
                        doc, [*shared, *(raw_op.get("parameters") or [])], where
                    ),
                    request_body=_request_body(doc, raw_op.get("requestBody")),
                    responses=_responses(doc, raw_op.get("responses") or {}),
                    security_schemes=tuple(name for req in security for name in req),
                )
            )
    return result


def _parameters(doc: SpecDocument, raw: list[Any], where: str) -> tuple[Parameter, ...]:
    merged: dict[tuple[str, str], Parameter] = {}
    for node in raw:
        param = doc.resolve(node)
        location = param.get("in")
        if location not in _PARAMETER_LOCATIONS or "name" not in param:
            raise SpecError(f"parameter {param!r} has no valid 'name' and 'in'", where=where)
        merged[(param["name"], location)] = Parameter(
            name=param["name"],
            location=location,
            required=bool(param.get("required", location == "path")),
            schema=param.get("schema") or {},
        )
    return tuple(merged.values())


def _request_body(doc: SpecDocument, raw: Any) -> RequestBody | None:
    if raw is None:
        return None
    body = doc.resolve(raw)
    content = {
        media_type.lower(): (doc.resolve(media) or {}).get("schema") or {}
        for media_type, media in (body.get("content") or {}).items()
    }
    return RequestBody(required=bool(body.get("required", False)), content=content)


def _responses(doc: SpecDocument, raw: Mapping[str, Any]) -> dict[str, ResponseSpec]:
    responses = {}
    for status, node in raw.items():
        response = doc.resolve(node)
        content = {
            media_type.lower(): doc.resolve(media) or {}
            for media_type, media in (response.get("content") or {}).items()
        }
        responses[str(status)] = ResponseSpec(
            status=str(status), description=str(response.get("description", "")), content=content
        )
    return responses


def _resolve(root: Mapping[str, Any], node: Any, source: str) -> Any:
    seen: set[str] = set()
    while isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
        ref = node["$ref"]
        if ref in seen:
            raise SpecError(f"circular $ref {ref!r}", where=source)
        seen.add(ref)
        if not ref.startswith("#/"):
            raise SpecError(
                f"external $ref {ref!r} is not supported", where=source, fix="bundle the document"
            )
        target: Any = root
        for raw_token in ref[2:].split("/"):
            token = raw_token.replace("~1", "/").replace("~0", "~")
            if not isinstance(target, Mapping) or token not in target:
                raise SpecError(f"$ref {ref!r} points nowhere", where=source)
            target = target[token]
        node = target
    return node
