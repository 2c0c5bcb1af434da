"""Run the mock on uvicorn: in the foreground for the CLI, in a thread for tests.

The socket is bound before uvicorn starts, so a busy port is one clear error and port 0
gives a free port whose number is known.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import gc
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from types import FrameType, TracebackType
from typing import Any

import uvicorn

from honcho_spec import KitError

from ..settings import MockSettings
from .app import create_app

__all__ = ["BackgroundServer", "ServeError", "bind_socket", "serve"]


class ServeError(KitError):
    """The server cannot start (the address is busy or not this machine's)."""


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening-ready TCP socket on ``host:port`` (``port=0`` picks a free one)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets that say they are TCP,
    # and without it a body written after its headers waits for a delayed ACK (~40 ms).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        reason = exc.strerror or str(exc)
        busy = exc.errno in (errno.EADDRINUSE, errno.EACCES)
        fix = (
            "choose another --port or stop what holds it"
            if busy
            else f"--host {host} is not an address of this machine: use 127.0.0.1, 0.0.0.0 or "
            "one of its own addresses"
        )
        raise ServeError(f"cannot listen on {host}:{port} ({reason})", fix=fix) from None
    sock.set_inheritable(True)
    return sock


def _url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class _Server(uvicorn.Server):
    """uvicorn's server, announcing itself once it answers and exiting 0 on a signal."""

    def __init__(self, config: uvicorn.Config, on_ready: Callable[[], None] | None) -> None:
        super().__init__(config)
        self._on_ready = on_ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started and not self.should_exit and self._on_ready is not None:
            self._on_ready()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        # Requests the mock keeps waiting (delays, timeouts) end now, or uvicorn would
        # wait for them forever.
        app = self.config.loaded_app
        while app is not None:
            holds = getattr(getattr(app, "state", None), "holds", None)
            if holds is not None:
                holds.release()
                break
            app = getattr(app, "app", None)
        await super().shutdown(sockets=sockets)

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {sig: signal.signal(sig, self._stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _stop(self, _sig: int, _frame: FrameType | None) -> None:
        self.should_exit = True


def _config(settings: MockSettings, **overrides: Any) -> uvicorn.Config:
    factory = functools.partial(create_app, settings=settings)
    options: dict[str, Any] = {
        "factory": True,
        "log_level": settings.log_level,
        "lifespan": "off",
        **overrides,
    }
    return uvicorn.Config(factory, **options)


def serve(settings: MockSettings, *, announce: Callable[[str], None] = print) -> None:
    """Serve until SIGINT or SIGTERM; ``announce`` gets ``listening on URL`` once it answers."""
    create_app(settings=settings)  # a bad document fails here, before the port is taken
    sock = bind_socket(settings.host, settings.port)
    url = _url(sock)

    def ready() -> None:
        # What start-up built (modules, the compiled document) lives as long as the process:
        # out of the collector's way, a full collection no longer walks it under load.
        gc.freeze()
        announce(f"listening on {url}")

    server = _Server(_config(settings), on_ready=ready)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()


class BackgroundServer:
    """A real uvicorn mock on a loopback port, in a thread, for tests and fixtures.

    >>> with BackgroundServer(MockSettings(port=0, log_level="warning")) as server:
    ...     server.url.startswith("http://127.0.0.1:")
    True
    """

    def __init__(
        self, settings: MockSettings | None = None, *, app: Any = None, access_log: bool = False
    ) -> None:
        self.settings = settings or MockSettings(port=0, log_level="warning")
        self._app = app
        self._access_log = access_log
        self._sock: socket.socket | None = None
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    def start(self) -> BackgroundServer:
        self._sock = bind_socket(self.settings.host, self.settings.port)
        self.url = _url(self._sock)
        if self._app is not None:
            config = uvicorn.Config(
                self._app,
                log_level=self.settings.log_level,
                lifespan="off",
                access_log=self._access_log,
            )
        else:
            config = _config(self.settings, access_log=self._access_log)
        self._server = _Server(config, on_ready=None)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise ServeError("the mock did not start", where=self.url)
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._sock is not None:
            self._sock.close()

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(self, *exc: object | TracebackType | None) -> None:
        self.stop()
