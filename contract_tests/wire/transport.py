"""Send probes exactly as built, over real HTTP.

Probes go out on keep-alive connections. A server may close an idle one without saying so
(no ``Connection: close``): uvicorn once an exception escapes after its 500 is sent, Node's
and waitress's idle timeouts. A request written on such a connection as it closes meets a
reset or "Server disconnected without sending a response", which tells nothing of how the
server answers it. So :meth:`Sender.send` sends a request whose connection dropped before an
answer once more, on a fresh connection (as browsers, curl and schemathesis do), and raises
:class:`NoAnswer` only if that gets nothing either; a timeout is not sent again.
:meth:`Sender.confirm` sends a probe on a fresh connection, to confirm a finding;
:meth:`Sender.answers` tells whether the server answers at all.

Each answer is read within its bounds (:mod:`.bounds`): ``timeout`` seconds for the whole of
it, headers and body, and ``max_size`` bytes. An answer that breaks one, or that is not
HTTP as RFC 9112 frames it, is a :class:`BadAnswer`, with the bytes that came: a finding
about the answer, not a request left unanswered.
"""

from __future__ import annotations

import ctypes
import re
import ssl
from collections.abc import Callable
from pathlib import Path

import httpx

from ..cases.model import Probe, Reply
from ..errors import UnreachableError, UsageError
from ..options import DEFAULT_ANSWER_SIZE
from . import raw
from .bounds import BoundedBackend, Budget, TooLarge, bounded
from .pace import TokenBucket

__all__ = ["TRANSPORT_HEADERS", "BadAnswer", "NoAnswer", "Sender", "tls_context"]

# What the transport writes for each request itself: a request taken from another client
# (schemathesis's) leaves them out, or they would go twice.
TRANSPORT_HEADERS = frozenset({"content-length", "transfer-encoding", "host", "connection"})

# The connection was closed or reset before an answer came (not a timeout, not a refusal).
_DROPPED = (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)
_FAILED = (httpx.ConnectError, httpx.TimeoutException, *_DROPPED)


class NoAnswer(Exception):  # noqa: N818 - an outcome of a probe, not a fault of the suite
    """The server closed the connection or did not answer in time."""

    check = "no_answer"

    def __init__(self, what: str, *, timed_out: bool = False) -> None:
        super().__init__(what)
        self.timed_out = timed_out  # no byte came in time (else the connection failed)


class BadAnswer(NoAnswer):
    """An answer began but broke a bound or HTTP's framing: ``check`` names which
    (``answer_too_large``, ``answer_too_slow``, ``malformed_answer``), ``head`` holds the
    first bytes that came."""

    def __init__(self, check: str, what: str, head: bytes) -> None:
        super().__init__(what)
        self.check = check
        self.head = head

    @property
    def speaks_http(self) -> bool:
        """Whether the first bytes hold an HTTP status line's start (after bytes of no HTTP:
        a broken answer), or are the start of one (it came slowly): else, not HTTP at all."""
        head = self.head
        return b"HTTP/" in head or (bool(head) and b"HTTP/1.".startswith(head))


