"""Confirmed findings: a failure is sent once more, on a fresh connection, before it is
reported, until its cause has held once (:class:`Confirmed`): later cases of a cause the
server has shown twice count as they came, and a run against a broken server sends half
the requests it would.

A failure the fresh answer shows again is reported with that answer; one it does not show
(or one only the fresh answer shows) is a ``flaky`` warning that gives both answers: a CI
gate must not fail on what the server does not do twice. A request that fails both times,
each time in another way (the connection reset, then a 413), is one the server never
answers as it must: the failures of the answer that came whole are reported, the other
attempt named. A ``server_down`` is never sent again (the server was seen down); one the
fresh answer meets keeps the failures unconfirmed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace

from ..cases.model import SERVER_DOWN, Finding, Probe, Reply, Severity
from ..checks.causes import input_kind
from ..errors import UnreachableError
from ..wire.outage import Outage
from ..wire.transport import BadAnswer, NoAnswer

__all__ = ["Confirmed", "Judge", "attempt", "confirmed", "show", "unanswered"]

# The findings an answer (or, where none came whole, why) gets.
Judge = Callable[[Reply | None, NoAnswer | None], list[Finding]]


def attempt(send: Callable[[Probe], Reply], probe: Probe) -> tuple[Reply | None, NoAnswer | None]:
    """``send(probe)``: the reply, or ``None`` and why no whole answer came."""
    try:
        return send(probe), None
    except NoAnswer as exc:
        return None, exc
    except UnreachableError as exc:  # met mid-run: the run's watch judges it
        return None, NoAnswer(exc.what)


def unanswered(
    probe: Probe,
    failure: NoAnswer,
    lost: Callable[[str], Outage | None] | None,
    curl: Callable[[Probe], str],
) -> Finding:
    """The finding of a request that got no whole answer. An answer that broke a bound or
    HTTP's framing is that finding, whatever was sent (one cause however many cases meet
    it), with its first bytes; else ``server_down`` if the server stopped answering (see
    ``lost``, the run's watch), else ``no_answer`` (a warning where a header value is past
    ASCII)."""
    if isinstance(failure, BadAnswer):
        head = failure.head.decode("utf-8", "backslashreplace")
        return Finding(failure.check, Severity.FAILURE, None, probe.location,
                       f"{probe.name}: {failure}", answer=f"first bytes: {head}")  # fmt: skip
    outage = lost(str(failure)) if lost is not None else None
    if outage is not None:
        return outage.finding(curl)
    kind = input_kind(probe.location, probe.body)
    # a header value past ASCII (obs-text) is one a parser may refuse: RFC 9112 §2.2 says it
    # SHOULD answer 400, so a connection closed without one is a warning, not a failure
    obs_text = any(not value.isascii() for _, value in probe.headers)
    severity = Severity.WARNING if obs_text else Severity.FAILURE
    return Finding("no_answer", severity, None, probe.location,
                   f"{probe.name}: {failure}", cause=kind)  # fmt: skip


def show(reply: Reply | None, failure: NoAnswer | None = None, limit: int = 200) -> str:
    """One line: status, content-type and the body cut at ``limit`` characters."""
    if reply is None:
        return str(failure) if failure is not None else "no answer"
    text = reply.body[:limit].decode("utf-8", "backslashreplace") or "(empty body)"
    more = f"... ({len(reply.body):,} bytes)" if len(reply.body) > limit else ""
    return f"{reply.status} {reply.header('content-type') or '(no content-type)'} {text}{more}"


class Confirmed:
    """The causes whose failures held on a fresh connection, this run; thread-safe."""

    def __init__(self) -> None:
        self._causes: set[tuple[str, str, int | None, str, str]] = set()
        self._lock = threading.Lock()

    def all_of(self, failures: list[Finding]) -> bool:
        with self._lock:
            return all(f.cause_key in self._causes for f in failures)

    def add(self, failures: list[Finding]) -> None:
        with self._lock:
            self._causes.update(f.cause_key for f in failures)


def confirmed(
    probe: Probe,
    findings: list[Finding],
    first: str,
    resend: Callable[[Probe], Reply],
    judge: Judge,
    *,
    known: Confirmed | None = None,
) -> list[Finding]:
    """``findings`` (of the answer shown as ``first``), their failures checked once more,
    but where each is of a cause ``known`` to hold."""
    failures = {
        f.key: f for f in findings if f.severity is Severity.FAILURE and f.check != SERVER_DOWN
    }
    if not failures or (known is not None and known.all_of(list(failures.values()))):
        return findings
    reply, failure = attempt(resend, probe)
    again = judge(reply, failure)
    down = [f for f in again if f.check == SERVER_DOWN]
    if down:
        return findings + down
    fresh = show(reply, failure)
    kept = [f for f in findings if f.key not in failures]
    repeated = {f.key for f in again if f.severity is Severity.FAILURE}
    # a finding without a status is one of an answer that never came whole (unanswered())
    first_whole = any(f.status is not None for f in failures.values())
    if repeated and not repeated & failures.keys() and (failure is None or first_whole):
        # failed both times, each time otherwise (a reset, then a 413): the request is never
        # answered as it must be; the failures of the answer that came whole say how, once
        # (two attempts that both went unanswered, each otherwise, stay flaky: a slow server)
        if failure is None:
            told = [replace(f, message=f"{f.message} (first: {first})", answer=fresh)
                    for f in again if f.severity is Severity.FAILURE]  # fmt: skip
        else:
            told = [replace(f, message=f"{f.message} (again on a fresh connection: {fresh})")
                    for f in failures.values()]  # fmt: skip
        if known is not None:
            known.add(told)
        return kept + told
    held = [replace(f, answer=fresh) for f in again if f.key in failures]
    kept += held
    if known is not None:
        known.add([f for f in held if f.severity is Severity.FAILURE])
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
