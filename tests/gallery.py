"""Broken implementations of trigger_dream: the faithful mock with one thing wrong.

Each mutant wraps a mock (auth off, or on with a secret) in an ASGI layer that answers
some requests itself (``before``) or rewrites the mock's answer (``after``). Each plants one
bug, on the operation (POST) unless the bug is about other methods, and the suite reports
each as one finding (tests/test_gallery.py pins it).
"""

from __future__ import annotations

import base64
import json
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from contract_tests.cases.facts import ContractFacts
from honcho_spec import load_document
from mock_server import Incoming, MockSettings, compile_handlers, create_app

Answer = tuple[int, dict[str, str], bytes]


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except (ValueError, RecursionError):
            return None

    @property
    def fields(self) -> dict[str, Any]:
        value = self.json
        return value if isinstance(value, dict) else {}

    @property
    def workspace(self) -> str | None:
        """The workspace id, for the operation's path only."""
        match = re.fullmatch(r"/v2/workspaces/([^/]+)/trigger_dream", self.path)
        return match.group(1) if match else None

    def claims(self) -> dict[str, Any]:
        token = self.headers.get("authorization", "").partition(" ")[2]
        try:
            payload = token.split(".")[1]
            decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=="))
        except (IndexError, ValueError):
            return {}
        return decoded


def _json(status: int, content: Any) -> Answer:
    body = json.dumps(content, separators=(",", ":")).encode()
    return status, {"content-type": "application/json"}, body


Before = Callable[[Request], Answer | None]
After = Callable[[Request, Answer], Answer]


class Mutant:
    """``inner`` with ``before`` and ``after`` around it."""

    def __init__(self, inner: ASGIApp, before: Before | None, after: After | None) -> None:
        self._inner, self._before, self._after = inner, before, after

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        request = Request(scope["method"], scope["path"], headers, b"".join(chunks))
        answer = self._before(request) if self._before else None
        if answer is None:
            answer = await self._forward(scope, request.body)
            if self._after:
                answer = self._after(request, answer)
        status, answer_headers, body = answer
        raw = [(k.encode(), v.encode()) for k, v in answer_headers.items()]
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": body})

    async def _forward(self, scope: Scope, body: bytes) -> Answer:
        sent = False
        result: dict[str, Any] = {"headers": {}, "body": b""}

        async def receive() -> Message:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: Message) -> None:
            if message["type"] == "http.response.start":
                result["status"] = message["status"]
                result["headers"] = {
                    k.decode(): v.decode()
                    for k, v in message["headers"]
                    if k.lower() != b"content-length"
                }
            else:
                result["body"] += message.get("body", b"")

        await self._inner(scope, receive, send)
        return result["status"], result["headers"], result["body"]


@dataclass(frozen=True)
class Case:
    """A broken implementation and what the suite must report for it."""

    name: str
    before: Before | None = None
    after: After | None = None
    secret: str | None = None  # the mock's auth secret (auth off when None)
    args: tuple[str, ...] = ()  # extra honcho-contract options
    check: str = "expected_status"
    location: str = ""  # a substring of the finding's location
    severity: str = "failure"
    real_defect: bool = False
    raw: bool = False  # served by raw_server: a JSON body written after each 204

    def app(self) -> ASGIApp:
        inner = create_app(settings=MockSettings(auth_jwt_secret=self.secret))
        return Mutant(inner, self.before, self.after)


def decided(method: str, path: str, headers: dict[str, str], body: bytes) -> Any:
    """The mock's own decision, for a raw server (routing: 404 elsewhere, 405 other methods)."""
    handler = _HANDLER
    path = path.split("?", 1)[0]  # the query is no part of the route
    route = handler.operation.path.split("{")[0]
    json_type = [("content-type", "application/json")]
    if not path.startswith(route) or not path.endswith("/trigger_dream"):
        return 404, json_type, b'{"detail":"Not Found"}'
    if method != handler.operation.method:
        answer = b"" if method == "HEAD" else b'{"detail":"Method Not Allowed"}'
        return 405, [*json_type, ("allow", handler.operation.method)], answer
    workspace = path[len(route) :].split("/", maxsplit=1)[0]
    incoming = Incoming({"workspace_id": workspace}, headers.get("content-type"), None, body)
    answer, _ = handler.decide(incoming)
    return answer.status, [(k.decode(), v.decode()) for k, v in answer.headers], answer.body


