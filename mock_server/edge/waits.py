"""What the steered endpoint waits on and how it gives no answer: delays, timeouts, resets.

Waiting requests end when the server stops (:meth:`Holds.release`), or uvicorn would wait for
them forever. ASGI has no way to reset a connection: :func:`drop_connection` reaches into
uvicorn's transport, and on another server starts an answer and abandons it.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct

from starlette.types import Receive, Send

__all__ = ["Holds", "drop_connection"]


class Holds:
    """The requests a mock keeps waiting; :meth:`release` ends every wait, now and later."""

    def __init__(self) -> None:
        self._released = False
        self._event: asyncio.Event | None = None

    def release(self) -> None:
        self._released = True
        if self._event is not None:
            self._event.set()

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds``, or less if the server stops."""
        if not self._released:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wait(), seconds)

    async def until_disconnect(self, receive: Receive) -> None:
        """Wait until the client goes away or the server stops."""
        if self._released:
            return
        waits = [asyncio.ensure_future(receive()), asyncio.ensure_future(self._wait())]
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        for wait in waits:
            wait.cancel()

    async def _wait(self) -> None:
        if self._event is None:
            self._event = asyncio.Event()
            if self._released:
                self._event.set()
        await self._event.wait()


async def drop_connection(fault: str | None, receive: Receive, send: Send, holds: Holds) -> None:
    if fault == "timeout":
        await holds.until_disconnect(receive)
    # uvicorn's ``receive`` is a method of the request's cycle, which holds the transport;
    # ASGI itself has no way to reset a connection.
    transport = getattr(getattr(receive, "__self__", None), "transport", None)
    if transport is None:  # another server: start an answer and abandon it
        await send({"type": "http.response.start", "status": 500, "headers": []})
        return
    if fault == "reset":
        sock = transport.get_extra_info("socket")
        if sock is not None:  # linger 0: close() sends RST, not FIN
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()
    await receive()  # uvicorn's http.disconnect, once it sees the connection gone
