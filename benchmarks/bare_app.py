"""The ceiling: one Starlette route that answers without reading the request.

By default it answers an empty 204; with ``--status 422 --body-file PATH`` it answers those
bytes as ``application/json``, the mock's 422 to the same request without deciding it.

Served as ``honcho-mock`` serves the mock: a factory on uvicorn with ``lifespan="off"``, the
same log level (so the same access-log behaviour), on a socket bound with ``IPPROTO_TCP``
(so asyncio sets ``TCP_NODELAY``, as for the mock). Deliberately imports neither the mock
nor the spec layer, so its start-up is uvicorn's and Starlette's alone.

    python -m benchmarks.bare_app --port 8001 --path '/v2/workspaces/{workspace_id}/trigger_dream'
    python -m benchmarks.bare_app --port 8002 --path ... --status 422 --body-file answer.json
"""

from __future__ import annotations

import argparse
import functools
import socket
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp

__all__ = ["create_app", "main", "serve_factory", "server_arguments"]


def create_app(path: str, method: str = "POST", status: int = 204, body: bytes = b"") -> Starlette:
    """A fresh app with one route, ``method path``, answering ``status`` with ``body`` (JSON
    when there is one) to every request.

    >>> app = create_app("/w/{w}", status=422, body=b'{"detail":[]}')
    >>> [(route.path, route.methods) for route in app.routes]
    [('/w/{w}', {'POST'})]
    """
    media_type = "application/json" if body else None

    async def answer(_request: Request) -> Response:
        return Response(body, status_code=status, media_type=media_type)

    return Starlette(routes=[Route(path, endpoint=answer, methods=[method])])


def serve_factory(factory: Callable[[], ASGIApp], *, host: str, port: int, log_level: str) -> int:
    """Serve ``factory``'s app as ``honcho-mock`` serves the mock, until stopped."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        print(f"cannot listen on {host}:{port} ({exc})", file=sys.stderr)
        return 2
    config = uvicorn.Config(factory, factory=True, log_level=log_level, lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])
    return 0


def server_arguments(prog: str) -> argparse.ArgumentParser:
    """The command line every benchmarked Python server takes."""
    parser = argparse.ArgumentParser(prog=prog)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log-level", default="info")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = server_arguments("python -m benchmarks.bare_app")
    parser.add_argument("--path", required=True, help="the route's path template")
    parser.add_argument("--method", default="POST")
    parser.add_argument("--status", type=int, default=204, help="the status of every answer")
    parser.add_argument("--body-file", help="a file whose bytes every answer carries (JSON)")
    args = parser.parse_args(argv)
    try:
        body = Path(args.body_file).read_bytes() if args.body_file else b""
    except OSError as exc:
        print(f"cannot read --body-file {args.body_file} ({exc.strerror})", file=sys.stderr)
        return 2
    factory = functools.partial(create_app, args.path, args.method, args.status, body)
    return serve_factory(factory, host=args.host, port=args.port, log_level=args.log_level)


if __name__ == "__main__":
    sys.exit(main())
