"""schemathesis's failures in the kit's terms: its status checks give way to the kit's rules.

A 5xx is the kit's ``server_error`` (located); 401/403 without credentials, 501 for an
unknown method, and what the standards let a server read or refuse are no failures; a 4xx
HTTP allows though the document does not list it is a warning (a failure with ``--strict``).
"""

from __future__ import annotations

from typing import Any

from ..cases.model import THEIR_STATUS_CHECKS, Exchange, Finding, Probe, Severity
from ..checks.answers import BODY_LIMIT_FLOOR, CheckContext
from ..checks.strict_json import is_strict_json

__all__ = ["AUTH_STATUSES", "translate"]

# Statuses a server may answer when the request carries no valid credentials.
AUTH_STATUSES = (401, 403)
# schemathesis's checks on the status of generated data, which the kit's own status rules
# replace for 401/403 without credentials, 400 for bytes that are no text and what the
# standards let a server read or refuse.
_ON_DATA = frozenset(THEIR_STATUS_CHECKS) - {"unsupported_method"}
# ... and for a 5xx, every check on a status: the kit's server_error reports it, located.
_ON_5XX = frozenset({*THEIR_STATUS_CHECKS, "not_a_server_error"})


def translate(name: str, failure: Any, exchange: Exchange, ctx: CheckContext) -> Finding | None:
    """schemathesis's failure ``name`` on ``exchange`` as the kit reports it, if at all."""
    status, probe = exchange.reply.status, exchange.probe
    if status >= 500 and name in _ON_5XX:
        return None
    if name in _ON_DATA:
        if status in AUTH_STATUSES and not probe.credentials:
            return None
        allowed = _allowed_refusal(status, probe, ctx)
        if allowed is not None:
            return _warning(allowed, status, probe, ctx)
        if ctx.profile == "contract" and _read_or_refused(name, status, probe):
            return None
    if name == "unsupported_method" and status == 501:
        return None  # RFC 9110: a method the server does not recognise
    return Finding(
        check=name, severity=Severity.FAILURE, status=status, location=probe.location,
        message=_in_our_words(name, failure, exchange, ctx),
    )  # fmt: skip


def _in_our_words(name: str, failure: Any, exchange: Exchange, ctx: CheckContext) -> str:
    """What was sent, what the contract allows and what came back: schemathesis's titles
    ("Schema-valid request rejected" for a 200) say what its check looked at, not that."""
    status, sent = exchange.reply.status, exchange.probe.name
    documented = " or ".join(str(s) for s in sorted(ctx.facts.documented))
    if name == "positive_data_acceptance":
        return f"{sent}, a request the document allows: expected {ctx.facts.success}, got {status}"
    if name == "negative_data_rejection":
        return f"{sent}, a request the document forbids: expected 422, got {status}"
    if name == "status_code_conformance":
        return f"{sent}: the document lists {documented}, got {status}"
    if name == "unsupported_method":
        return f"{sent}: expected 405 for a method the document does not declare, got {status}"
    detail = str(failure.message or "").strip().splitlines()
    said = f"{failure.title}: {detail[0]}" if detail else str(failure.title)
    return f"{sent}: got {status}; schemathesis's {name}: {said}"


def _allowed_refusal(status: int, probe: Probe, ctx: CheckContext) -> tuple[str, str] | None:
    """A refusal HTTP allows though the document does not list it: (check, why)."""
    if status == 400 and not _is_text(probe.body):
        return "undocumented_status", "400 for bytes that are no text"
    if status == 415:
        return "undocumented_status", "415 for a media type the server does not take"
    if status == 413 and len(probe.body or b"") >= BODY_LIMIT_FLOOR:
        return "body_limit", "413 for a body past 1 MiB"
    return None


def _warning(allowed: tuple[str, str], status: int, probe: Probe, ctx: CheckContext) -> Finding:
    check, why = allowed
    return Finding(
        check=check,
        severity=Severity.FAILURE if ctx.strict else Severity.WARNING,
        status=status,
        location=probe.location,
        message=f"{why}; the contract documents no {status}",
    )


def _read_or_refused(name: str, status: int, probe: Probe) -> bool:
    """A request the standards let a server read or refuse: both answers keep the contract."""
    untyped = not any(key.lower() == "content-type" for key, _ in probe.headers)
    lenient = not is_strict_json(probe.body) or probe.location.endswith("lone surrogate")
    if name == "positive_data_acceptance" and status == 422:
        return untyped or lenient
    return name == "negative_data_rejection" and 200 <= status < 300 and untyped


def _is_text(body: bytes | None) -> bool:
    try:
        (body or b"").decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
