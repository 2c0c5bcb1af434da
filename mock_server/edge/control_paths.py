"""The Starlette edge of the controls: the journal's recording, CORS, the control paths.

The control paths live under :data:`CONTROL_PREFIX`, which no path of the served document
may reach: such a document is refused at start-up (:func:`check_control_paths`; serve it
with ``--no-control``).

:class:`ControlLayer` wraps the app: it journals each request when its answer starts (so a
client that has its answer finds it in the journal), unless the operation's endpoint
journaled it itself, and hands a request that carries an ``Origin`` header to Starlette's
``CORSMiddleware``. Without ``Origin`` a request is untouched, so a plain ``OPTIONS`` keeps
the real server's 405. The control paths get no CORS, whatever ``--cors-origins`` says: a
request to them whose ``Origin`` is not the mock's own is refused with a 403
(:func:`mock_server.controls.exposure.foreign_origin`), so no page reads or empties the
journal.

    GET    /__mock__/requests[?status=204,4xx][&since=TIME]   the journal, oldest first
    DELETE /__mock__/requests                                 empty it
    GET    /__mock__/dreams[?since=TIME][&workspace_id=...]   the dreams of accepted requests

and the runtime controls (:mod:`mock_server.edge.live_paths`): ``/__mock__/sequences`` and
``/__mock__/chaos``.
"""

from __future__ import annotations

import time
from typing import Any

from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route, compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from honcho_spec import KitError, SpecDocument

from ..answer.rendering import render_json
from ..controls.dreams import DREAM_FIELDS
from ..controls.exposure import foreign_origin
from ..controls.journal import EXTRAS, EntryFilter, FilterError, Journal

__all__ = [
    "CONTROL_PATHS",
    "CONTROL_PREFIX",
    "ControlLayer",
    "ControlPathError",
    "check_control_paths",
    "control_routes",
]

CONTROL_PREFIX = "/__mock__"
CONTROL_PATHS = tuple(
    f"{CONTROL_PREFIX}/{name}" for name in ("requests", "dreams", "sequences", "chaos")
)


class ControlPathError(KitError):
    """A path of the document reaches the mock's control paths."""


def check_control_paths(document: SpecDocument) -> None:
    """Refuse a document with a path under the control prefix or matching a control path."""
    for operation in document.operations:
        path = operation.path
        regex, _, _ = compile_path(path)
        under = path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/")
        if under or any(regex.match(control) for control in CONTROL_PATHS):
            raise ControlPathError(
                f"the document's path {path} reaches the mock's control paths "
                f"({', '.join(CONTROL_PATHS)})",
                where=document.source,
                fix="serve it with --no-control",
            )


class ControlLayer:
    """Journal every request outside the control paths; CORS for requests with ``Origin``
    outside them; same-origin requests only on them."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        journal: Journal | None,
        cors_origins: tuple[str, ...],
        guards_controls: bool = True,
    ) -> None:
        self.app = app
        self._journal = journal
        self._guards_controls = guards_controls  # the control paths exist
        self._cors: ASGIApp | None = None
        if cors_origins:
            self._cors = CORSMiddleware(
                app,
                allow_origins=cors_origins,
                allow_methods=["*"],
                allow_headers=["*"],
                expose_headers=["*"],
            )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        app = self.app
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        if self._guards_controls and scope["path"].startswith(CONTROL_PREFIX):
            refusal = _cross_origin(scope["headers"])
            if refusal is not None:
                await _json({"detail": refusal}, 403)(scope, receive, send)
                return
            await app(scope, receive, send)
            return
        if self._cors is not None:
            for name, _ in scope["headers"]:
                if name == b"origin":
                    app = self._cors
                    break
        journal = self._journal
        if journal is None or scope["path"].startswith(CONTROL_PREFIX):
            await app(scope, receive, send)
            return
        arrived = time.time()

        async def journaled_send(message: Message) -> None:
            # An operation's endpoint journals its own requests (and leaves EXTRAS).
            if message["type"] == "http.response.start" and EXTRAS not in scope:
                journal.record(scope, arrived, message["status"])
            await send(message)

        await app(scope, receive, journaled_send)


def _cross_origin(headers: list[tuple[bytes, bytes]]) -> str | None:
    origin = host = None
    for name, value in headers:
        if name == b"origin" and origin is None:
            origin = value
        elif name == b"host" and host is None:
            host = value
    return None if origin is None else foreign_origin(origin, host)


def control_routes(journal: Journal) -> list[BaseRoute]:
    """The control paths reading and clearing ``journal``."""

    async def requests(request: Request) -> Response:
        if request.method == "DELETE":
            journal.clear()
            return Response(status_code=204)
        try:
            where = EntryFilter.from_query(request.query_params.multi_items())
        except FilterError as exc:
            return _json({"detail": str(exc)}, 400)
        return _json(journal.as_json(where))

    async def dreams(request: Request) -> Response:
        try:
            where = EntryFilter.from_query(request.query_params.multi_items(), DREAM_FIELDS)
        except FilterError as exc:
            return _json({"detail": str(exc)}, 400)
        return _json(journal.dreams(where))

    return [
        Route(f"{CONTROL_PREFIX}/requests", requests, methods=["GET", "DELETE"]),
        Route(f"{CONTROL_PREFIX}/dreams", dreams, methods=["GET"]),
    ]


def _json(content: Any, status: int = 200) -> Response:
    return Response(render_json(content), status_code=status, media_type="application/json")
