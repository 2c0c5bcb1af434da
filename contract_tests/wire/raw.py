"""Requests written byte for byte, for the shapes of the wire an HTTP client library writes
its own way or not at all: the chunked transfer coding in several shapes, a body in several
writes, HTTP/1.0, ``Expect: 100-continue`` (:class:`~contract_tests.cases.model.Framing`).

Each goes on a connection of its own, through the kit's bounded network backend (the
exchange's deadline and cap hold as for every answer), and its answer is read with h11, as
httpx reads the others. Failures are httpx's exceptions, so the transport tells them apart
as it does for the rest.
"""

from __future__ import annotations

import socket
import ssl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import h11
import httpcore
import httpx

from ..cases.model import Framing, Probe, Reply
from .bounds import BoundedBackend

__all__ = ["MalformedAnswer", "exchange", "request_pieces"]

_PAUSE = 0.02  # between writes: each piece its own segment (Nagle is off)
_CONTINUE_WAIT = 1.0  # RFC 9110 §10.1.1: a client need not wait long for a 100
_READ = 65536
# how long the end of a HEAD's answer waits for the close (Connection: close) or for bytes
# sent after its head: a server closes at once, and content sent with the head comes with it
_AFTER_HEAD_WAIT = 0.25
_NO_DELAY = [(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
_HTTPX = {
    httpcore.ConnectTimeout: httpx.ConnectTimeout,
    httpcore.ConnectError: httpx.ConnectError,
    httpcore.ReadTimeout: httpx.ReadTimeout,
    httpcore.WriteTimeout: httpx.WriteTimeout,
    httpcore.ReadError: httpx.ReadError,
    httpcore.WriteError: httpx.WriteError,
}


class MalformedAnswer(Exception):  # noqa: N818 - an outcome, told as a finding
    """The answer is not HTTP/1.1 as RFC 9112 frames it; the message says how."""


def request_pieces(base_url: str, probe: Probe) -> list[bytes]:
    """The writes that send ``probe`` to ``base_url`` as its framing says: the head, then
    the body in as many writes as the shape has pieces (the head alone first if more than
    one)."""
    framing = probe.framing or Framing("content-length")
    target = urlsplit(base_url)
    lines = [f"{probe.method} {target.path.rstrip('/')}{probe.path} {framing.version}",
             f"Host: {target.netloc}"]  # fmt: skip
    lines += [f"{name}: {value}" for name, value in probe.headers]
    body = probe.body or b""
    if framing.chunks:
        lines.append("Transfer-Encoding: chunked")
        parts = _chunked(framing, body)
    else:
        lines.append(f"Content-Length: {len(body)}")
        parts = _split(body, framing.pieces) if body else []
    if framing.expect_continue:
        lines.append("Expect: 100-continue")
    lines.append("Connection: close")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    if framing.pieces <= 1 and not framing.expect_continue:
        return [head + b"".join(parts)]
    return [head, *parts]


def _chunked(framing: Framing, body: bytes) -> list[bytes]:
    chunks, at = [], 0
    for size in framing.chunk_sizes(len(body)):
        digits = f"{size:0{framing.size_digits}X}" if framing.size_digits else f"{size:x}"
        chunks.append(f"{digits}{framing.extension}\r\n".encode() + body[at : at + size] + b"\r\n")
        at += size
    trailer = "".join(f"{name}: {value}\r\n" for name, value in framing.trailer)
    chunks.append(f"0{framing.extension}\r\n{trailer}\r\n".encode("latin-1"))
    return _joined(chunks, framing.pieces)


def _split(data: bytes, pieces: int) -> list[bytes]:
    pieces = max(1, min(pieces, len(data)))
    step = -(-len(data) // pieces)
    return [data[at : at + step] for at in range(0, len(data), step)]


def _joined(chunks: list[bytes], pieces: int) -> list[bytes]:
    """The chunks in ``pieces`` writes (each a whole number of chunks), the last chunk
    with the one before it."""
    if pieces <= 1 or len(chunks) <= 1:
        return [b"".join(chunks)]
    writes = chunks[: pieces - 1]
    writes.append(b"".join(chunks[pieces - 1 :]))
    return writes


def exchange(base_url: str, probe: Probe, *, timeout: float, tls: ssl.SSLContext | None) -> Reply:
    """Send ``probe`` to ``base_url`` byte for byte and read its answer (within the calling
    thread's bounds, :func:`~contract_tests.wire.bounds.bounded`)."""
    url = urlsplit(base_url)
    host = url.hostname or "localhost"
    port = url.port or (443 if url.scheme == "https" else 80)
    pieces = request_pieces(base_url, probe)
    with _httpx_errors():
        stream = BoundedBackend().connect_tcp(host, port, timeout, socket_options=_NO_DELAY)
        try:
            if url.scheme == "https":
                context = tls or httpx.create_ssl_context()
                stream = stream.start_tls(context, server_hostname=host, timeout=timeout)
            return _converse(stream, pieces, probe, timeout)
        finally:
            stream.close()


def _converse(stream: httpcore.NetworkStream, pieces: list[bytes], probe: Probe,
              timeout: float) -> Reply:  # fmt: skip
    framing = probe.framing or Framing("content-length")
    answer = h11.Connection(h11.CLIENT)
    # h11 keeps the state of both sides: the request it is told of is the one on the wire
    answer.send(h11.Request(method=probe.method, target="/", headers=[("host", "kit")]))
    refused = _write(stream, pieces[0], timeout)
    rest = [] if refused else pieces[1:]
    if framing.expect_continue and rest:
        first = _events(stream, answer, timeout, wait=_CONTINUE_WAIT)
        event = next(first, None)
        if isinstance(event, h11.Response):  # a final answer before the body: no body then
            return _rest_of(event, first)
    for piece in rest:
        time.sleep(_PAUSE)
        refused = _write(stream, piece, timeout)
        if refused:
            break
    try:
        events = _events(stream, answer, timeout)
        for event in events:
            if isinstance(event, h11.Response):
                reply = _rest_of(event, events)
                if probe.method == "HEAD" and event.status_code >= 200:
                    _nothing_after_head(stream, answer, timeout)
                return reply
    except httpcore.ReadError:
        if refused:
            raise refused from None  # nothing to read: the write's failure is the outcome
        raise
    if refused:
        raise refused
    raise MalformedAnswer("the connection closed before an answer's head")


def _write(stream: httpcore.NetworkStream, data: bytes, timeout: float) -> Exception | None:
    """Write ``data``; a write the server refused (it closed, or reset, the connection) is
    returned, not raised: a server may answer before it has read the whole request
    (RFC 9112 §9.5), and its answer may wait on the socket, to be read as httpcore reads it."""
    try:
        stream.write(data, timeout)
    except httpcore.WriteError as exc:
        return exc
    return None


def _events(stream: httpcore.NetworkStream, answer: h11.Connection, timeout: float,
            wait: float | None = None) -> Iterator[h11.Event]:  # fmt: skip
    """The answer's events as they come, 1xx answers passed over. With ``wait`` (a request
    that expects a 100), none if nothing came that long, and none past a 100; the first
    byte of anything else ends the wait."""
    while True:
        try:
            event = answer.next_event()
        except h11.RemoteProtocolError as exc:
            raise MalformedAnswer(str(exc)) from None
        if event is h11.NEED_DATA:
            try:
                data = stream.read(_READ, timeout if wait is None else wait)
            except httpcore.ReadTimeout:
                if wait is None:
                    raise
                return
            answer.receive_data(data)
            continue
        if event is h11.PAUSED or not isinstance(event, h11.Event):
            return
        if isinstance(event, h11.ConnectionClosed):
            return
        if isinstance(event, h11.InformationalResponse):
            if wait is not None:
                return  # the 100 came: the body may go
            continue
        wait = None
        yield event


def _nothing_after_head(stream: httpcore.NetworkStream, answer: h11.Connection,
                        timeout: float) -> None:  # fmt: skip
    """Read what comes after the head of an answer to HEAD, until the server closes (the
    request said ``Connection: close``) or a moment passes: a byte of it is content, which
    RFC 9110 §9.3.2 forbids (RFC 9112 §6.3: a client reads it as the next answer)."""
    extra, _ = answer.trailing_data
    received = len(extra)
    deadline = time.monotonic() + min(_AFTER_HEAD_WAIT, timeout)
    while (left := deadline - time.monotonic()) > 0:
        try:
            data = stream.read(_READ, left)
        except (httpcore.ReadTimeout, httpcore.ReadError):
            break  # still open, or reset once it was done: nothing more came
        if not data:
            break
        received += len(data)
    if received:
        raise MalformedAnswer(
            f"{received:,} bytes after the head of an answer to HEAD, which has no content "
            "(RFC 9110 §9.3.2)"
        )


def _rest_of(head: h11.Response, events: Iterator[h11.Event]) -> Reply:
    body = bytearray()
    for event in events:
        if isinstance(event, h11.Data):
            body += event.data
        elif isinstance(event, h11.EndOfMessage):
            headers = tuple((k.decode("latin-1"), v.decode("latin-1")) for k, v in head.headers)
            return Reply(head.status_code, headers, bytes(body))
    raise MalformedAnswer("the connection closed before the answer's end")


@contextmanager
def _httpx_errors() -> Iterator[None]:
    """httpcore's errors as httpx's, which the transport tells apart."""
    try:
        yield
    except tuple(_HTTPX) as exc:
        kind = next(httpx_kind for core, httpx_kind in _HTTPX.items() if isinstance(exc, core))
        raise kind(str(exc)) from exc
