"""The oracle on a real uvicorn server."""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mock_server import BackgroundServer, MockSettings

from .reference_app import create_reference_app

__all__ = ["FRAMEWORK_DEFECTS", "oracle_app", "oracle_server"]

# Where FastAPI itself, and so Honcho 2.5.1, answers 500: a value echoed in a 422 that it
# cannot render (NaN, Infinity, a lone surrogate, text/plain bytes that are not UTF-8),
# named as the contract suite places its probes. The mock answers the contract there.
FRAMEWORK_DEFECTS = frozenset({
    "body.observer: NaN", "body.observer: Infinity", "body.observer: -Infinity",
    "body.observer: 1e999", "body.observed: NaN", "body.observed: Infinity",
    "body.observed: -Infinity", "body.observed: 1e999", "body.dream_type: NaN",
    "body.dream_type: Infinity", "body.dream_type: -Infinity", "body.dream_type: 1e999",
    "fixture: trigger_dream/defects/nan-echo", "fixture: trigger_dream/defects/infinity-echo",
    "fixture: trigger_dream/defects/surrogate-echo",
    "fixture: trigger_dream/defects/text-plain-not-utf8",
})  # fmt: skip


class _AfterTheFiveHundred:
    """The oracle, minus Starlette's re-raise once its 500 is sent.

    Uvicorn would log that traceback and close the connection, and the client could reuse
    the closing keep-alive connection for the next request. What is answered is unchanged.
    """

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self._app(scope, receive, watched)
        except Exception:
            if not started:
                raise


def oracle_app(*, auth_jwt_secret: str | None = None) -> ASGIApp:
    """The reference app, as the oracle's server serves it."""
    return _AfterTheFiveHundred(create_reference_app(auth_jwt_secret=auth_jwt_secret))


def oracle_server(*, auth_jwt_secret: str | None = None) -> BackgroundServer:
    """An unstarted server for the reference app (use it as a context manager)."""
    app = oracle_app(auth_jwt_secret=auth_jwt_secret)
    return BackgroundServer(MockSettings(port=0, log_level="critical"), app=app)
