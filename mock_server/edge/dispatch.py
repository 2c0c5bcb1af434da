"""The operations' requests straight to their endpoints; everything else through Starlette.

Starlette's own path for a request (its error and exception middleware, the layers the
controls add, then the router trying each route) costs about as much as deciding a valid
request. The operations' routes come first in the router, so the first of them that fully
matches a request (path and method) is the one the router would pick: :class:`MockApp`
takes it directly, with the scope the router would give it. Any other request (an
unknown path, another method, a trailing slash) goes through Starlette unchanged, so
routing answers stay Starlette's own. ``--reload``, which must see every request, turns
the shortcut off; CORS needs only the requests that carry an ``Origin`` header, and those
go through Starlette. The journal needs none: the operations' endpoints journal their own
requests.

Before any of it, a request whose ``Host`` the allow-list refuses
(:mod:`mock_server.controls.exposure`) gets a 403, whatever its path. A request without a
``Host`` header (HTTP/1.0) passes: browsers, which DNS rebinding drives, always send one.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.applications import Starlette
from starlette.routing import Match, Route
from starlette.types import Receive, Scope, Send

from ..answer.rendering import json_answer
from ..controls.exposure import HostGuard, refused_host

__all__ = ["MockApp"]


class MockApp(Starlette):
    """Starlette, with :attr:`direct` routes taken before its middleware and router."""

    direct: tuple[Route, ...] = ()
    passed_header: bytes | None = None
    hosts: HostGuard | None = None  # None: any Host is answered

    def take_directly(self, routes: Sequence[Route], *, unless_header: str | None = None) -> None:
        """Take ``routes`` (the router's first routes, in its order) directly from now on,
        except requests carrying the header ``unless_header``."""
        self.direct = tuple(routes)
        self.passed_header = unless_header.lower().encode() if unless_header else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        hosts = self.hosts
        if hosts is not None and scope["type"] == "http":
            for name, value in scope["headers"]:
                if name == b"host":
                    if value not in hosts.seen and not hosts.allows(value):
                        await _refuse(refused_host(value, hosts), send)
                        return
                    break
        if scope["type"] == "http" and self.direct:
            passed = self.passed_header
            if passed is not None:
                for name, _ in scope["headers"]:
                    if name == passed:
                        await super().__call__(scope, receive, send)
                        return
            route = _full_match(self.direct, scope)
            if route is not None:
                scope["app"] = self
                await route.app(scope, receive, send)
                return
        await super().__call__(scope, receive, send)


async def _refuse(reason: str, send: Send) -> None:
    answer = json_answer(403, {"detail": reason})
    await send({"type": "http.response.start", "status": 403, "headers": answer.headers})
    await send({"type": "http.response.body", "body": answer.body})


def _full_match(routes: Sequence[Route], scope: Scope) -> Route | None:
    """The first of ``routes`` whose path and method match, with its scope set, as
    :meth:`Route.matches` sets it (inlined where there is no ``root_path``)."""
    if scope.get("root_path"):
        for route in routes:
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                scope.update(child_scope)
                return route
        return None
    path, method = scope["path"], scope["method"]
    for route in routes:
        found = route.path_regex.match(path)
        if found is not None and (not route.methods or method in route.methods):
            convertors = route.param_convertors
            params = {
                key: convertors[key].convert(value) for key, value in found.groupdict().items()
            }
            scope["endpoint"] = route.endpoint
            scope["path_params"] = {**scope.get("path_params", {}), **params}
            return route
    return None
