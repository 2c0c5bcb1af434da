"""schemathesis's requests, sent by the kit's own client.

schemathesis's engine sends with ``requests``, which reads an answer whole, for as long as
it comes. :class:`SenderAdapter` is a ``requests`` transport adapter that hands each request
to a :class:`~.transport.Sender` instead, so the engine's answers are held to the same
bounds as the kit's probes. An answer the Sender could not take whole is a
:class:`AnswerFailed`, a ``requests.ConnectionError`` (as the engine knows a network failure)
that carries the Sender's :class:`~.transport.NoAnswer`.
"""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import urlsplit

import httpx
import requests
import requests.adapters
from urllib3 import HTTPHeaderDict, HTTPResponse
from urllib3.exceptions import ReadTimeoutError

from ..cases.model import Probe
from ..errors import UnreachableError
from .transport import TRANSPORT_HEADERS, NoAnswer, Sender

__all__ = ["AnswerFailed", "SenderAdapter"]

# What the answer's body no longer is once the Sender has read it: httpx decodes a
# Content-Encoding, and the framing is gone.
_ANSWER_HOP = frozenset({"content-encoding", "content-length", "transfer-encoding"})


class AnswerFailed(requests.ConnectionError):
    """The Sender got no whole answer; ``failure`` says why."""

    def __init__(self, failure: NoAnswer, request: requests.PreparedRequest) -> None:
        super().__init__(str(failure), request=request)
        self.failure = failure


class SenderAdapter(requests.adapters.BaseAdapter):
    """Sends through ``sender``, whatever the request's URL says (mount it on the base URL)."""

    def __init__(self, sender: Sender) -> None:
        super().__init__()
        self.sender = sender
        # the path the Sender puts before each probe's (a base URL may have one)
        self._base_path = urlsplit(sender.base_url).path
        self._builder = requests.adapters.HTTPAdapter()  # builds requests' Response

    def send(self, request: requests.PreparedRequest, *_: Any, **__: Any) -> requests.Response:
        """Send ``request`` (requests' stream, timeout, TLS and proxy arguments are the
        Sender's own business)."""
        url = urlsplit(str(request.url))
        body = request.body
        if isinstance(body, str):
            body = body.encode("utf-8", "surrogatepass")
        if body is not None and not isinstance(body, bytes):
            raise TypeError(f"a streamed request body cannot be sent: {type(body).__name__}")
        probe = Probe(
            name="engine",
            location="",
            method=str(request.method),
            path=url.path.removeprefix(self._base_path) + (f"?{url.query}" if url.query else ""),
            body=body,
            headers=tuple(
                (k, v if isinstance(v, str) else v.decode("latin-1"))
                for k, v in request.headers.items()
                if k.lower() not in TRANSPORT_HEADERS
            ),
        )
        try:
            reply = self.sender.send(probe)
        except httpx.LocalProtocolError as exc:  # a header HTTP cannot carry: never sent
            raise requests.exceptions.InvalidHeader(str(exc), request=request) from None
        except UnreachableError as exc:
            # the connection was not made: the engine tells that by the refusal in the chain
            raise AnswerFailed(NoAnswer(exc.what), request) from ConnectionRefusedError(exc.what)
        except NoAnswer as exc:
            if exc.timed_out:  # as requests tells it: the case's own failure to the engine
                # as urllib3 words it: schemathesis reads the timeout back from the words
                said = f"Read timed out. (read timeout={self.sender.timeout:g})"
                timed_out = ReadTimeoutError(None, str(request.url), said)  # type: ignore[arg-type]
                raise requests.ReadTimeout(timed_out, request=request) from None
            raise AnswerFailed(exc, request) from None
        headers = HTTPHeaderDict()
        for name, value in reply.headers:
            if name.lower() not in _ANSWER_HOP:
                headers.add(name, value)
        raw = HTTPResponse(
            body=io.BytesIO(reply.body),
            headers=headers,
            status=reply.status,
            version=11,
            preload_content=False,
            decode_content=False,
            request_method=request.method,
        )
        return self._builder.build_response(request, raw)

    def close(self) -> None:
        """The Sender is the run's, closed with it."""
        self._builder.close()
