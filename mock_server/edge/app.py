"""The Starlette edge: bytes in, a decided answer out.

Routing is Starlette's own, as in the real server: 404 for an unknown path, 405 with
``allow`` for a known path and another method, 307 to the other form of a trailing slash.
The client developer's controls (:mod:`mock_server.controls`) add the control paths, a
steered endpoint per operation and the layers around the router; with every control off
the app is the faithful server alone. Requests for an operation skip Starlette's layers and
router (:mod:`mock_server.edge.dispatch`), with the same answers. Bound to a loopback
address, the mock answers only the host names it is reached by, on every path
(:mod:`mock_server.controls.exposure`).

>>> app = create_app()
>>> [route.path for route in app.routes]
['/v2/workspaces/{workspace_id}/trigger_dream', '/__mock__/requests', '/__mock__/dreams', \
'/__mock__/sequences', '/__mock__/chaos']
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
from starlette.types import ASGIApp

from honcho_spec import SpecDocument, default_document_path, load_document

from ..answer.handler import OperationHandler, compile_handlers
from ..controls.exposure import host_guard
from ..controls.forcing import Forcing
from ..controls.journal import Journal
from ..controls.live import Live
from ..controls.switches import Controls
from ..settings import MockSettings
from .control_paths import ControlLayer, check_control_paths, control_routes
from .dispatch import MockApp
from .endpoints import FaithfulEndpoint, SteeredEndpoint
from .live_paths import live_routes
from .reload import Reloader, ReloadLayer
from .waits import Holds

__all__ = ["controls_for", "create_app"]

_NO_BODY_STATUSES = frozenset({204, 205, 304})


def create_app(spec: SpecDocument | None = None, settings: MockSettings | None = None) -> MockApp:
    """A fresh mock serving ``spec`` (by default the document ``settings`` name, or the
    embedded one), with validators and prepared answers compiled now, not per request."""
    settings = settings or MockSettings()
    document = spec if spec is not None else load_document(settings.spec_path)
    controls = controls_for(settings)
    holds = Holds()
    middleware = []
    if controls is not None:
        if settings.reload:
            path = Path(document.source) if spec is not None else _document_path(settings)
            reloader = Reloader(path, lambda new: _install(app, new, controls, holds))
            middleware.append(Middleware(ReloadLayer, reloader=reloader))
        if settings.control or settings.cors_origins:
            middleware.append(
                Middleware(
                    ControlLayer,
                    journal=controls.journal,
                    cors_origins=settings.cors_origins,
                    guards_controls=settings.control,
                )
            )
    app = MockApp(
        exception_handlers={HTTPException: _http_exception}, middleware=middleware or None
    )
    app.hosts = host_guard(settings.host, settings.allowed_hosts)
    app.state.settings = settings
    app.state.controls = controls
    app.state.holds = holds
    _install(app, document, controls, holds)
    return app


def controls_for(settings: MockSettings) -> Controls | None:
    """The controls ``settings`` turn on, or ``None`` when every one is off.

    >>> controls_for(MockSettings(control=False, cors_origins=())) is None
    True
    """
    live = Live(
        latency=settings.latency,
        fault_rate=settings.fault_rate,
        seed=settings.seed,
        allow_faults=settings.allow_faults,
    )
    journal = None
    if settings.control and settings.journal_size:
        journal = Journal(settings.journal_size, secrets=settings.journal_secrets)
    if not (settings.control or live.chaos is not None or settings.cors_origins or settings.reload):
        return None
    return Controls(journal, live, read_prefer=settings.control, allow_faults=settings.allow_faults)


def _install(app: MockApp, document: SpecDocument, controls: Controls | None, holds: Holds) -> None:
    """Serve ``document``: its operations' routes, then the control paths."""
    settings: MockSettings = app.state.settings
    if controls is not None and settings.control:
        check_control_paths(document)
    handlers = compile_handlers(document, auth_jwt_secret=settings.auth_jwt_secret)
    operation_routes = [
        _route(handler, _endpoint(handler, document, controls, holds)) for handler in handlers
    ]
    routes: list[BaseRoute] = [*operation_routes]
    if controls is not None:
        controls.live.responses = tuple(handler.operation.responses for handler in handlers)
        if controls.journal is not None:
            routes += control_routes(controls.journal)
        if settings.control:
            routes += live_routes(controls.live)
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
        return FaithfulEndpoint(handler)
    return SteeredEndpoint(
        handler,
        controls.steering(handler.operation),
        Forcing(handler, document),
        controls.journal,
        holds,
        live=controls.live,
    )


def _document_path(settings: MockSettings) -> Path:
    return settings.spec_path if settings.spec_path is not None else default_document_path()


def _route(handler: OperationHandler, endpoint: ASGIApp) -> Route:
    route = Route(handler.operation.path, endpoint=endpoint, methods=[handler.operation.method])
    route.methods = {handler.operation.method}  # FastAPI adds no implicit HEAD to a GET route
    return route


async def _http_exception(request: Request, exc: Any) -> Response:
    # FastAPI's handler for routing errors: {"detail": ...} as JSON, bodiless statuses empty.
    if exc.status_code < 200 or exc.status_code in _NO_BODY_STATUSES:
        return Response(status_code=exc.status_code, headers=exc.headers)
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
