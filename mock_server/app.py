"""The Starlette edge: bytes in, a decided answer out.

Routing is Starlette's own, as in the real server: 404 for an unknown path, 405 with
``allow`` for a known path and another method, 307 to the other form of a trailing slash.

>>> app = create_app()
>>> [route.path for route in app.routes]
['/v2/workspaces/{workspace_id}/trigger_dream']
"""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import Headers, QueryParams
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from honcho_spec import SpecDocument, load_document

from .handler import Incoming, OperationHandler, compile_handlers
from .settings import MockSettings

__all__ = ["create_app"]

_NO_BODY_STATUSES = frozenset({204, 205, 304})


def create_app(spec: SpecDocument | None = None, settings: MockSettings | None = None) -> Starlette:
    """A fresh mock serving ``spec`` (by default the document ``settings`` name, or the
    embedded one), with validators and prepared answers compiled now, not per request."""
    settings = settings or MockSettings()
    document = spec if spec is not None else load_document(settings.spec_path)
    handlers = compile_handlers(document, auth_jwt_secret=settings.auth_jwt_secret)
    app = Starlette(
        routes=[_route(handler) for handler in handlers],
        exception_handlers={HTTPException: _http_exception},
    )
    app.state.document = document
    app.state.settings = settings
    app.state.handlers = handlers
    return app


def _route(handler: OperationHandler) -> Route:
    route = Route(
        handler.operation.path, endpoint=_Endpoint(handler), methods=[handler.operation.method]
    )
    route.methods = {handler.operation.method}  # FastAPI adds no implicit HEAD to a GET route
    return route


class _Endpoint:
    """A raw ASGI endpoint: reads the body and the few headers the verdict needs."""

    def __init__(self, handler: OperationHandler) -> None:
        self._handler = handler
        self._reads_body = handler.validator.has_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        handler = self._handler
        body = await _read_body(receive) if self._reads_body else b""
        content_type = authorization = None
        for name, value in scope["headers"]:
            if name == b"content-type" and content_type is None:
                content_type = value.decode("latin-1")
            elif name == b"authorization" and authorization is None:
                authorization = value.decode("latin-1")
        incoming = Incoming(scope["path_params"], content_type, authorization, body)
        if handler.reads_parts:
            request = Request(scope)
            incoming = Incoming(
                scope["path_params"],
                content_type,
                authorization,
                body,
                query=QueryParams(scope["query_string"]),
                headers=Headers(scope=scope),
                cookies=request.cookies,
            )
        answer, _ = handler.decide(incoming)
        await send(
            {"type": "http.response.start", "status": answer.status, "headers": answer.headers}
        )
        await send({"type": "http.response.body", "body": answer.body})


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":  # the client went away
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _http_exception(request: Request, exc: Any) -> Response:
    # FastAPI's handler for routing errors: {"detail": ...} as JSON, bodiless statuses empty.
    if exc.status_code < 200 or exc.status_code in _NO_BODY_STATUSES:
        return Response(status_code=exc.status_code, headers=exc.headers)
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
