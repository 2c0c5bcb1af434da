"""Confirmed findings: every failure is sent once more, on a fresh connection, before it is
reported.

A failure the fresh answer shows again is reported with that answer; one it does not show
(or one only the fresh answer shows) is a ``flaky`` warning that gives both answers: a CI
gate must not fail on what the server does not do twice. A ``server_down`` is never sent
again (the server was seen down); one the fresh answer meets keeps the failures unconfirmed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from ..cases.model import SERVER_DOWN, Finding, Probe, Reply, Severity
from ..errors import UnreachableError
from ..wire.transport import NoAnswer

__all__ = ["Judge", "attempt", "confirmed", "show"]

# The findings an answer (or its absence, with the reason) gets.
Judge = Callable[[Reply | None, str], list[Finding]]


def attempt(send: Callable[[Probe], Reply], probe: Probe) -> tuple[Reply | None, str]:
    """``send(probe)``: the reply, or ``None`` and why none came (``NAME: no answer (...)``)."""
    try:
        return send(probe), ""
    except NoAnswer as exc:
        return None, f"{probe.name}: {exc}"
    except UnreachableError as exc:  # met mid-run: the run's watch judges it
        return None, f"{probe.name}: {exc.what}"


def show(reply: Reply | None, reason: str = "", limit: int = 200) -> str:
    """One line: status, content-type and the body cut at ``limit`` characters."""
    if reply is None:
        return reason or "no answer"
    text = reply.body[:limit].decode("utf-8", "backslashreplace") or "(empty body)"
    more = f"... ({len(reply.body):,} bytes)" if len(reply.body) > limit else ""
    return f"{reply.status} {reply.header('content-type') or '(no content-type)'} {text}{more}"


def confirmed(
    probe: Probe,
    findings: list[Finding],
    first: str,
    resend: Callable[[Probe], Reply],
    judge: Judge,
) -> list[Finding]:
    """``findings`` (of the answer shown as ``first``), their failures checked once more."""
    failures = {
        f.key: f for f in findings if f.severity is Severity.FAILURE and f.check != SERVER_DOWN
    }
    if not failures:
        return findings
    reply, reason = attempt(resend, probe)
    again = judge(reply, reason)
    down = [f for f in again if f.check == SERVER_DOWN]
    if down:
        return findings + down
    fresh = show(reply, reason)
    kept = [f for f in findings if f.key not in failures]
    repeated = {f.key for f in again if f.severity is Severity.FAILURE}
    kept += [replace(f, answer=fresh) for f in again if f.key in failures]
    once = [f.check for key, f in failures.items() if key not in repeated]
    once += [f.check for f in again if f.severity is Severity.FAILURE and f.key not in failures]
    if once:
        template = next(iter(failures.values()))
        kept.append(
            replace(
                template,
                check="flaky",
                severity=Severity.WARNING,
                message=f"{probe.name}: {', '.join(dict.fromkeys(once))} on one answer only "
                f"(first: {first}; again on a fresh connection: {fresh})",
                answer=fresh,
            )
        )
    return kept
