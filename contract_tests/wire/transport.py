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
"""

from __future__ import annotations

import ssl
from pathlib import Path

import httpx

from ..cases.model import Probe, Reply
from ..errors import UnreachableError, UsageError
from .pace import TokenBucket

__all__ = ["NoAnswer", "Sender", "tls_context"]

# The connection was closed or reset before an answer came (not a timeout, not a refusal).
_DROPPED = (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)
_FAILED = (httpx.ConnectError, httpx.TimeoutException, *_DROPPED)


class NoAnswer(Exception):  # noqa: N818 - an outcome of a probe, not a fault of the suite
    """The server closed the connection or did not answer in time."""


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
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.pace = pace  # every request, re-sends included, waits for its slot
        self.headers = headers  # -H: on every request that does not set its own
        verify: ssl.SSLContext | bool = True if tls is None else tls
        self._pooled = httpx.Client(timeout=timeout, follow_redirects=False, verify=verify)
        # keeps no idle connection: each request opens its own, closed once it is answered
        self._fresh = httpx.Client(
            timeout=timeout,
            follow_redirects=False,
            limits=httpx.Limits(max_keepalive_connections=0),
            verify=verify,
        )

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
        except _FAILED:
            return False
        return True

    def _exchange(
        self, client: httpx.Client, probe: Probe, timeout: float | None = None, paced: bool = True
    ) -> Reply:
        if self.pace is not None and paced:
            self.pace.take()
        probe = probe.with_headers(self.headers)
        response = client.request(
            probe.method,
            self.base_url + probe.path,
            content=probe.body,
            # as the bytes they stand for: a probe may carry a byte past ASCII in a header
            headers=[(k.encode("latin-1"), v.encode("latin-1")) for k, v in probe.headers],
            timeout=httpx.USE_CLIENT_DEFAULT if timeout is None else timeout,
        )
        return Reply(
            status=response.status_code,
            headers=tuple((k, v) for k, v in response.headers.multi_items()),
            body=response.content,
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
        return NoAnswer(f"{what} ({_reason(exc)})")

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


def _reason(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[-1] if text else type(exc).__name__
