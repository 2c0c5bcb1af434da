"""A bare HTTP/1.1 server that writes exactly the bytes it is given.

uvicorn (on h11 and on httptools alike) refuses to send a body with a 204; some servers
do. This one lets a test put one on the wire, to show the suite sees it.

It also misbehaves on cue, to make the keep-alive race deterministic: a handler may return
a :class:`Silence` instead of an answer (hang up at once, never answer, or crash: stop
listening and reset every connection, listening again ``revive_after`` seconds later if
given), and after an answer whose status is in ``hang_up_after`` the server reads the next
request on that connection and closes it without answering (as uvicorn may after a 500,
without ``connection: close``). :class:`Traffic` counts what the server saw.
"""

from __future__ import annotations

import asyncio
import enum
import threading
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

Answer = tuple[int, list[tuple[str, str]], bytes]


class Silence(enum.Enum):
    """What a handler may return instead of an answer."""

    HANG_UP = "close the connection without answering"
    STALL = "never answer; wait until the client closes the connection"
    CRASH = "stop listening and reset every connection, as a process that dies"


Handler = Callable[[str, str, dict[str, str], bytes], Answer | Silence]
Request = tuple[str, str, dict[str, str], bytes]


@dataclass
class Traffic:
    """What the server saw; written on the server's thread, read by the test."""

    connections: int = 0  # accepted
    closed: int = 0  # of them, closed (by either side)
    requests: list[str] = field(default_factory=list)  # "METHOD path", answered or not
    crashes: int = 0
    listening: bool = True


class _RawServer:
    def __init__(
        self,
        handler: Handler,
        traffic: Traffic,
        hang_up_after: Collection[int],
        revive_after: float | None,
    ) -> None:
        self._handler = handler
        self._traffic = traffic
        self._hang_up_after = hang_up_after
        self._revive_after = revive_after
        self._clients: dict[asyncio.Task[None], asyncio.StreamWriter] = {}
        self._server: asyncio.AbstractServer | None = None
        self._port = 0

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self._port)
        self._port = self._server.sockets[0].getsockname()[1]
        self._traffic.listening = True
        return self._port

    def _crash(self) -> None:
        assert self._server is not None
        self._server.close()
        self._traffic.crashes += 1
        self._traffic.listening = False
        for writer in self._clients.values():
            writer.transport.abort()  # a reset, as the kernel sends for a dead process
        if self._revive_after is not None:
            loop = asyncio.get_running_loop()
            loop.call_later(self._revive_after, lambda: loop.create_task(self.start()))

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for client in list(self._clients):
            client.cancel()
        await asyncio.gather(*self._clients, return_exceptions=True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._clients[task] = writer
        self._traffic.connections += 1
        try:
            while await self._answer_one(reader, writer):
                pass
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()
            self._traffic.closed += 1
            self._clients.pop(task, None)

    async def _answer_one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Answer one request; whether the connection stays open for the next one."""
        request = await self._read(reader, writer)
        answer = self._handler(*request)
        if answer is Silence.HANG_UP:
            return False
        if answer is Silence.CRASH:
            self._crash()
            return False
        if answer is Silence.STALL:
            await reader.read()  # until the client hangs up
            return False
        status, answer_headers, body = answer
        framed = {"content-length", "transfer-encoding"} & {name for name, _ in answer_headers}
        if status != 204 and not framed:  # a handler's own framing is written as it is
            answer_headers = [*answer_headers, ("content-length", str(len(body)))]
        head = [f"HTTP/1.1 {status} Status", *(f"{k}: {v}" for k, v in answer_headers)]
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
        await writer.drain()
        if ("connection", "close") in answer_headers:
            return False
        if request[2].get("connection", "").lower() == "close":
            return False  # the client said it would send no more (RFC 9112 §9.6)
        if status in self._hang_up_after:
            await self._read(reader, writer)  # written on this connection: never answered
            return False
        return True

    async def _read(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> Request:
        """One request, its body framed as RFC 9112 lets a client frame it: a
        Content-Length, or chunked (extensions and trailer fields read past), after a 100
        for a client that expects one."""
        lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        method, path, _ = lines[0].split(" ", 2)
        headers = {}
        for line in lines[1:]:
            name, colon, value = line.partition(":")
            if colon:
                headers[name.strip().lower()] = value.strip()
        if headers.get("expect", "").lower() == "100-continue":
            writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            await writer.drain()
        if "chunked" in headers.get("transfer-encoding", "").lower():
            body = await _chunked(reader)
        else:
            body = await reader.readexactly(int(headers.get("content-length", "0")))
        self._traffic.requests.append(f"{method} {path}")
        return method, path, headers, body


async def _chunked(reader: asyncio.StreamReader) -> bytes:
    body = bytearray()
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";", 1)[0].strip(), 16)
        if size == 0:
            while await reader.readuntil(b"\r\n") != b"\r\n":
                pass  # trailer fields
            return bytes(body)
        body += await reader.readexactly(size)
        await reader.readexactly(2)


@contextmanager
def raw_server(
    handler: Handler,
    *,
    traffic: Traffic | None = None,
    hang_up_after: Collection[int] = (),
    revive_after: float | None = None,
) -> Iterator[str]:
    """Serve ``handler`` on a free loopback port in a thread; yields the base URL.

    ``traffic``, if given, counts connections and requests; after answering with a status in
    ``hang_up_after``, the server reads the next request on that connection and hangs up.
    After a :attr:`Silence.CRASH` it listens again ``revive_after`` seconds later, if given.
    """
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    server = _RawServer(
        handler, Traffic() if traffic is None else traffic, hang_up_after, revive_after
    )
    port = asyncio.run_coroutine_threadsafe(server.start(), loop).result(10)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        asyncio.run_coroutine_threadsafe(server.stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
