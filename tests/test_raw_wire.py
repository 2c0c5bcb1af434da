"""Probes written byte for byte (contract_tests.wire.raw): each shape of the framing layer is
the bytes RFC 9112 says, a real uvicorn server reads each as the same valid body, and their
answers are read within the same bounds as every other answer."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import replace

import pytest
from hostile import HOSTILE, Hostile, hostile_servers

from contract_tests.cases.builder import DEFAULT_WORKSPACE, ProbeSet
from contract_tests.cases.facts import ContractFacts
from contract_tests.cases.layers.framing import FRAMINGS, framing_probes
from contract_tests.cases.model import Framing, Probe
from contract_tests.cases.probes import build_probes
from contract_tests.wire.raw import request_pieces
from contract_tests.wire.transport import BadAnswer, Sender
from honcho_spec import load_document

DOCUMENT = load_document()
PROBES = ProbeSet(ContractFacts.from_document(DOCUMENT), DOCUMENT, DEFAULT_WORKSPACE)
BODY = b'{"observer":"kit","dream_type":"agent"}'


def probe(framing: Framing) -> Probe:
    return Probe("p", "framing", "POST", "/v2/workspaces/ws/trigger_dream", BODY,
                 (("content-type", "application/json"),), framing=framing)  # fmt: skip


@pytest.mark.parametrize(
    ("name", "wire"),
    [
        pytest.param("chunked", b"27\r\n" + BODY + b"\r\n0\r\n\r\n", id="one-chunk"),
        pytest.param("chunked, with chunk extensions",
                     b'10;kit=1;kit-q="a b"\r\n' + BODY[:16] + b'\r\n10;kit=1;kit-q="a b"\r\n'
                     + BODY[16:32] + b'\r\n7;kit=1;kit-q="a b"\r\n' + BODY[32:]
                     + b'\r\n0;kit=1;kit-q="a b"\r\n\r\n', id="extensions"),
        pytest.param("chunked, with a trailer field",
                     b"27\r\n" + BODY + b"\r\n0\r\nkit-trailer: 1\r\n\r\n", id="trailer"),
        pytest.param("chunked, sizes zero-padded in upper-case hex",
                     b"00001A\r\n" + BODY[:26] + b"\r\n00000D\r\n" + BODY[26:] + b"\r\n0\r\n\r\n",
                     id="hex"),
        pytest.param("Content-Length, the body in three writes", BODY, id="pieces"),
    ],
)  # fmt: skip
def test_each_shape_is_the_bytes_rfc_9112_says(name: str, wire: bytes) -> None:
    pieces = request_pieces("http://127.0.0.1:9/", probe(FRAMINGS[name]))
    head, _, body = b"".join(pieces).partition(b"\r\n\r\n")
    assert body == wire
    lines = head.decode().split("\r\n")
    assert lines[0] == "POST /v2/workspaces/ws/trigger_dream HTTP/1.1"
    assert "Host: 127.0.0.1:9" in lines
    framed = (
        "Transfer-Encoding: chunked" if FRAMINGS[name].chunks else f"Content-Length: {len(BODY)}"
    )
    assert framed in lines
    assert len(pieces) == (4 if "three writes" in name else 1)  # the head, then the body's


def test_http_1_0_and_expect_continue_say_so() -> None:
    (old,) = request_pieces("http://h", probe(FRAMINGS["HTTP/1.0"]))
    assert old.startswith(b"POST /v2/workspaces/ws/trigger_dream HTTP/1.0\r\n")
    head, body = request_pieces("http://h", probe(FRAMINGS["Expect: 100-continue"]))
    assert b"\r\nExpect: 100-continue\r\n" in head
    assert body == BODY  # written once the 100 came, or a second passed


@pytest.mark.slow
def test_uvicorn_reads_every_shape_as_the_valid_body(mock_url: str) -> None:
    with Sender(mock_url, timeout=5) as sender:
        answers = {p.name: sender.send(p).status for p in framing_probes(PROBES)}
    assert answers.pop("a valid body in gzip") in (400, 422)  # a coding it does not undo
    assert answers.pop("dream_type missing, chunked") == 422
    assert set(answers.values()) == {204}, answers


@contextmanager
def _answers(*writes: bytes, pause: float = 0.0, close: bool = True) -> Iterator[str]:
    """A server that reads a request's head and answers it at once, body or not, with
    ``writes``, ``pause`` seconds apart, then closes the connection (or, with ``close``
    false, keeps it open until the client closes it)."""
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        connection, _ = listener.accept()
        with connection:
            data = b""
            while b"\r\n\r\n" not in data:
                data += connection.recv(4096)
            for index, write in enumerate(writes):
                if index:
                    threading.Event().wait(pause)
                connection.sendall(write)
            if not close:
                connection.settimeout(5)
                while connection.recv(4096):
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        listener.close()
        thread.join(6)


def _answers_before_the_body(status: bytes) -> AbstractContextManager[str]:
    return _answers(b"HTTP/1.1 " + status + b"\r\ncontent-length: 0\r\n\r\n")


@pytest.mark.slow
def test_a_final_answer_before_the_body_is_the_answer() -> None:
    # RFC 9110 §10.1.1: a server may answer a request that expects a 100 without reading it
    with (
        _answers_before_the_body(b"417 Expectation Failed") as url,
        Sender(url, timeout=5) as sender,
    ):
        reply = sender.send(probe(FRAMINGS["Expect: 100-continue"]))
    assert reply.status == 417


@pytest.fixture(scope="module")
def hostile_urls() -> Iterator[dict[str, str]]:
    with hostile_servers() as urls:
        yield urls


@pytest.mark.slow
@pytest.mark.parametrize(
    "hostile",
    [h for h in HOSTILE if h.check in ("malformed_answer", "answer_too_slow", "answer_too_large")
     and not h.early][:6],
    ids=lambda h: h.name,
)  # fmt: skip
def test_a_broken_answer_to_a_framed_probe_is_a_finding(
    hostile: Hostile, hostile_urls: dict[str, str]
) -> None:
    framed = replace(probe(FRAMINGS["chunked"]), path="/v2/workspaces/ws/trigger_dream")
    with (
        Sender(hostile_urls[hostile.name], timeout=1, max_size=64 << 10) as sender,
        pytest.raises(BadAnswer) as caught,
    ):
        sender.send(framed)
    assert caught.value.check == hostile.check


@pytest.mark.slow
@pytest.mark.parametrize("name", ["Content-Length, the body in three writes",
                                  "chunked, chunks of 1, 7 and 3 bytes and the rest"])  # fmt: skip
def test_an_answer_before_the_body_is_read_after_a_refused_write(name: str) -> None:
    # RFC 9112 §9.5: a client monitors the connection for an answer while it sends the body;
    # a server that answers from the head and closes makes the next writes fail (a broken
    # pipe, a reset), and its answer is on the socket all the same (as httpcore reads it)
    large = replace(probe(FRAMINGS[name]), body=b'{"observer":"' + b"k" * (4 << 20) + b'"}')
    with (
        _answers_before_the_body(b"415 Unsupported Media Type") as url,
        Sender(url, timeout=5) as sender,
    ):
        reply = sender.send(large)
    assert reply.status == 415


HEAD_PROBE = Probe("method HEAD", "method HEAD", "HEAD", "/v2/workspaces/ws/trigger_dream", BODY,
                   (("content-type", "application/json"),),
                   framing=Framing("content-length"))  # fmt: skip
NOT_ALLOWED = b'{"detail":"Method Not Allowed"}'


def _head(length: int) -> bytes:
    return (b"HTTP/1.1 405 Method Not Allowed\r\nallow: POST\r\ncontent-type: application/json"
            b"\r\ncontent-length: %d\r\n\r\n" % length)  # fmt: skip


def test_the_head_probe_is_written_byte_for_byte() -> None:
    (head,) = [p for p in build_probes(PROBES) if p.name == "method HEAD"]
    assert head.framing is not None
    assert head.method == "HEAD"
    assert request_pieces("http://h:1", head)[0].startswith(b"HEAD /v2/workspaces/")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("writes", "pause"),
    [
        pytest.param((_head(len(NOT_ALLOWED)) + NOT_ALLOWED,), 0.0, id="with-the-head"),
        # the content in a write of its own, after the head: httpx would never read it
        pytest.param((_head(len(NOT_ALLOWED)), NOT_ALLOWED), 0.05, id="a-write-later"),
        pytest.param((_head(0), NOT_ALLOWED), 0.05, id="past-a-zero-length"),
    ],
)
def test_content_after_the_head_of_an_answer_to_head_is_a_finding(
    writes: tuple[bytes, ...], pause: float
) -> None:
    with (
        _answers(*writes, pause=pause) as url,
        Sender(url, timeout=5) as sender,
        pytest.raises(BadAnswer) as caught,
    ):
        sender.send(HEAD_PROBE)
    assert caught.value.check == "malformed_answer"
    assert f"{len(NOT_ALLOWED)} bytes after the head of an answer to HEAD" in str(caught.value)


@pytest.mark.slow
@pytest.mark.parametrize("close", [True, False], ids=["closed", "kept-open"])
def test_a_head_answer_with_no_content_is_the_answer(close: bool) -> None:
    # RFC 9110 §9.3.2: Content-Length may give the length a GET would have; no byte follows.
    # A server that keeps the connection open despite Connection: close costs a moment, no more
    with (
        _answers(_head(len(NOT_ALLOWED)), close=close) as url,
        Sender(url, timeout=5) as sender,
    ):
        started = time.monotonic()
        reply = sender.send(HEAD_PROBE)
        waited = time.monotonic() - started
    assert (reply.status, reply.body, reply.header("allow")) == (405, b"", "POST")
    assert waited < 2
