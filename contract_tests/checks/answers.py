"""The kit's own checks: pure functions from an exchange to findings.

Each check skips the probes it does not apply to. Statuses are tightened beyond
schemathesis's defaults: a valid request must get the documented success, a schema-invalid
one 422, and 401/403 are accepted only when no valid credentials were sent. Where the
document, HTTP (RFC 9110) and JSON (RFC 8259) leave a server a choice, the ``contract``
profile takes every answer they allow (:class:`~contract_tests.cases.model.Expect`);
``honcho`` also holds the server to what Honcho 2.5.1 answers (the probe says which).
Answers are read as RFC 8259 JSON (:mod:`contract_tests.checks.strict_json`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ..cases.facts import ContractFacts
from ..cases.model import SERVER_DOWN, Exchange, Expect, Finding, Probe, Severity
from .selection import ALL_CHECKS, CheckSelection
from .strict_json import is_strict_json, strict_json

__all__ = ["BODY_LIMIT_FLOOR", "CHECKS", "CHECK_NAMES", "CheckContext", "placed", "run_checks"]

_AUTH_STATUSES = frozenset({401, 403})
_PLACES = ("body", "path", "query", "header", "cookie")
# A server may refuse content larger than it is willing to process (413, RFC 9110 15.5.14);
# the document sets no limit, and common frameworks take at least 1 MiB: below that a 413
# refuses a valid request, past it a 413 is a warning.
BODY_LIMIT_FLOOR = 1 << 20
# A server may refuse a request-target longer than it is willing to parse (414, RFC 9112
# §3, which recommends 8,000 octets at least: a SHOULD, not a MUST). Past 255 octets (where
# RFC 2616 §3.2.1 told servers to be cautious) a 414 is that refusal, and a warning; below,
# it refuses a plain request.
TARGET_LIMIT_FLOOR = 255


@dataclass(frozen=True)
class CheckContext:
    facts: ContractFacts
    strict: bool = False
    profile: str = "contract"
    checks: CheckSelection = ALL_CHECKS  # the checks the run reports


Check = Callable[[Exchange, CheckContext], Iterable[Finding]]


def _finding(exchange: Exchange, check: str, message: str, *, warning: bool = False) -> Finding:
    return Finding(
        check=check,
        severity=Severity.WARNING if warning else Severity.FAILURE,
        status=exchange.reply.status,
        location=exchange.probe.location,
        message=message,
    )


def server_error(exchange: Exchange, ctx: CheckContext) -> Iterable[Finding]:
    """No request, however hostile, may get a 5xx (501 for an undeclared method aside:
    RFC 9110 §15.6.2, whichever cases send it, the suite's probes or the engine's)."""
    reply, probe = exchange.reply, exchange.probe
    undeclared = probe.expect is Expect.METHOD or probe.method != ctx.facts.operation.method
    if reply.status >= 500 and not (undeclared and reply.status == 501):
        yield _finding(
            exchange,
            "server_error",
            f"{probe.name}: expected a 2xx or 4xx (the contract allows no 5xx), got "
            f"{reply.status}: {_excerpt(reply.body)}",
        )


def _wanted(expect: Expect, success: int) -> frozenset[int]:
    return {
        Expect.ACCEPT: frozenset({success}),
        Expect.REJECT: frozenset({422}),
        Expect.EITHER: frozenset({success, 422}),
        Expect.NOT_JSON: frozenset({422}),
        Expect.UNTYPED: frozenset({success, 422}),
    }[expect]


def _statuses(wanted: frozenset[int]) -> str:
    return " or ".join(str(status) for status in sorted(wanted))


def expected_status(exchange: Exchange, ctx: CheckContext) -> Iterable[Finding]:
    """The status the contract gives this probe (5xx is server_error's)."""
    probe, reply = exchange.probe, exchange.reply
    status = reply.status
    if status >= 500 or probe.expect is Expect.ANY:
        return
    if status in _AUTH_STATUSES and not probe.credentials:
        return
    if probe.expect is Expect.REFUSE:
        if status not in _AUTH_STATUSES:
            yield _finding(exchange, "expected_status", f"{probe.name}: expected 401 or 403, "
                           f"got {status}")  # fmt: skip
        return
    if probe.expect is Expect.METHOD:
        yield from _method_answer(exchange, ctx)
        return
    wanted = _wanted(probe.expect, ctx.facts.success)
    if status in wanted:
        return
    size = len(probe.body or b"")
    if status == 413 and size >= BODY_LIMIT_FLOOR:
        yield _finding(
            exchange,
            "body_limit",
            f"{probe.name}: {size:,} bytes refused with 413; the document sets no limit",
            warning=not ctx.strict,
        )
        return
    target = len(probe.path.encode("utf-8", "surrogatepass")) if status == 414 else 0
    if target > TARGET_LIMIT_FLOOR:
        yield _finding(
            exchange,
            "undocumented_status",
            f"{probe.name}: a request-target of {target:,} octets refused with 414 "
            "(RFC 9112 §3 recommends 8,000 at least; the document sets no limit)",
            warning=not ctx.strict,
        )
        return
    refusal = _framing_refusal(probe, status)
    if refusal:
        yield _finding(exchange, "undocumented_status", f"{probe.name}: {refusal}",
                       warning=not ctx.strict)  # fmt: skip
        return
    undocumented_4xx = 400 <= status < 500 and status not in ctx.facts.documented
    if probe.expect in (Expect.NOT_JSON, Expect.UNTYPED) and undocumented_4xx:
        yield _finding(
            exchange,
            "undocumented_status",
            f"{probe.name}: the contract documents no {status} (expected {_statuses(wanted)})",
            warning=not ctx.strict,
        )
        return
    yield _finding(
        exchange, "expected_status", f"{probe.name}: expected {_statuses(wanted)}, got {status}"
    )


def _framing_refusal(probe: Probe, status: int) -> str | None:
    """HTTP's own refusal of the way a body was framed: RFC 9112 §6.3 lets a server ask for
    a Content-Length (411) where a body comes without one, and RFC 9110 §15.5.18 lets it say
    that it cannot meet an expectation (417); a 400 for a chunk extension or a trailer field
    is an HTTP parser's refusal of a part of the chunked coding, not a body misread."""
    framing = probe.framing
    if framing is None:
        return None
    if status == 411 and framing.chunks:
        return "411 for a chunked body: HTTP lets a server want a Content-Length (RFC 9112 §6.3)"
    if status == 417 and framing.expect_continue:
        return "417 for Expect: 100-continue: HTTP lets a server refuse an expectation"
    if status == 400 and (framing.extension or framing.trailer):
        # RFC 9112 §7.1 lets a client send them and wants them read (an unknown extension
        # ignored); a parser that cannot refuses the framing, and loses no body to it
        what = "a chunk extension" if framing.extension else "a trailer field"
        return f"400 for {what}: the server's HTTP parser refuses what RFC 9112 §7.1 allows"
    return None


def _method_answer(exchange: Exchange, ctx: CheckContext) -> Iterable[Finding]:
    # RFC 9110 15.5.6: 405 for a method the resource does not support, with Allow listing
    # the methods it does (501, for a method the server does not recognise, is
    # server_error's exception); OPTIONS asks for the communication options, so a success
    # answers it too.
    probe, status = exchange.probe, exchange.reply.status
    if probe.method == "OPTIONS" and 200 <= status < 300:
        return
    declared = ctx.facts.operation.method
    if status != 405:
        yield _finding(
            exchange, "expected_status", f"{probe.name}: expected 405 (allow: {declared}), "
            f"got {status}"
        )  # fmt: skip
        return
    allow = exchange.reply.header("allow")
    methods = {part.strip().upper() for part in (allow or "").split(",")}
    if declared not in methods:
        shown = f"allow: {allow}" if allow is not None else "no allow header"
        message = f"{probe.name}: 405 with {shown}; RFC 9110 wants allow: {declared}"
        yield _finding(exchange, "method_not_allowed", message)


def empty_success(exchange: Exchange, _ctx: CheckContext) -> Iterable[Finding]:
    """A 204 carries no body bytes and no positive Content-Length; a ``Content-Length: 0``
    is a warning (RFC 9110 §8.6: a server MUST NOT send the field in a 204, but a length of
    nothing frames the answer as HTTP does)."""
    reply = exchange.reply
    if reply.status != 204:
        return
    length = reply.header("content-length")
    if reply.body or (length is not None and length.strip() not in ("", "0")):
        yield _finding(
            exchange,
            "empty_204",
            f"204 with a body ({len(reply.body)} bytes, content-length {length})",
        )
    elif length is not None:
        yield _finding(
            exchange,
            "empty_204",
            f"204 with content-length {length!r}: RFC 9110 §8.6 says a server MUST NOT send "
            "Content-Length in a 204 (no content is framed as none)",
            warning=True,
        )


def validation_error_shape(exchange: Exchange, _ctx: CheckContext) -> Iterable[Finding]:
    """A 422 is RFC 8259 JSON: HTTPValidationError, non-empty ``detail`` of {loc, msg, type}."""
    problem = _shape_problem(exchange)
    if problem:
        yield _finding(exchange, "validation_error_shape", problem)


def error_locations(exchange: Exchange, ctx: CheckContext) -> Iterable[Finding]:
    """Each 422 item's ``loc`` names a declared place; a targeted probe's place is named."""
    if exchange.reply.status != 422 or exchange.probe.method == "HEAD" or _shape_problem(exchange):
        return
    items = strict_json(exchange.reply.body)["detail"]
    body_is_json = is_strict_json(exchange.probe.body)
    for item in items:
        problem = _loc_problem(item["loc"], ctx, body_is_json)
        if problem:
            yield _finding(exchange, "error_locations", f"loc {item['loc']!r}: {problem}")
            return
    probe = exchange.probe
    if probe.expect is not Expect.REJECT or probe.lenient or not probe.location.startswith("body."):
        return
    field = probe.location.split(":", 1)[0].split(".", 1)[1]
    locs = [placed(item["loc"], ctx) for item in items]
    if any(loc[:2] == ["body", field] for loc in locs):
        return
    if ctx.profile == "contract" and ["body"] in locs:
        return  # the body blamed as a whole: imprecise, not false
    yield _finding(exchange, "error_locations", f"no item names body.{field}: {locs}")


def placed(loc: list[Any], ctx: CheckContext) -> list[Any]:
    """``loc`` with its place: ``["observer"]`` is ``["body", "observer"]`` under contract."""
    if ctx.profile == "contract" and loc and loc[0] not in _PLACES and loc[0] in ctx.facts.fields:
        return ["body", *loc]
    return loc


def _loc_problem(raw: list[Any], ctx: CheckContext, body_is_json: bool) -> str | None:
    loc = placed(raw, ctx)
    if not loc or loc[0] not in _PLACES:
        return f"does not start with one of {', '.join(_PLACES)}"
    if loc[0] != "body":
        if len(loc) < 2 or (loc[0], loc[1]) not in ctx.facts.parameters:
            return f"names no declared {loc[0]} parameter"
        return None
    if len(loc) == 1:
        return None
    if isinstance(loc[1], int) and not isinstance(loc[1], bool):
        return None if not body_is_json else "a character offset for a body that is valid JSON"
    if loc[1] not in ctx.facts.fields:
        return f"names a field the document does not declare ({loc[1]!r})"
    return None


def _shape_problem(exchange: Exchange) -> str | None:
    reply = exchange.reply
    if reply.status != 422:
        return None
    content_type = (reply.header("content-type") or "").split(";")[0].strip().lower()
    if content_type != "application/json":
        return f"content-type {content_type or '(none)'!r}, expected application/json"
    if exchange.probe.method == "HEAD":
        return None  # its answer has the head of a 422 and no content (RFC 9110 §9.3.2)
    try:
        payload = strict_json(reply.body)
    except ValueError as exc:
        return f"body is not RFC 8259 JSON ({exc}): {_excerpt(reply.body)}"
    detail = payload.get("detail") if isinstance(payload, dict) else None
    if not isinstance(detail, list) or not detail:
        return f"no non-empty 'detail' list: {_excerpt(reply.body)}"
    for item in detail:
        if not (
            isinstance(item, dict)
            and isinstance(item.get("loc"), list)
            and isinstance(item.get("msg"), str)
            and isinstance(item.get("type"), str)
        ):
            return f"item without list 'loc', string 'msg' and string 'type': {item!r}"[:300]
    return None


def _excerpt(body: bytes, limit: int = 200) -> str:
    text = body[:limit].decode("utf-8", "replace")
    return text + ("..." if len(body) > limit else "") if text else "(empty body)"


CHECKS: tuple[Check, ...] = (
    server_error,
    expected_status,
    empty_success,
    validation_error_shape,
    error_locations,
)


# The names the checks give their findings, for reports that list the checks applied; the
# run watches every request for one that takes the server down.
CHECK_NAMES = ("server_error", "expected_status", "empty_204", "validation_error_shape",
               "error_locations", SERVER_DOWN)  # fmt: skip


def run_checks(exchange: Exchange, ctx: CheckContext) -> list[Finding]:
    return [finding for check in CHECKS for finding in check(exchange, ctx)]
