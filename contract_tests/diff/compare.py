"""Two servers' answers to one request, and what differs between them: plain functions.

What is compared: the status; when the statuses agree, the content-type, the body and the
other compared headers (``allow``, ``location``). Bodies that both parse as JSON are
compared as parsed JSON, key order included (``{"a":1,"b":2}`` and ``{"b":2,"a":1}``
differ, ``{"a": 1}`` and ``{"a":1}`` do not); any other body byte for byte.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from ..cases.model import Reply

__all__ = ["COMPARED_HEADERS", "KINDS", "Answer", "Difference", "differences"]

COMPARED_HEADERS = ("content-type", "allow", "location")
# The order in which disagreements are reported.
KINDS = ("status", "content-type", "body", "header")
_SERVER = "<server>"


@dataclass(frozen=True)
class Answer:
    """What is compared of one server's answer; ``status`` is ``None`` when none came."""

    status: int | None
    headers: tuple[tuple[str, str], ...] = ()  # the compared ones, normalised
    body: bytes = b""
    reason: str = ""  # why no answer came: "no answer (timed out)"

    @classmethod
    def of(cls, reply: Reply, netloc: str) -> Answer:
        """``reply``'s compared headers, the server's own ``host:port`` in them as ``<server>``.

        >>> from contract_tests.cases.model import Reply
        >>> reply = Reply(307, (("location", "http://127.0.0.1:9/v2/x"),), b"")
        >>> Answer.of(reply, "127.0.0.1:9").header("location")
        'http://<server>/v2/x'
        """
        headers = []
        for name in COMPARED_HEADERS:
            value = reply.header(name)
            if value is not None:
                headers.append((name, _normalised(name, value, netloc)))
        return cls(reply.status, tuple(headers), reply.body)

    @classmethod
    def missing(cls, reason: str) -> Answer:
        return cls(None, reason=reason)

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers if key == name), None)

    def show(self, limit: int = 240) -> str:
        """One line: status, headers, then the body (cut at ``limit`` characters)."""
        if self.status is None:
            return self.reason or "no answer"
        headers = " ".join(f"{name}: {value}" for name, value in self.headers)
        text = self.body.decode("utf-8", "backslashreplace") if self.body else "(empty body)"
        if len(text) > limit:
            text = f"{text[:limit]}... ({len(self.body):,} bytes)"
        return " ".join(part for part in (str(self.status), headers, text) if part)


@dataclass(frozen=True)
class Difference:
    """One way two answers differ: ``subject`` names the header of a header difference."""

    kind: str
    subject: str = ""


def differences(a: Answer, b: Answer, ignored: frozenset[str] = frozenset()) -> list[Difference]:
    """How ``a`` and ``b`` differ: the status alone when it differs, else each other aspect.

    >>> differences(Answer(422, body=b'{"a": 1}'), Answer(422, body=b'{"a":1}'))
    []
    >>> differences(Answer(422, body=b'{"a":1,"b":2}'), Answer(422, body=b'{"b":2,"a":1}'))
    [Difference(kind='body', subject='')]
    >>> differences(Answer(422), Answer(400, body=b'x'))
    [Difference(kind='status', subject='')]
    """
    if a.status != b.status:
        return [Difference("status")]
    found = []
    for name in COMPARED_HEADERS:
        if name not in ignored and a.header(name) != b.header(name):
            kind = "content-type" if name == "content-type" else "header"
            found.append(Difference(kind, "" if kind == "content-type" else name))
    if not _same_body(a.body, b.body):
        found.append(Difference("body"))
    return sorted(found, key=lambda difference: KINDS.index(difference.kind))


def _normalised(name: str, value: str, netloc: str) -> str:
    if name == "content-type":  # media types and parameter names are case-insensitive
        return "; ".join(part.strip() for part in value.lower().split(";"))
    if name == "location" and netloc:
        return value.replace(f"//{netloc}", f"//{_SERVER}")
    return value


def _same_body(a: bytes, b: bytes) -> bool:
    if a == b:
        return True
    canonical_a = _canonical(a)
    return canonical_a is not None and canonical_a == _canonical(b)


def _canonical(body: bytes) -> str | None:
    # json.loads keeps key order; dumping it again erases whitespace and escaping choices.
    try:
        return json.dumps(json.loads(body), separators=(",", ":"))
    except (ValueError, RecursionError):
        return None
