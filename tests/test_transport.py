"""The Sender sends a request its keep-alive connection dropped once more, on a fresh one.

``raw_server`` makes the race deterministic: after a 500 it reads the next request written
on that connection and hangs up without answering, which is the race lost at its worst.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from contract_tests.cases.model import Probe
from contract_tests.errors import UnreachableError
from contract_tests.wire.transport import NoAnswer, Sender

from raw_server import Answer, Silence, Traffic, raw_server


def answer(method: str, path: str, headers: dict[str, str], body: bytes) -> Answer | Silence:
    if path == "/boom":  # a 500 with its length and without ``connection: close``
        return 500, [("content-type", "text/plain")], b"boom"
    if path == "/gone":
        return Silence.HANG_UP
    if path == "/slow":
        return Silence.STALL
    return 200, [("content-type", "text/plain")], f"{method} ".encode() + body


def probe(path: str, method: str = "GET", body: bytes | None = None) -> Probe:
    return Probe(name=f"{method} {path}", location="test", method=method, path=path, body=body)


def eventually(condition: Callable[[], bool]) -> bool:
    """Whether ``condition`` holds within two seconds (the server sees a close a bit later)."""
    deadline = time.monotonic() + 2
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_the_server_drops_the_request_written_after_a_500() -> None:
    """Without a resend, the request after the 500 gets nothing: the race is really lost."""
    with (
        raw_server(answer, hang_up_after={500}) as url,
        httpx.Client(base_url=url) as client,
    ):
        assert client.get("/boom").status_code == 500
        with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
            client.get("/ok")


@pytest.mark.parametrize(
    ("method", "body", "expected"),
    [
        pytest.param("GET", None, b"GET ", id="get"),
        pytest.param("POST", b'{"a":1}', b'POST {"a":1}', id="post-with-body"),
    ],
)
def test_a_request_dropped_after_a_500_gets_its_answer_on_a_fresh_connection(
    method: str, body: bytes | None, expected: bytes
) -> None:
    traffic = Traffic()
    with (
        raw_server(answer, traffic=traffic, hang_up_after={500}) as url,
        Sender(url, timeout=5) as sender,
    ):
        assert sender.send(probe("/boom")).status == 500
        reply = sender.send(probe("/ok", method, body))
    assert (reply.status, reply.body) == (200, expected)
    assert traffic.requests == ["GET /boom", f"{method} /ok", f"{method} /ok"]
    assert traffic.connections == 2


def test_threads_sharing_a_sender_each_get_their_answer() -> None:
    paths = ["/boom", "/ok"] * 40
    with (
        raw_server(answer, hang_up_after={500}) as url,
        Sender(url, timeout=5) as sender,
        ThreadPoolExecutor(8) as pool,
    ):
        statuses = list(pool.map(lambda path: sender.send(probe(path)).status, paths))
    assert statuses == [500, 200] * 40


@pytest.mark.parametrize(
    ("call", "path", "message", "requests"),
    [
        pytest.param("send", "/gone", r"^no answer, also on a fresh connection \(Server "
                     r"disconnected without sending a response\.?\)$", 2, id="send-hang-up"),
        pytest.param("confirm", "/gone", r"^no answer on a fresh connection \(Server "
                     r"disconnected without sending a response\.?\)$", 1, id="confirm-hang-up"),
        pytest.param("send", "/slow", r"^no answer \(timed out\)$", 1, id="send-timeout"),
        pytest.param("confirm", "/slow", r"^no answer on a fresh connection \(timed out\)$", 1,
                     id="confirm-timeout"),
    ],
)  # fmt: skip
@pytest.mark.slow
def test_no_answer(call: str, path: str, message: str, requests: int) -> None:
    """A hang-up is sent once more on a fresh connection, a timeout is not."""
    traffic = Traffic()
    with raw_server(answer, traffic=traffic) as url, Sender(url, timeout=0.3) as sender:
        with pytest.raises(NoAnswer, match=message):
            getattr(sender, call)(probe(path))
        assert traffic.requests == [f"GET {path}"] * requests
        assert traffic.connections == requests


@pytest.mark.parametrize(
    ("call", "connections", "closed"),
    [
        pytest.param("send", 1, 0, id="send-keeps-one-connection-alive"),
        pytest.param("confirm", 4, 3, id="confirm-opens-and-closes-one-per-call"),
    ],
)
def test_connections(call: str, connections: int, closed: int) -> None:
    """After one ``send``, three more calls: ``confirm`` never takes the pooled connection."""
    traffic = Traffic()
    with raw_server(answer, traffic=traffic) as url, Sender(url, timeout=5) as sender:
        assert sender.send(probe("/ok")).status == 200
        for _ in range(3):
            assert getattr(sender, call)(probe("/ok")).status == 200
        assert traffic.connections == connections
        assert eventually(lambda: traffic.closed == closed)
        assert traffic.closed == closed


@pytest.mark.parametrize("call", ["send", "confirm"])
@pytest.mark.slow
def test_nothing_listening_is_unreachable(call: str) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, never listening: connections are refused
        with (
            Sender(f"http://127.0.0.1:{port}", timeout=5) as sender,
            pytest.raises(UnreachableError, match="cannot reach the server"),
        ):
            getattr(sender, call)(probe("/ok"))
