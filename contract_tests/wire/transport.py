"""Send probes exactly as built, over real HTTP."""

from __future__ import annotations

import httpx

from ..cases.model import Probe, Reply
from ..errors import UnreachableError

__all__ = ["NoAnswer", "Sender"]


class NoAnswer(Exception):  # noqa: N818 - an outcome of a probe, not a fault of the suite
    """The server closed the connection or did not answer in time."""


class Sender:
    """One keep-alive client for a run; ``send`` raises :class:`NoAnswer` per probe."""

    def __init__(self, base_url: str, *, timeout: float) -> None:
        self.base_url = base_url.rstrip("/")
        self._client = httpx.Client(timeout=timeout, follow_redirects=False)

    def send(self, probe: Probe) -> Reply:
        try:
            response = self._client.request(
                probe.method,
                self.base_url + probe.path,
                content=probe.body,
                headers=list(probe.headers),
            )
        except httpx.ConnectError as exc:
            raise UnreachableError(
                f"cannot reach the server ({_reason(exc)})",
                where=self.base_url,
                fix="check --base-url and that the server is running",
            ) from None
        except (httpx.TimeoutException, httpx.RemoteProtocolError, httpx.ReadError) as exc:
            raise NoAnswer(f"no answer ({_reason(exc)})") from None
        return Reply(
            status=response.status_code,
            headers=tuple((k, v) for k, v in response.headers.multi_items()),
            body=response.content,
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Sender:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _reason(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[-1] if text else type(exc).__name__
