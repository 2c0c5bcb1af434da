"""A bare HTTP/1.1 server that writes exactly the bytes it is given.

uvicorn (on h11 and on httptools alike) refuses to send a body with a 204; some servers
do. This one lets a test put one on the wire, to show the suite sees it.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Answer = tuple[int, list[tuple[str, str]], bytes]
Handler = Callable[[str, str, dict[str, str], bytes], Answer]


class _RawServer:
    def __init__(self, handler: Handler) -> None:
        self._handler = handler
        self._clients: set[asyncio.Task[None]] = set()
        self._server: asyncio.AbstractServer | None = None

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for client in list(self._clients):
            client.cancel()
        await asyncio.gather(*self._clients, return_exceptions=True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._clients.add(task)
        try:
            while await self._answer_one(reader, writer):
                pass
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()
            self._clients.discard(task)

    async def _answer_one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        method, path, _ = lines[0].split(" ", 2)
        headers = {}
        for line in lines[1:]:
            name, colon, value = line.partition(":")
            if colon:
                headers[name.strip().lower()] = value.strip()
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        status, answer_headers, answer = self._handler(method, path, headers, body)
        if status != 204 and not any(name == "content-length" for name, _ in answer_headers):
            answer_headers = [*answer_headers, ("content-length", str(len(answer)))]
        head = [f"HTTP/1.1 {status} Status", *(f"{k}: {v}" for k, v in answer_headers)]
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + answer)
        await writer.drain()
        return ("connection", "close") not in answer_headers


@contextmanager
def raw_server(handler: Handler) -> Iterator[str]:
    """Serve ``handler`` on a free loopback port in a thread; yields the base URL."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    server = _RawServer(handler)
    port = asyncio.run_coroutine_threadsafe(server.start(), loop).result(10)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        asyncio.run_coroutine_threadsafe(server.stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
