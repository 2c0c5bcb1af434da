"""Decide the answer to a request for one operation: plain functions, no HTTP.

The order is the real server's: the body is parsed (malformed JSON is a 422, bytes that
are not text a 400, with or without credentials), then auth, then validation of the
parameters and the body, then the documented success answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from honcho_spec import Operation, SpecDocument, example_for

from .auth import BearerVerifier
from .body import PARSE_ERROR_DETAIL, BodyRejected, Parsed, parse
from .rendering import Answer, empty_answer, json_answer, json_text_answer
from .schemas import SchemaCompiler
from .validation import NO_VALUES, MultiMapping, OperationValidator, RequestParts, items_json

__all__ = ["Incoming", "OperationHandler", "compile_handlers"]

_WORKSPACE_PARAM = "workspace_id"
_NO_BODY = Parsed(None)


class Incoming(NamedTuple):
    """The parts of a request the verdict depends on (a tuple: cheap to build per request)."""

    path_params: Mapping[str, str]
    content_type: str | None
    authorization: str | None
    body: bytes
    query: MultiMapping = NO_VALUES
    headers: MultiMapping = NO_VALUES
    cookies: Mapping[str, str] | None = None


class OperationHandler:
    """One operation's compiled validators and prepared answers."""

    def __init__(
        self,
        operation: Operation,
        compiler: SchemaCompiler,
        verifier: BearerVerifier | None,
    ) -> None:
        self.operation = operation
        self.validator = OperationValidator(operation, compiler)
        self.reads_parts = any(p.location != "path" for p in operation.parameters)
        self._scoped = any(p.name == _WORKSPACE_PARAM for p in operation.parameters)
        self._verifier = verifier if _uses_bearer(operation, compiler) else None
        self._success = _success_answer(operation, compiler)
        self._parse_error = json_answer(400, {"detail": PARSE_ERROR_DETAIL})
        self._refusals: dict[str, Answer] = {}
        self._body_only = self.validator.checks_body_only

    @property
    def success(self) -> Answer:
        """The documented success answer, sent for every accepted request."""
        return self._success

    def decide(self, request: Incoming) -> tuple[Answer, Any]:
        """The answer, and the validated body when the request is accepted."""
        parsed = _NO_BODY
        if self.validator.has_body:
            try:
                parsed = parse(request.body, request.content_type)
            except BodyRejected as rejected:
                return self._rejected(rejected), None
        if self._verifier is not None:
            refusal = self._verifier.refusal(request.authorization, self._workspace(request))
            if refusal is not None:
                return self._refusal(refusal), None
        body = parsed.value
        if self._body_only and parsed.plain:  # pydantic-core writes the items as FastAPI would
            error, value = self.validator.check_body(body)
            if error is None:
                return self._success, value
            try:
                return json_text_answer(422, b'{"detail":' + items_json(error) + b"}"), None
            except ValueError:  # an input it cannot write after all: the long way
                pass
        parts = RequestParts(
            request.path_params, body, request.query, request.headers, request.cookies
        )
        errors, value = self.validator.errors(parts)
        if errors:
            return json_answer(422, {"detail": errors}), None
        return self._success, value

    def _rejected(self, rejected: BodyRejected) -> Answer:
        if rejected.error is None:
            return self._parse_error
        item = {
            "type": "json_invalid",
            "loc": ["body", rejected.position],
            "msg": "JSON decode error",
            "input": {},
            "ctx": {"error": rejected.error},
        }
        return json_answer(422, {"detail": [item]})

    def _refusal(self, detail: str) -> Answer:
        answer = self._refusals.get(detail)
        if answer is None:
            answer = self._refusals[detail] = json_answer(401, {"detail": detail})
        return answer

    def _workspace(self, request: Incoming) -> str | None:
        # Honcho: the path parameter, else the query parameter, of that name.
        if not self._scoped:
            return None
        return request.path_params.get(_WORKSPACE_PARAM) or request.query.get(_WORKSPACE_PARAM)


def compile_handlers(
    document: SpecDocument, *, auth_jwt_secret: str | None = None
) -> list[OperationHandler]:
    """A handler for each operation of ``document``, in document order."""
    compiler = SchemaCompiler(document)
    verifier = BearerVerifier(auth_jwt_secret) if auth_jwt_secret else None
    return [OperationHandler(op, compiler, verifier) for op in document.operations]


def _uses_bearer(operation: Operation, compiler: SchemaCompiler) -> bool:
    schemes = compiler.document.security_schemes
    return any(
        str(schemes.get(name, {}).get("type", "")).lower() == "http"
        and str(schemes.get(name, {}).get("scheme", "")).lower() == "bearer"
        for name in operation.security_schemes
    )


def _success_answer(operation: Operation, compiler: SchemaCompiler) -> Answer:
    success = operation.success
    if success is None:
        return empty_answer(200)
    status = int(success.status)
    if status in (204, 205, 304) or success.is_empty:
        return empty_answer(status)
    media = next(iter(success.content.values()))
    return json_answer(status, example_for(media, compiler.document))
