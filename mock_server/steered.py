"""The Starlette edge of a steered operation: its verdict, then the plan applied to it.

The verdict is the faithful one (:meth:`OperationHandler.decide`); the plan
(:mod:`mock_server.steering`) may refuse a ``Prefer`` header (400), answer a fault, force a
documented status, delay the answer, or give none: ``reset`` resets the connection (TCP
RST), ``timeout`` keeps it open until the client gives up. Waiting requests end when the
server stops (:class:`Holds`). A request with no ``Prefer`` header on a mock without
latency or fault rate gets exactly the faithful answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import time
from typing import Any

from starlette.datastructures import Headers, QueryParams
from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from .chaos import fault_status
from .dreams import DreamReader
from .forcing import Forcing, status_answer
from .handler import Incoming, OperationHandler
from .journal import BODY_LIMIT, EXTRAS, Journal, extras
from .rendering import Answer, json_answer
from .steering import Plan, Steering

__all__ = ["Holds", "SteeredEndpoint", "incoming_for", "read_body"]


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


class SteeredEndpoint:
    """A raw ASGI endpoint for one operation, with its controls."""

    def __init__(
        self,
        handler: OperationHandler,
        steering: Steering,
        forcing: Forcing,
        journal: Journal | None,
        holds: Holds,
        *,
        chaotic: bool,
    ) -> None:
        self._handler = handler
        self._steering = steering
        self._forcing = forcing
        self._journal = journal
        self._holds = holds
        self._reads_body = handler.validator.has_body
        self._reads_prefer = steering.reads_prefer
        self._chaotic = chaotic
        self._dreams = DreamReader(handler)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        arrived = time.time()
        handler = self._handler
        body = await read_body(receive) if self._reads_body else b""
        content_type = authorization = prefer = None
        for name, value in scope["headers"]:
            if name == b"content-type":
                if content_type is None:
                    content_type = value.decode("latin-1")
            elif name == b"authorization":
                if authorization is None:
                    authorization = value.decode("latin-1")
            elif name == b"prefer" and self._reads_prefer:
                text = value.decode("latin-1")
                prefer = text if prefer is None else f"{prefer}, {text}"
        incoming = incoming_for(handler, scope, content_type, authorization, body)
        plan = self._steering.plan(prefer) if prefer is not None or self._chaotic else None
        if plan is None:
            answer: Answer | None
            answer, value = handler.decide(incoming)
        else:
            answer, value = self._apply(plan, incoming)
        if self._journal is not None:  # journaled here, with what only the endpoint knows
            dream = None
            if len(body) > BODY_LIMIT and answer is handler.success:  # kept in part: read now
                dream = self._dreams.dream_now(scope["path_params"], value)
            answer_body = answer.body if answer is not None else b""
            scope[EXTRAS] = extras(self._dreams, body, answer_body, plan, dream)
            self._journal.record(scope, arrived, answer.status if answer is not None else None)
        if answer is None:  # a connection fault: nothing to send
            assert plan is not None
            await self._holds.sleep(plan.delay)
            await _drop(plan.fault, receive, send, self._holds)
            return
        if plan is not None and plan.delay:
            await self._holds.sleep(plan.delay)
        start = {"type": "http.response.start", "status": answer.status, "headers": answer.headers}
        await send(start)
        await send({"type": "http.response.body", "body": answer.body})

    def _apply(self, plan: Plan, incoming: Incoming) -> tuple[Answer | None, Any]:
        if plan.refusal is not None:
            return json_answer(400, {"detail": plan.refusal}), None
        if plan.fault is not None:
            status = fault_status(plan.fault)
            return (status_answer(status) if status is not None else None), None
        answer, value = self._handler.decide(incoming)
        if plan.code is not None:
            forced = self._forcing.answer(plan.code, incoming, answer)
            if forced is None:
                operation = self._handler.operation
                detail = (
                    f"Prefer: code=422 cannot be forced: every request to {operation.method} "
                    f"{operation.path} is valid"
                )
                return json_answer(400, {"detail": detail}), None
            answer = forced
        return answer, value


def incoming_for(
    handler: OperationHandler,
    scope: Scope,
    content_type: str | None,
    authorization: str | None,
    body: bytes,
) -> Incoming:
    """What ``handler`` decides on: query, headers and cookies only when it reads them."""
    if not handler.reads_parts:
        return Incoming(scope["path_params"], content_type, authorization, body)
    return Incoming(
        scope["path_params"],
        content_type,
        authorization,
        body,
        query=QueryParams(scope["query_string"]),
        headers=Headers(scope=scope),
        cookies=Request(scope).cookies,
    )


async def read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":  # the client went away
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _drop(fault: str | None, receive: Receive, send: Send, holds: Holds) -> None:
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
