"""The control paths that change the mock while it runs: sequences, latency and faults.

    GET    /__mock__/sequences          the queued sequences, oldest first
    POST   /__mock__/sequences          queue one: {"answers": ["fault=503", "fault=reset"],
                                        "workspace_id": "ws-1", "body": {"observer": "alice"}}
    DELETE /__mock__/sequences[?id=N]   drop them all (or one)
    GET    /__mock__/chaos              {"latency": "50ms", "fault_rate": null}
    PATCH  /__mock__/chaos              set either; null clears it
    DELETE /__mock__/chaos              back to the start-up settings

A control request the mock cannot use gets a 400 with one line of ``detail``. The paths sit
under the control prefix, so :class:`~mock_server.edge.control_paths.ControlLayer` refuses
them cross-origin as it refuses the others.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..answer.rendering import render_json
from ..controls.live import ChaosError, Live
from ..controls.sequences import SequenceError

__all__ = ["MAX_CONTROL_BODY", "live_routes"]

MAX_CONTROL_BODY = 64 * 1024
_PREFIX = "/__mock__"


class _BadControlError(Exception):
    pass


def live_routes(live: Live) -> list[BaseRoute]:
    """The control paths changing ``live``."""

    async def sequences(request: Request) -> Response:
        if request.method == "GET":
            return _json(live.sequences.as_json())
        if request.method == "DELETE":
            return _drop(request, live)
        try:
            given = await _body(request)
            queued = live.sequences.add_json(
                given, allow_faults=live.allow_faults, responses=live.responses
            )
        except (_BadControlError, SequenceError) as exc:
            return _refuse(request, exc)
        return _json(queued.as_json(), 201)

    async def chaos(request: Request) -> Response:
        if request.method == "PATCH":
            try:
                live.set_chaos_json(await _body(request))
            except (_BadControlError, ChaosError) as exc:
                return _refuse(request, exc)
        elif request.method == "DELETE":
            live.reset_chaos()
        return _json(live.settings.as_json())

    return [
        Route(f"{_PREFIX}/sequences", sequences, methods=["GET", "POST", "DELETE"]),
        Route(f"{_PREFIX}/chaos", chaos, methods=["GET", "PATCH", "DELETE"]),
    ]


def _drop(request: Request, live: Live) -> Response:
    query = request.query_params
    unknown = sorted(set(query) - {"id"})
    if unknown:
        return _refuse(request, _BadControlError(f"unknown parameter {unknown[0]!r} (only id)"))
    if "id" not in query:
        live.sequences.remove()
        return Response(status_code=204)
    text = query["id"]
    if not text.isdigit():
        return _refuse(request, _BadControlError(f"id={text!r} is not a sequence's number"))
    if live.sequences.remove(int(text)):
        return Response(status_code=204)
    return _json({"detail": f"no sequence {text} is queued (GET {_PREFIX}/sequences)"}, 404)


async def _body(request: Request) -> Any:
    raw = b""
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_CONTROL_BODY:
            raise _BadControlError(f"the body is over {MAX_CONTROL_BODY // 1024} KiB")
    try:
        return json.loads(raw)
    except ValueError as exc:
        reason = str(exc) if raw.strip() else "it is empty"
        raise _BadControlError(f"the body is not JSON ({reason})") from None


def _refuse(request: Request, exc: Exception) -> Response:
    return _json({"detail": f"{request.method} {request.url.path}: {exc}"}, 400)


def _json(content: Any, status: int = 200) -> Response:
    return Response(render_json(content), status_code=status, media_type="application/json")