def body_on_204(method: str, path: str, headers: dict[str, str], body: bytes) -> Any:
    """The mock's own decision, with a JSON body and its length written after a 204."""
    status, out, answer = decided(method, path, headers, body)
    if status == 204:
        extra = b'{"queued":true}'
        return 204, [*out, ("content-length", str(len(extra))), ("connection", "close")], extra
    return status, out, answer


def crashes_on_nul(method: str, path: str, headers: dict[str, str], body: bytes) -> Any:
    """The mock's own decision, but a 500 for any NUL in the body (a database refusing it)."""
    if b"\\u0000" in body or b"\x00" in body:
        return SERVER_ERROR[0], list(SERVER_ERROR[1].items()), SERVER_ERROR[2]
    return decided(method, path, headers, body)


_HANDLER = compile_handlers(load_document())[0]


def _on_status(status: int, change: Callable[[Answer], Answer]) -> After:
    return lambda _request, answer: change(answer) if answer[0] == status else answer


def _has_non_finite(value: Any) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, dict):
        return any(_has_non_finite(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_non_finite(v) for v in value)
    return False


_FACTS = ContractFacts.from_document(load_document())
_MEMBERS = _FACTS.enum_values("dream_type")
_DECLARED = _FACTS.fields


def _unknown_member(request: Request) -> bool:
    value = request.fields.get("dream_type")
    return isinstance(value, str) and value not in _MEMBERS


def _unverified(request: Request) -> Answer:
    """The decision of the mock with auth off: the token's signature, algorithm and
    expiry unread."""
    status, headers, body = decided(request.method, request.path, request.headers, request.body)
    return status, dict(headers), body


def _longer_than(limit: int) -> Before:
    """A column of ``limit`` characters: a 500 for any longer string in any field."""
    return lambda r: SERVER_ERROR if any(len(s) > limit for s in _strings(r)) else None


def _strings(request: Request) -> list[str]:
    return [v for v in request.fields.values() if isinstance(v, str)]


SERVER_ERROR = _json(500, {"detail": "An unexpected error occurred"})
SECRET = "gallery-secret"
TOKEN = "gallery-token"


def _bearer(*, scheme: Callable[[str], bool], token: Callable[[str], bool]) -> Before:
    """A static bearer token checked by hand: 401 for a POST whose scheme or token the
    checks refuse (the mock behind it has auth off)."""

    def before(request: Request) -> Answer | None:
        given, _, credentials = request.headers.get("authorization", "").partition(" ")
        if request.method != "POST" or (scheme(given) and token(credentials)):
            return None
        return _json(401, {"detail": "Not authenticated"})

    return before


CASES = [
    Case("200 instead of 204", after=_on_status(204, lambda a: (200, a[1], b"")),
         check="positive_data_acceptance", location="body"),
    Case("a JSON body on 204", raw=True, check="empty_204"),
    Case("accepts an unknown dream type",
         before=lambda r: (204, {}, b"") if _unknown_member(r) else None,
         location="body.dream_type: unknown"),
    Case("coerces numbers to strings",
         before=lambda r: (204, {}, b"") if isinstance(r.fields.get("observer"), int | float)
         and r.fields.get("dream_type") in ("consolidate", "agent") else None,
         location="body.observer: integer"),
    Case("accepts a missing observer",
         before=lambda r: (204, {}, b"") if isinstance(r.json, dict) and "observer" not in r.json
         and r.fields.get("dream_type") in _MEMBERS else None,
         location="body.observer"),
    Case("refuses non-ASCII peer names",
         before=lambda r: _json(422, {"detail": [{"loc": ["body", "observer"], "msg": "ascii",
                                                  "type": "ascii"}]})
         if any(not s.isascii() for s in _strings(r)) else None,
         location="body.observer: unicode"),
    Case("refuses an explicit null observed",
         before=lambda r: _json(422, {"detail": [{"loc": ["body", "observed"], "msg": "null",
                                                  "type": "null"}]})
         if r.method == "POST" and "observed" in r.fields and r.fields["observed"] is None
         else None,
         location="body.observed"),
    Case("500 when observed is given",
         before=lambda r: SERVER_ERROR if isinstance(r.fields.get("observed"), str) else None,
         check="server_error", location="body"),
    Case("a 422 without detail", after=_on_status(422, lambda a: (422, a[1], b"{}")),
         check="validation_error_shape"),
    Case("placeholder 422 items (as Prism answers)",
         after=_on_status(422, lambda a: _json(422, {"detail": [
             {"loc": ["string"], "msg": "string", "type": "string"}]})),
         check="error_locations"),
    Case("422 items naming an undeclared field",
         after=_on_status(422, lambda a: (422, a[1], a[2].replace(b'"observer"', b'"peer"'))),
         check="error_locations", location="body.observer"),
    Case("422 as text/plain",
         after=_on_status(422, lambda a: (422, {"content-type": "text/plain"}, a[2])),
         check="validation_error_shape"),
    Case("400 for malformed JSON (as Prism answers)",
         before=lambda r: _json(400, {"error": {"code": "invalid_json"}})
         if r.body and r.json is None and r.body.isascii() else None,
         location="body: malformed"),
    Case("500 for other methods",
         before=lambda r: SERVER_ERROR if r.method not in ("POST",) else None,
         check="server_error", location="method"),
    Case("200 for GET",
         before=lambda r: _json(200, {"ok": True}) if r.method == "GET" else None,
         check="unsupported_method"),
    Case("auth ignored", args=("--jwt-secret", SECRET),
         location="auth: a token for another workspace"),
    Case("refuses valid admin tokens", secret=SECRET, args=("--jwt-secret", SECRET),
         before=lambda r: _json(401, {"detail": "Invalid JWT"})
         if r.method == "POST" and r.claims().get("ad") else None,
         location="auth: an admin token"),
    Case("accepts any token that decodes, unverified", secret=SECRET,
         args=("--jwt-secret", SECRET), before=lambda r: _unverified(r) if r.claims() else None,
         location="auth: "),
    Case("a 2xx without credentials under --auth required", args=("--auth", "required"),
         check="credentials_not_enforced"),
    # the token's shape checked, never the token itself
    Case("accepts any bearer token", args=("--token", TOKEN),
         before=_bearer(scheme=lambda s: s.lower() == "bearer", token=bool),
         location="header.authorization: another token"),
    # RFC 9110 §11.1: the scheme is a case-insensitive token
    Case("refuses the scheme in lower case", args=("--token", TOKEN),
         before=_bearer(scheme=lambda s: s == "Bearer", token=lambda t: t == TOKEN),
         location="header.authorization: the token, the scheme in lower case"),
    # The real server's defects (see the table in docs/contract-suite.md).
    Case("500 for an unknown workspace",
         before=lambda r: SERVER_ERROR
         if r.method == "POST" and r.workspace not in (None, "ws-known") else None,
         check="server_error", location="path: unknown workspace", real_defect=True),
    Case("500 for NUL in a peer name",
         before=lambda r: SERVER_ERROR if any("\x00" in s for s in _strings(r)) else None,
         check="server_error", location="body.observer: NUL", real_defect=True),
    Case("500 for a lone surrogate",
         before=lambda r: SERVER_ERROR
         if any(any("\ud800" <= c <= "\udfff" for c in s) for s in _strings(r)) else None,
         check="server_error", location="body.observer: lone surrogate", real_defect=True),
    *[Case(f"500 for a string over {limit:,} characters", before=_longer_than(limit),
           check="server_error", location=".observe") for limit in (255, 4_096, 65_535)],
    Case("500 for a non-ASCII key",
         before=lambda r: SERVER_ERROR if any(not k.isascii() for k in r.fields) else None,
         check="server_error", location="body"),
    Case("500 for a string over 1,000 bytes in an undeclared key",
         before=lambda r: SERVER_ERROR if any(
             len(str(v).encode("utf-8", "surrogatepass")) > 1000
             for k, v in r.fields.items() if k not in _DECLARED) else None,
         check="server_error", location="body"),
    Case("500 for a long observer", before=lambda r: SERVER_ERROR
         if len(str(r.fields.get("observer", ""))) > 1350 else None,
         check="server_error", location="body.observer: long", real_defect=True),
    Case("500 for NaN echoed in a 422",
         after=lambda r, a: SERVER_ERROR if a[0] == 422 and _has_non_finite(r.json) else a,
         check="server_error", location="body.observer: NaN", real_defect=True),
    Case("400 for bytes that are not UTF-8", check="undocumented_status",
         location="body: not UTF-8", severity="warning", real_defect=True),
    Case("500 for a JWT whose numeric exp lies in the future", secret=SECRET,
         args=("--jwt-secret", SECRET),
         before=lambda r: SERVER_ERROR
         if isinstance(r.claims().get("exp"), int) and r.claims()["exp"] > time.time() else None,
         check="server_error", location="auth: a token whose exp lies in the future",
         real_defect=True),
]  # fmt: skip
