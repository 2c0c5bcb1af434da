"""Servers that answer with hostility, on raw sockets: each writes bytes of its own choosing.

Each :class:`Hostile` is one way an answer can go wrong on the wire (RFC 9112's framing, a
size without end, a pace without end, bytes a terminal or an XML parser acts on), served on
every connection and to every request, as a broken or malicious server would.
:func:`hostile_servers` serves them all, each on a port of its own, in one process.
"""

from __future__ import annotations

import asyncio
import json
import socket
import struct
import subprocess
import sys
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

Writer = asyncio.StreamWriter
Behaviour = Callable[[Writer], Awaitable[bool]]  # whether the connection may serve another

CHUNK = b"x" * 65536
# What a terminal, a CI runner and an XML parser act on, in a JSON 500's body.
ACTING = (
    "\x1b[2J\x1b]0;pwned\x07 \x00 \u202eevil\u202c \x9b31m \x0b"
    "\n::error::from the server\r\n  ::warning::indented"
)


@dataclass(frozen=True)
class Hostile:
    name: str
    behaviour: Behaviour
    check: str  # the finding it gets (exit 1), or "" for a server that is not HTTP (exit 2)
    early: bool = False  # it speaks as the connection opens, before any request


async def _write(writer: Writer, data: bytes) -> None:
    writer.write(data)
    await writer.drain()


def _head(status: str, *headers: str) -> bytes:
    return ("\r\n".join([f"HTTP/1.1 {status}", *headers]) + "\r\n\r\n").encode("latin-1")


def once(data: bytes, *, keep: bool = False) -> Behaviour:
    """Write ``data``; then close the connection unless ``keep``."""

    async def behave(writer: Writer) -> bool:
        await _write(writer, data)
        return keep

    return behave


async def endless_chunked(writer: Writer) -> bool:
    await _write(writer, _head("422 Unprocessable Entity", "content-type: application/json",
                               "transfer-encoding: chunked"))  # fmt: skip
    while True:
        await _write(writer, b"10000\r\n" + CHUNK + b"\r\n")


async def endless_length(writer: Writer) -> bool:
    await _write(writer, _head("422 Unprocessable Entity", "content-type: application/json",
                               "content-length: 99999999999999"))  # fmt: skip
    while True:
        await _write(writer, CHUNK)


async def drip(writer: Writer) -> bool:
    for byte in _head("204 No Content"):
        await _write(writer, bytes([byte]))
        await asyncio.sleep(0.25)
    return True


async def reset_mid_body(writer: Writer) -> bool:
    await _write(writer, _head("422 Unprocessable Entity", "content-type: application/json",
                               "content-length: 100") + b'{"detail": [')  # fmt: skip
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()  # RST, not FIN
    return False


async def flood(writer: Writer) -> bool:
    await _write(writer, b"HTTP/1.1 204 No Content\r\n")
    for index in range(20000):
        await _write(writer, f"x-flood-{index}: {'y' * 40}\r\n".encode())
    await _write(writer, b"\r\n")
    return False


_VALID_204 = _head("204 No Content")
_JSON = "content-type: application/json"

HOSTILE = [
    Hostile("an endless chunked body", endless_chunked, "answer_too_large"),
    Hostile("an endless body of a huge Content-Length", endless_length, "answer_too_large"),
    Hostile("a 204 a byte at a time", drip, "answer_too_slow"),
    Hostile("an invalid status line", once(b"HTTP/1.1 two hundred OK\r\n\r\n"), "malformed_answer"),
    Hostile("bad chunk framing", once(_head("422 Unprocessable Entity", _JSON,
                                            "transfer-encoding: chunked") + b"zz\r\n{}\r\n"),
            "malformed_answer"),
    Hostile("a Content-Length longer than the body",
            once(_head("422 Unprocessable Entity", _JSON, "content-length: 500")
                 + b'{"detail":[]}'),
            "malformed_answer"),
    Hostile("a Content-Length shorter than the body",
            once(_head("422 Unprocessable Entity", _JSON, "content-length: 2") + b"{}garbage",
                 keep=True), "malformed_answer"),
    Hostile("Content-Length and chunked both",
            once(_head("422 Unprocessable Entity", _JSON, "content-length: 2",
                       "transfer-encoding: chunked") + b"2\r\n{}\r\n0\r\n\r\n"),
            "malformed_answer"),
    Hostile("two different Content-Lengths",
            once(_head("422 Unprocessable Entity", _JSON, "content-length: 2",
                       "content-length: 3") + b"{} "), "malformed_answer"),
    Hostile("a flood of headers", flood, "answer_too_large"),  # at 64 KiB
    Hostile("bytes before the answer", once(b"\x00\x1b[2Jgarbage\r\n" + _VALID_204),
            "malformed_answer", early=True),
    Hostile("a reset mid-body", reset_mid_body, "malformed_answer"),
    Hostile("controls in a header value",
            once(_head("204 No Content", "x-evil: \x1b[2J\x07")), "malformed_answer"),
    Hostile("controls and workflow commands in a 500's body",
            once(_head("500 Internal Server Error", _JSON, "connection: close")
                 + ('{"detail": "' + ACTING + '"}').encode("utf-8")),
            "server_error"),
    Hostile("not HTTP at all", once(b"SSH-2.0-OpenSSH_9.2p1\r\n"), ""),
]  # fmt: skip


async def _read_request(reader: asyncio.StreamReader) -> bool:
    """Read one request (its head and a Content-Length body); whether one came."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        return False
    length = 0
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length" and value.strip().isdigit():
            length = int(value)
    try:
        await reader.readexactly(length)
    except (asyncio.IncompleteReadError, ConnectionError):
        return False
    return True


async def _serve_all(announce: Callable[[dict[str, str]], None]) -> None:
    servers = {}
    for hostile in HOSTILE:
        servers[hostile.name] = await asyncio.start_server(_connection(hostile), "127.0.0.1", 0)
    announce({name: f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
              for name, server in servers.items()})  # fmt: skip
    await asyncio.gather(*(server.serve_forever() for server in servers.values()))


def _connection(hostile: Hostile) -> Callable[[asyncio.StreamReader, Writer], Awaitable[None]]:
    async def serve(reader: asyncio.StreamReader, writer: Writer) -> None:
        try:
            if hostile.early:
                await hostile.behaviour(writer)
                await _read_request(reader)
                return
            while await _read_request(reader) and await hostile.behaviour(writer):
                pass
        except (ConnectionError, OSError):
            pass  # the client hung up, as it should past a bound
        finally:
            writer.close()

    return serve


@contextmanager
def hostile_servers() -> Iterator[dict[str, str]]:
    """Every server of :data:`HOSTILE` in a process of its own (their endless writes take no
    time from the process under test): yields each one's base URL by its name."""
    process = subprocess.Popen([sys.executable, __file__], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line, "tests/hostile.py did not start"
        yield json.loads(line)
    finally:
        process.kill()
        process.wait(10)
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                stream.close()


if __name__ == "__main__":
    # Serves until killed: the URLs on one JSON line
    asyncio.run(_serve_all(lambda urls: print(json.dumps(urls), flush=True)))
