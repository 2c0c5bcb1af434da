"""The Starlette edge: bytes in, a decided answer out.

Routing is Starlette's own, as in the real server: 404 for an unknown path, 405 with
``allow`` for a known path and another method, 307 to the other form of a trailing slash.
The client developer's controls (:mod:`mock_server.controls`) add the control paths, a
steered endpoint per operation and the layers around the router; with every control off
the app is the faithful server alone. Requests for an operation skip Starlette's layers and
router (:mod:`mock_server.dispatch`), with the same answers.

>>> app = create_app()
>>> [route.path for route in app.routes]
['/v2/workspaces/{workspace_id}/trigger_dream', '/__mock__/requests', '/__mock__/dreams']
>>> [route.path for route in create_app(settings=MockSettings(control=False)).routes]
['/v2/workspaces/{workspace_id}/trigger_dream']
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from honcho_spec import SpecDocument, default_document_path, load_document

from .control import ControlLayer, control_routes
from .controls import Controls, check_control_paths
from .dispatch import MockApp
from .forcing import Forcing
from .handler import OperationHandler, compile_handlers
from .reload import Reloader, ReloadLayer
from .settings import MockSettings
from .steered import Holds, SteeredEndpoint, incoming_for, read_body

__all__ = ["create_app"]

_NO_BODY_STATUSES = frozenset({204, 205, 304})


def create_app(spec: SpecDocument | None = None, settings: MockSettings | None = None) -> MockApp:
    """A fresh mock serving ``spec`` (by default the document ``settings`` name, or the
    embedded one), with validators and prepared answers compiled now, not per request."""
    settings = settings or MockSettings()
    document = spec if spec is not None else load_document(settings.spec_path)
    controls = Controls.from_settings(settings)
    holds = Holds()
    middleware = []
    if controls is not None:
        if settings.reload:
            path = Path(document.source) if spec is not None else _document_path(settings)
            reloader = Reloader(path, lambda new: _install(app, new, controls, holds))
            middleware.append(Middleware(ReloadLayer, reloader=reloader))
        if controls.journal is not None or settings.cors_origins:
            middleware.append(
                Middleware(
                    ControlLayer, journal=controls.journal, cors_origins=settings.cors_origins
                )
            )
    app = MockApp(
        exception_handlers={HTTPException: _http_exception}, middleware=middleware or None
    )
    app.state.settings = settings
    app.state.controls = controls
    app.state.holds = holds
    _install(app, document, controls, holds)
    return app


def _install(app: MockApp, document: SpecDocument, controls: Controls | None, holds: Holds) -> None:
    """Serve ``document``: its operations' routes, then the control paths."""
    if controls is not None and controls.settings.control:
        check_control_paths(document)
    settings: MockSettings = app.state.settings
    handlers = compile_handlers(document, auth_jwt_secret=settings.auth_jwt_secret)
    operation_routes = [
        _route(handler, _endpoint(handler, document, controls, holds)) for handler in handlers
    ]
    routes: list[BaseRoute] = [*operation_routes]
    if controls is not None and controls.journal is not None:
        routes += control_routes(controls.journal)
    app.router.routes = routes
    # --reload must see every request; CORS, those with an Origin header.
    cors = controls is not None and bool(settings.cors_origins)
    app.take_directly(
        () if settings.reload else operation_routes, unless_header="origin" if cors else None
    )
    app.state.document = document
    app.state.handlers = handlers


def _endpoint(
    handler: OperationHandler, document: SpecDocument, controls: Controls | None, holds: Holds
) -> ASGIApp:
    if controls is None or not controls.steers:
        return _Endpoint(handler)
    return SteeredEndpoint(
        handler,
        controls.steering(handler.operation),
        Forcing(handler, document),
        controls.journal,
        holds,
        chaotic=controls.chaos is not None,
    )


def _document_path(settings: MockSettings) -> Path:
    return settings.spec_path if settings.spec_path is not None else default_document_path()


def _route(handler: OperationHandler, endpoint: ASGIApp) -> Route:
    route = Route(handler.operation.path, endpoint=endpoint, methods=[handler.operation.method])
    route.methods = {handler.operation.method}  # FastAPI adds no implicit HEAD to a GET route
    return route


class _Endpoint:
    """A raw ASGI endpoint: reads the body and the few headers the verdict needs."""

    def __init__(self, handler: OperationHandler) -> None:
        self._handler = handler
        self._reads_body = handler.validator.has_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        handler = self._handler
        body = await read_body(receive) if self._reads_body else b""
        content_type = authorization = None
        for name, value in scope["headers"]:
            if name == b"content-type" and content_type is None:
                content_type = value.decode("latin-1")
            elif name == b"authorization" and authorization is None:
                authorization = value.decode("latin-1")
        answer, _ = handler.decide(incoming_for(handler, scope, content_type, authorization, body))
        await send(
            {"type": "http.response.start", "status": answer.status, "headers": answer.headers}
        )
        await send({"type": "http.response.body", "body": answer.body})


async def _http_exception(request: Request, exc: Any) -> Response:
    # FastAPI's handler for routing errors: {"detail": ...} as JSON, bodiless statuses empty.
    if exc.status_code < 200 or exc.status_code in _NO_BODY_STATUSES:
        return Response(status_code=exc.status_code, headers=exc.headers)
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
