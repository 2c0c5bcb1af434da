"""The kit's own checks: pure functions from an exchange to findings.

Each check skips the probes it does not apply to. Statuses are tightened beyond
schemathesis's defaults: a valid request must get the documented success, a schema-invalid
one 422, and 401/403 are accepted only when no valid credentials were sent.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ..cases.facts import ContractFacts
from ..cases.model import Exchange, Expect, Finding, Severity

__all__ = ["CHECKS", "CheckContext", "run_checks"]

_AUTH_STATUSES = frozenset({401, 403})
_PLACES = ("body", "path", "query", "header", "cookie")


@dataclass(frozen=True)
class CheckContext:
    facts: ContractFacts
    strict: bool = False


Check = Callable[[Exchange, CheckContext], Iterable[Finding]]


def _finding(exchange: Exchange, check: str, message: str, *, warning: bool = False) -> Finding:
    return Finding(
        check=check,
        severity=Severity.WARNING if warning else Severity.FAILURE,
        status=exchange.reply.status,
        location=exchange.probe.location,
        message=message,
    )


def server_error(exchange: Exchange, _ctx: CheckContext) -> Iterable[Finding]:
    """No request, however hostile, may get a 5xx."""
    reply = exchange.reply
    if reply.status >= 500:
        yield _finding(exchange, "server_error", f"{exchange.probe.name}: {_excerpt(reply.body)}")


def expected_status(exchange: Exchange, ctx: CheckContext) -> Iterable[Finding]:
    """The status the contract gives this probe (5xx is server_error's)."""
    probe, status = exchange.probe, exchange.reply.status
    if status >= 500 or probe.expect is Expect.ANY:
        return
    if status in _AUTH_STATUSES and not probe.credentials:
        return
    wanted = {
        Expect.ACCEPT: ctx.facts.success,
        Expect.REJECT: 422,
        Expect.NOT_JSON: 422,
        Expect.REFUSE: None,
    }[probe.expect]
    if probe.expect is Expect.REFUSE:
        if status not in _AUTH_STATUSES:
            yield _finding(exchange, "expected_status", f"{probe.name}: expected 401 or 403")
        return
    if status == wanted:
        return
    undocumented_4xx = 400 <= status < 500 and status not in ctx.facts.documented
    if probe.expect is Expect.NOT_JSON and undocumented_4xx:
        yield _finding(
            exchange,
            "undocumented_status",
            f"{probe.name}: the contract documents no {status} (expected {wanted})",
            warning=not ctx.strict,
        )
        return
    yield _finding(exchange, "expected_status", f"{probe.name}: expected {wanted}")


def empty_success(exchange: Exchange, _ctx: CheckContext) -> Iterable[Finding]:
    """A 204 carries no body bytes and no positive Content-Length."""
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


def validation_error_shape(exchange: Exchange, _ctx: CheckContext) -> Iterable[Finding]:
    """A 422 is JSON HTTPValidationError: non-empty ``detail`` of {loc: list, msg, type}."""
    problem = _shape_problem(exchange)
    if problem:
        yield _finding(exchange, "validation_error_shape", problem)


def error_locations(exchange: Exchange, ctx: CheckContext) -> Iterable[Finding]:
    """Each 422 item's ``loc`` names a declared place; a targeted probe's place is named."""
    if exchange.reply.status != 422 or _shape_problem(exchange):
        return
    items = json.loads(exchange.reply.body)["detail"]
    body_parses = _parses(exchange.probe.body)
    for item in items:
        problem = _loc_problem(item["loc"], ctx.facts, body_parses)
        if problem:
            yield _finding(exchange, "error_locations", f"loc {item['loc']!r}: {problem}")
            return
    target = exchange.probe.location
    if exchange.probe.expect is Expect.REJECT and target.startswith("body."):
        field = target.split(":", 1)[0].split(".", 1)[1]
        if not any(item["loc"][:2] == ["body", field] for item in items):
            named = [item["loc"] for item in items]
            yield _finding(exchange, "error_locations", f"no item names body.{field}: {named}")


def _loc_problem(loc: list[Any], facts: ContractFacts, body_parses: bool) -> str | None:
    if not loc or loc[0] not in _PLACES:
        return f"does not start with one of {', '.join(_PLACES)}"
    if loc[0] != "body":
        if len(loc) < 2 or (loc[0], loc[1]) not in facts.parameters:
            return f"names no declared {loc[0]} parameter"
        return None
    if len(loc) == 1:
        return None
    if isinstance(loc[1], int) and not isinstance(loc[1], bool):
        return None if not body_parses else "a character offset for a body that is valid JSON"
    if loc[1] not in facts.fields:
        return f"names a field the document does not declare ({loc[1]!r})"
    return None


def _shape_problem(exchange: Exchange) -> str | None:
    reply = exchange.reply
    if reply.status != 422:
        return None
    content_type = (reply.header("content-type") or "").split(";")[0].strip().lower()
    if content_type != "application/json":
        return f"content-type {content_type or '(none)'!r}, expected application/json"
    try:
        payload = json.loads(reply.body)
    except ValueError:
        return f"body is not JSON: {_excerpt(reply.body)}"
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


def _parses(body: bytes | None) -> bool:
    try:
        json.loads(body or b"")
    except (ValueError, RecursionError):
        return False
    return True


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


def run_checks(exchange: Exchange, ctx: CheckContext) -> list[Finding]:
    return [finding for check in CHECKS for finding in check(exchange, ctx)]
