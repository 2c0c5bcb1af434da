"""Two servers' answers to one request, and what differs between them: plain functions.

What is compared: the status; when the statuses agree, the run's verdict on each answer
(the checks that fail it, :mod:`.judge`), the content-type, the body, the other compared
headers (``allow``, ``location``) and, for an answer HTTP gives no content, its framing:
``Content-Length`` and ``Transfer-Encoding``. A 204 may carry neither (RFC 9110 §8.6, RFC
9112 §6.1): one there on one side only, or two values, disagree. An answer to HEAD (or a
304) may carry them or not, and then must say what a GET would get: two values disagree,
one left out does not. A body's framing is each framework's choice (chunked or a length,
for the same bytes) and is not compared.
Bodies that both parse as JSON are compared as parsed JSON, key order included
(``{"a":1,"b":2}`` and ``{"b":2,"a":1}`` differ, ``{"a": 1}`` and ``{"a":1}`` do not); any
other body byte for byte.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from ..cases.model import Reply

__all__ = ["COMPARED_HEADERS", "FRAMING", "KINDS", "Answer", "Difference", "differences"]

COMPARED_HEADERS = ("content-type", "allow", "location")
FRAMING = ("content-length", "transfer-encoding")
# The order in which disagreements are reported.
KINDS = ("status", "verdict", "content-type", "body", "header", "framing")
# The checks whose verdict is on one header alone: not compared when it is ignored.
_JUDGES_HEADER = {"method_not_allowed": "allow"}
_SERVER = "<server>"


@dataclass(frozen=True)
class Answer:
    """What is compared of one server's answer; ``status`` is ``None`` when none came."""

    status: int | None
    headers: tuple[tuple[str, str], ...] = ()  # the compared ones, normalised
    body: bytes = b""
    reason: str = ""  # why no answer came: "no answer (timed out)"
    # the framing headers of an answer without content, normalised
    framing: tuple[tuple[str, str], ...] = ()
    optional_framing: bool = False  # HEAD's or a 304's: a server may leave it out
    verdicts: tuple[tuple[str, str], ...] = ()  # (check, message) of each check it fails

    @classmethod
    def of(
        cls,
        reply: Reply,
        netloc: str,
        *,
        head: bool = False,
        verdicts: tuple[tuple[str, str], ...] = (),
    ) -> Answer:
        """``reply``'s compared headers, the server's own ``host:port`` in them as ``<server>``;
        its framing if it has no content (``head``: it answers HEAD).

        >>> from contract_tests.cases.model import Reply
        >>> reply = Reply(307, (("location", "http://127.0.0.1:9/v2/x"),), b"")
        >>> Answer.of(reply, "127.0.0.1:9").header("location")
        'http://<server>/v2/x'
        >>> Answer.of(Reply(204, (("Content-Length", " 19"),), b""), "").framing
        (('content-length', '19'),)
        """
        headers = []
        for name in COMPARED_HEADERS:
            value = reply.header(name)
            if value is not None:
                headers.append((name, _normalised(name, value, netloc)))
        framing = []
        if head or reply.status in (204, 304):  # no content, whatever it says (RFC 9110 §6.4.1)
            for name in FRAMING:
                value = reply.header(name)
                if value is not None:
                    framing.append((name, value.strip().lower()))
        return cls(reply.status, tuple(headers), reply.body, framing=tuple(framing),
                   optional_framing=head or reply.status == 304, verdicts=verdicts)  # fmt: skip

    @classmethod
    def missing(cls, reason: str, check: str = "no_answer") -> Answer:
        """No whole answer: ``check`` is the run's verdict on it (``answer_too_large``...)."""
        return cls(None, reason=reason, verdicts=((check, reason),))

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers if key == name), None)

    def frame(self, name: str) -> str | None:
        return next((value for key, value in self.framing if key == name), None)

    def verdict(self, check: str) -> str | None:
        """The message of ``check``'s failure of this answer, if it fails it."""
        return next((message for name, message in self.verdicts if name == check), None)

    def show(self, limit: int = 240) -> str:
        """One line: status, headers, framing, then the body (cut at ``limit`` characters)."""
        if self.status is None:
            return self.reason or "no answer"
        headers = " ".join(f"{name}: {value}" for name, value in (*self.headers, *self.framing))
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
    """How ``a`` and ``b`` differ: the status alone when it differs, else each other aspect
    (a verdict's subject is the check, a header's or framing's the header).

    >>> differences(Answer(422, body=b'{"a": 1}'), Answer(422, body=b'{"a":1}'))
    []
    >>> differences(Answer(422, body=b'{"a":1,"b":2}'), Answer(422, body=b'{"b":2,"a":1}'))
    [Difference(kind='body', subject='')]
    >>> differences(Answer(422), Answer(400, body=b'x'))
    [Difference(kind='status', subject='')]
    >>> differences(Answer(204, framing=(("content-length", "0"),)), Answer(204))
    [Difference(kind='framing', subject='content-length')]
    >>> head = Answer(405, framing=(("content-length", "31"),), optional_framing=True)
    >>> differences(head, Answer(405, optional_framing=True))
    []
    """
    if a.status != b.status:
        return [Difference("status")]
    found = []
    for check in sorted({name for name, _ in a.verdicts} ^ {name for name, _ in b.verdicts}):
        if _JUDGES_HEADER.get(check) not in ignored:
            found.append(Difference("verdict", check))
    for name in COMPARED_HEADERS:
        if name not in ignored and a.header(name) != b.header(name):
            kind = "content-type" if name == "content-type" else "header"
            found.append(Difference(kind, "" if kind == "content-type" else name))
    if not _same_body(a.body, b.body):
        found.append(Difference("body"))
    for name in FRAMING:
        mine, theirs = a.frame(name), b.frame(name)
        if mine != theirs and not (a.optional_framing and None in (mine, theirs)):
            found.append(Difference("framing", name))
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
