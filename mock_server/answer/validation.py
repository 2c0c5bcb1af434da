"""Validate a request's parameters and body as FastAPI does, with pydantic doing the work.

Errors come back as FastAPI's 422 items: pydantic's own dicts (without ``url``) whose
``loc`` starts with where the value came from (``body``, ``path``, ``query``, ``header``,
``cookie``), in FastAPI's order: path, query, header and cookie parameters, then the body.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol, cast

from pydantic import TypeAdapter, ValidationError, create_model
from pydantic_core import SchemaValidator

from honcho_spec import Operation, Parameter

from .schemas import SchemaCompiler, is_plain_string

__all__ = [
    "NO_VALUES",
    "ErrorItem",
    "MultiMapping",
    "OperationValidator",
    "RequestParts",
    "items_json",
]

ErrorItem = dict[str, Any]
_LOCATIONS = ("path", "query", "header", "cookie")


class MultiMapping(Protocol):
    """Query parameters or headers: case rules are the mapping's own."""

    def get(self, key: str, /) -> str | None: ...

    def getlist(self, key: str) -> list[str]: ...


class _NoValues:
    def get(self, key: str, /) -> str | None:
        return None

    def getlist(self, key: str) -> list[str]:
        return []


NO_VALUES: MultiMapping = _NoValues()


@dataclass(frozen=True, slots=True)
class RequestParts:
    """What validation reads of a request; ``body`` is ``None`` when absent or empty."""

    path_params: Mapping[str, str]
    body: Any = None
    query: MultiMapping = NO_VALUES
    headers: MultiMapping = NO_VALUES
    cookies: Mapping[str, str] | None = None


@dataclass(frozen=True, slots=True)
class _ParamCheck:
    location: str
    name: str
    is_list: bool
    required: bool
    adapter: TypeAdapter[Any] | None  # None: every value is valid (a plain string)


class OperationValidator:
    """The compiled validators of one operation."""

    def __init__(self, operation: Operation, compiler: SchemaCompiler) -> None:
        self._params = tuple(
            _param_check(p, compiler)
            for location in _LOCATIONS
            for p in operation.parameters_in(location)
        )
        body = operation.request_body
        schema = body.json_schema if body is not None else None
        self.has_body = schema is not None
        self._body_required = bool(body and body.required)
        # pydantic-core's validator itself: TypeAdapter.validate_python adds a Python call.
        self._body_validator: SchemaValidator | None = None
        self._wrapped_body: SchemaValidator | None = None
        if schema is not None:
            annotation = compiler.annotation(schema)
            self._body_validator = TypeAdapter(annotation).validator  # type: ignore[assignment]
            body_only = all(c.location == "path" and c.adapter is None for c in self._params)
            if body_only and not _has_float(schema, compiler):
                # The body as a field named "body": pydantic-core's own items, "body" first.
                wrapper = create_model("Request", body=(annotation, ...))
                self._wrapped_body = TypeAdapter(wrapper).validator  # type: ignore[assignment]

    @property
    def checks_body_only(self) -> bool:
        """Only the body can be invalid: :meth:`check_body` may decide."""
        return self._wrapped_body is not None

    def errors(self, parts: RequestParts) -> tuple[list[ErrorItem], Any]:
        """All validation errors of ``parts`` (FastAPI's order) and the validated body."""
        errors: list[ErrorItem] = []
        for check in self._params:
            if check.adapter is None and check.location == "path":
                continue
            errors.extend(_check_param(check, parts))
        if self._body_validator is None:
            return errors, None
        if parts.body is None:
            if self._body_required:
                errors.append(_missing(("body",)))
            return errors, None
        try:
            value = self._body_validator.validate_python(parts.body, from_attributes=True)
        except ValidationError as exc:
            errors.extend(_with_prefix(exc, ("body",)))
            return errors, None
        return errors, value

    def check_body(self, body: Any) -> tuple[ValidationError | None, Any]:
        """For a present ``body`` when :attr:`checks_body_only`: pydantic's error (``None``
        when valid; its locations start with ``body``), and the validated body."""
        assert self._wrapped_body is not None
        try:
            request = self._wrapped_body.validate_python({"body": body}, from_attributes=True)
        except ValidationError as exc:
            return exc.with_traceback(None), None  # no frames kept alive with it
        return None, request.body


def items_json(error: ValidationError) -> bytes:
    """The 422 items of ``error`` as a JSON array written by pydantic-core.

    It writes them as FastAPI's ``json.dumps`` does, except for floats outside plain
    decimals (``1e+16`` against ``1e16``) and non-finite numbers, and raises a ValueError
    for lone surrogates: use it only for plain bodies (:class:`mock_server.body.Parsed`).
    """
    return error.json(include_url=False).encode("utf-8")


def _has_float(schema: Any, compiler: SchemaCompiler) -> bool:
    # A float in the schema (a bound, an enum member) may reach an item's ctx, where
    # pydantic-core and json.dumps write it differently.
    seen: set[int] = set()
    todo = [schema]
    while todo:
        node = compiler.document.resolve(todo.pop())
        if isinstance(node, float):
            return True
        if id(node) in seen or not isinstance(node, dict | list):
            continue
        seen.add(id(node))
        todo.extend(node.values() if isinstance(node, dict) else node)
    return False


def _param_check(param: Parameter, compiler: SchemaCompiler) -> _ParamCheck:
    schema = param.schema
    adapter = None if is_plain_string(schema) else TypeAdapter(compiler.annotation(schema))
    return _ParamCheck(
        location=param.location,
        name=param.name,
        is_list=_is_array(schema, compiler),
        required=param.required,
        adapter=adapter,
    )


def _is_array(schema: Mapping[str, Any], compiler: SchemaCompiler) -> bool:
    # FastAPI reads every value of a sequence parameter, optional ones included.
    schema = compiler.document.resolve(schema)
    if schema.get("type") == "array":
        return True
    members = [*schema.get("anyOf", ()), *schema.get("oneOf", ())]
    return any(_is_array(member, compiler) for member in members)


def _check_param(check: _ParamCheck, parts: RequestParts) -> list[ErrorItem]:
    if check.location == "path":
        value: Any = parts.path_params.get(check.name)
    elif check.location == "cookie":
        value = (parts.cookies or {}).get(check.name)
    else:
        source = parts.query if check.location == "query" else parts.headers
        value = source.getlist(check.name) if check.is_list else source.get(check.name)
    if value is None or (check.is_list and len(value) == 0):
        return [_missing((check.location, check.name))] if check.required else []
    if check.adapter is None:
        return []
    try:
        check.adapter.validate_python(value, from_attributes=True)
    except ValidationError as exc:
        return _with_prefix(exc, (check.location, check.name))
    return []


def _with_prefix(exc: ValidationError, prefix: tuple[str, ...]) -> list[ErrorItem]:
    errors = cast(list[ErrorItem], exc.errors(include_url=False))  # fresh dicts: ours
    for error in errors:
        error["loc"] = [*prefix, *error["loc"]]
    return errors


def _missing(loc: tuple[str, ...]) -> ErrorItem:
    # FastAPI's get_missing_field_error: pydantic's "missing" item with ``input`` None.
    error: ErrorItem = dict(
        ValidationError.from_exception_data(
            "Field required", [{"type": "missing", "loc": loc, "input": {}}]
        ).errors(include_url=False)[0]
    )
    error["loc"] = list(loc)
    error["input"] = None
    return error