class Sender:
    """Sends probes for one run; thread-safe. ``send`` and ``confirm`` raise :class:`NoAnswer`
    per probe and :class:`UnreachableError` when nothing accepts the connection."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float,
        pace: TokenBucket | None = None,
        headers: tuple[tuple[str, str], ...] = (),
        tls: ssl.SSLContext | None = None,
        max_size: int = DEFAULT_ANSWER_SIZE,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.pace = pace  # every request, re-sends included, waits for its slot
        self.headers = headers  # -H: on every request that does not set its own
        self.timeout = timeout
        self.max_size = max_size
        self._tls = tls
        verify: ssl.SSLContext | bool = True if tls is None else tls
        self._pooled = _client(timeout, httpx.Limits(), verify)
        # keeps no idle connection: each request opens its own, closed once it is answered
        self._fresh = _client(timeout, httpx.Limits(max_keepalive_connections=0), verify)

    def send(self, probe: Probe) -> Reply:
        """Send ``probe`` on a keep-alive connection, once more on a fresh one if it drops."""
        try:
            return self._exchange(self._pooled, probe)
        except _DROPPED as exc:
            dropped = _reason(exc)
        except _FAILED as exc:
            raise self._failure(exc, "no answer") from None
        try:
            return self._exchange(self._fresh, probe)
        except _FAILED as exc:
            # the server was there a moment ago: whatever the fresh connection met, no answer
            reasons = "; then ".join(dict.fromkeys([dropped, _reason(exc)]))
            raise NoAnswer(f"no answer, also on a fresh connection ({reasons})") from None

    def confirm(self, probe: Probe) -> Reply:
        """Send ``probe`` on a connection of its own, closed once it is answered."""
        try:
            return self._exchange(self._fresh, probe)
        except _FAILED as exc:
            raise self._failure(exc, "no answer on a fresh connection") from None

    def answers(self, probe: Probe, *, timeout: float) -> bool:
        """Whether the server answers ``probe`` at all (any status), on a fresh connection,
        within ``timeout`` seconds; not held to the rate (a server down gets no load)."""
        try:
            self._exchange(self._fresh, probe, timeout=timeout, paced=False)
        except BadAnswer:
            return True  # an answer began: the server is there
        except _FAILED:
            return False
        return True

    def _exchange(
        self, client: httpx.Client, probe: Probe, timeout: float | None = None, paced: bool = True
    ) -> Reply:
        if self.pace is not None and paced:
            self.pace.take()
        probe = probe.with_headers(self.headers)
        limit = self.timeout if timeout is None else timeout
        with bounded(limit, self.max_size) as budget:
            try:
                if probe.framing is not None:  # a shape of the wire httpx does not write
                    reply = raw.exchange(self.base_url, probe, timeout=limit, tls=self._tls)
                    problem = _framing_problem([(k.encode("latin-1"), v.encode("latin-1"))
                                                for k, v in reply.headers])  # fmt: skip
                    if problem:
                        raise _malformed(problem, budget)
                    return reply
                with client.stream(
                    probe.method,
                    self.base_url + probe.path,
                    content=probe.body,
                    # as the bytes they stand for: a probe may carry a byte past ASCII
                    headers=[(k.encode("latin-1"), v.encode("latin-1")) for k, v in probe.headers],
                    timeout=limit,
                ) as response:
                    problem = _framing_problem(response.headers.raw)
                    if problem:
                        raise _malformed(problem, budget)
                    body = _read(response, budget)
                    extra = _past_the_end(response, budget, probe.method)
                    if extra:
                        raise _malformed(extra, budget)
            except raw.MalformedAnswer as exc:
                raise _malformed(str(exc), budget) from None
            except TooLarge:
                _give_back_memory()
                raise BadAnswer(
                    "answer_too_large",
                    f"the answer passed {_size(self.max_size)} (--max-answer-size): the kit "
                    f"stopped reading it and closed the connection",
                    bytes(budget.head),
                ) from None
            except httpx.TimeoutException as exc:
                if not budget.received:
                    raise
                raise BadAnswer(
                    "answer_too_slow",
                    f"the answer was not whole within {limit:g} s (--timeout holds the whole "
                    f"answer), {budget.received:,} bytes in",
                    bytes(budget.head),
                ) from exc
            except _DROPPED as exc:
                if not budget.received:  # closed before a byte of an answer: no answer
                    raise
                raise _malformed(f"{_reason(exc)}, {budget.received:,} bytes in", budget) from exc
        return Reply(
            status=response.status_code,
            headers=tuple((k, v) for k, v in response.headers.multi_items()),
            body=body,
        )

    def _failure(self, exc: Exception, what: str) -> Exception:
        if "CERTIFICATE_VERIFY_FAILED" in str(exc):
            return UnreachableError(
                f"the server's certificate is not trusted ({_reason(exc)})",
                where=self.base_url,
                fix="pass --tls-verify CA.pem, the CA bundle that signed it (or --tls-verify "
                "false to skip the check)",
            )
        if isinstance(exc, httpx.ConnectError):
            return UnreachableError(
                f"cannot reach the server ({_reason(exc)})",
                where=self.base_url,
                fix="check --base-url and that the server is running",
            )
        timed_out = isinstance(exc, httpx.TimeoutException)
        return NoAnswer(f"{what} ({_reason(exc)})", timed_out=timed_out)

    def close(self) -> None:
        self._pooled.close()
        self._fresh.close()

    def __enter__(self) -> Sender:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def tls_context(
    verify: bool | Path, cert: Path | None = None, key: Path | None = None
) -> ssl.SSLContext | None:
    """What the run's connections check and present: ``None`` for the default (the trusted
    CAs, no client certificate); a file OpenSSL cannot read is a :class:`UsageError`."""
    if verify is True and cert is None:
        return None
    flag, path = "--tls-verify", verify
    try:
        if isinstance(verify, Path):
            context = ssl.create_default_context(cafile=verify)
        else:
            context = httpx.create_ssl_context(verify=verify)
        if cert is not None:
            flag, path = "--cert", cert
            context.load_cert_chain(cert, key)
    except (ssl.SSLError, ValueError) as exc:
        raise UsageError(
            f"{flag} {path}: OpenSSL cannot read it ({exc})",
            fix="give PEM files: a CA bundle, a certificate and its key",
        ) from None
    return context


def _client(timeout: float, limits: httpx.Limits, verify: ssl.SSLContext | bool) -> httpx.Client:
    transport = httpx.HTTPTransport(verify=verify, limits=limits)
    # httpx builds its pool on httpcore's sockets; the pool's reads go through the bounds
    transport._pool._network_backend = BoundedBackend()
    return httpx.Client(transport=transport, timeout=timeout, follow_redirects=False)


def _malformed(problem: str, budget: Budget) -> BadAnswer:
    return BadAnswer("malformed_answer", f"not an HTTP/1.1 answer ({problem})", bytes(budget.head))


# RFC 9110 §5.5: a field value is visible characters, spaces and tabs (obs-text aside)
_CONTROL = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")


def _framing_problem(headers: list[tuple[bytes, bytes]]) -> str:
    """What makes an answer's head one that HTTP forbids, though it parsed: controls in a
    field (RFC 9110 §5.5), or both framings at once (RFC 9112 §6.3: a sender MUST NOT send
    Content-Length with Transfer-Encoding; a sign of response splitting)."""
    names = {name.lower() for name, _ in headers}
    if b"transfer-encoding" in names and b"content-length" in names:
        return "both Content-Length and Transfer-Encoding"
    for name, value in headers:
        if _CONTROL.search(value):
            return f"control characters in the {name.decode('latin-1')} field"
    return ""


def _past_the_end(response: httpx.Response, budget: Budget, method: str) -> str:
    """Bytes that came on the wire past the end its Content-Length gave the answer (a body
    longer than it says: the rest would be read as the next answer), where the head and the
    framing tell that end: a whole head among the first bytes kept, a final status."""
    length = response.headers.get("content-length")
    end = budget.head.find(b"\r\n\r\n")
    if length is None or not length.isdigit() or end < 0 or response.status_code < 200:
        return ""
    # a HEAD's answer has no content whatever its length says; a 204's bytes after a
    # content-length it gives are empty_204's to tell
    expected = end + 4 + (0 if method == "HEAD" else int(length))
    if budget.received <= expected:
        return ""
    return f"{budget.received - expected:,} bytes past its end (content-length: {length})"


def _read(response: httpx.Response, budget: Budget) -> bytes:
    """The body as decoded (a compressed answer is held to the cap once decoded too)."""
    length = response.headers.get("content-length", "")
    if length.isdigit() and int(length) > budget.cap:
        raise TooLarge  # said before a byte of it is read
    # chunks as they come, joined once whole: a buffer grown to the cap by copies leaves the
    # allocator's threshold for returning memory at the cap, and the run's memory with it
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size > budget.cap:
            chunks.clear()  # not kept alive by the exception's frames (a run keeps findings)
            raise TooLarge
    return b"".join(chunks)


def _trimmer() -> Callable[[int], int] | None:
    """glibc's malloc_trim, where the C library has it."""
    try:
        return ctypes.CDLL(None).malloc_trim  # type: ignore[no-any-return, unused-ignore]
    except (OSError, AttributeError):
        return None


_MALLOC_TRIM = _trimmer()


def _give_back_memory() -> None:
    """An answer read to the cap came in a stream of chunks, freed now, which the C
    allocator keeps in its heap (fragmented, never given back: a run against an endless
    answer grew by the cap at each): hand the free pages back to the system."""
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


def _size(size: int) -> str:
    for unit, scale in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale and size % scale == 0:
            return f"{size // scale} {unit}"
    return f"{size:,} bytes"


def _reason(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[-1] if text else type(exc).__name__
