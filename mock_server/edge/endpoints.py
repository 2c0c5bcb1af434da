"""The operations' ASGI endpoints: the faithful one, and the steered one with its controls.

:class:`FaithfulEndpoint` answers the verdict alone (every control off). For
:class:`SteeredEndpoint` the verdict is the faithful one (:meth:`OperationHandler.decide`);
the plan (:mod:`mock_server.controls.steering`) may refuse a ``Prefer`` header (400), answer
a fault, force a documented status, delay the answer, or give none: ``reset`` resets the
connection (TCP RST), ``timeout`` keeps it open until the client gives up
(:mod:`mock_server.edge.waits`). A queued sequence's next answer
(:mod:`mock_server.controls.sequences`) is a plan too, and beats ``Prefer`` and chaos. A
request with no ``Prefer`` header on a mock without latency, fault rate or sequence gets
exactly the faithful answer, after one look at :attr:`Live.busy`.
"""

from __future__ import annotations

import time
from typing import Any

from starlette.datastructures import Headers, QueryParams
from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from ..answer.handler import Incoming, OperationHandler
from ..answer.rendering import Answer, json_answer
from ..controls.chaos import fault_status
from ..controls.dreams import DreamReader
from ..controls.forcing import Forcing, status_answer
from ..controls.journal import BODY_LIMIT, EXTRAS, Journal, extras
from ..controls.live import Live
from ..controls.matching import RequestView, body_of
from ..controls.steering import Plan, Steering
from .waits import Holds, drop_connection

__all__ = ["FaithfulEndpoint", "SteeredEndpoint", "incoming_for", "read_body"]


class FaithfulEndpoint:
    """A raw ASGI endpoint: reads the body and the few headers the verdict needs."""

    def __init__(self, handler: OperationHandler) -> None:
        self._handler = handler
        self._reads_body = handler.validator.has_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        handler = self._handler
        body = await read_body(receive) if self._reads_body else b""
        content_type = authorization = None
        for name, value in scope["headers"]:
            if name == b"content-type" and content_type is None:
                content_type = value.decode("latin-1")
            elif name == b"authorization" and authorization is None:
                authorization = value.decode("latin-1")
        answer, _ = handler.decide(incoming_for(handler, scope, content_type, authorization, body))
        await send(
            {"type": "http.response.start", "status": answer.status, "headers": answer.headers}
        )
        await send({"type": "http.response.body", "body": answer.body})


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
        live: Live,
    ) -> None:
        self._handler = handler
        self._steering = steering
        self._forcing = forcing
        self._journal = journal
        self._holds = holds
        self._reads_body = handler.validator.has_body
        self._reads_prefer = steering.reads_prefer
        self._live = live
        self._template = handler.operation.path
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
        plan = None
        live = self._live
        if live.busy:  # a sequence is queued, or latency or faults are on
            if live.sequences.queued:
                plan = self._queued(scope, content_type, body)
            if plan is None:
                plan = self._steering.plan(prefer)
        elif prefer is not None:
            plan = self._steering.plan(prefer)
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
            await drop_connection(plan.fault, receive, send, self._holds)
            return
        if plan is not None and plan.delay:
            await self._holds.sleep(plan.delay)
        start = {"type": "http.response.start", "status": answer.status, "headers": answer.headers}
        await send(start)
        await send({"type": "http.response.body", "body": answer.body})

    def _queued(self, scope: Scope, content_type: str | None, body: bytes) -> Plan | None:
        sequences = self._live.sequences
        view = RequestView(
            scope["method"],
            scope["path"],
            scope["path_params"].get("workspace_id"),
            body_of(body, content_type) if sequences.reads_body else None,
            self._template,
        )
        return sequences.take(view)

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
