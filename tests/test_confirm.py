"""A failure is sent again on a fresh connection before it is reported
(contract_tests.run.confirm): what held is reported, what came once is a ``flaky`` warning,
and a request that failed both times, each time otherwise, is reported once as a failure."""

from __future__ import annotations

from collections.abc import Callable

from contract_tests.cases.model import Finding, Probe, Reply, Severity
from contract_tests.run.confirm import Confirmed, confirmed, show
from contract_tests.wire.transport import NoAnswer

PROBE = Probe("observer of 600,000 characters", "body.observer", "POST", "/p", b"{}")
RESET = NoAnswer("no answer (the connection was reset)")
REFUSED = Reply(413, (("content-type", "application/json"),), b'{"detail":"too large"}')
ACCEPTED = Reply(204, (), b"")


def failure(check: str, status: int | None) -> Finding:
    return Finding(check, Severity.FAILURE, status, PROBE.location, f"{PROBE.name}: {check}")


def judge(reply: Reply | None, no_answer: NoAnswer | None) -> list[Finding]:
    """A valid body's verdict: 204, else a failure of the status, or of no answer."""
    if reply is None:
        return [failure("no_answer", None)]
    return [] if reply.status == 204 else [failure("expected_status", reply.status)]


def resend_with(reply: Reply | None) -> Callable[[Probe], Reply]:
    def resend(_probe: Probe) -> Reply:
        if reply is None:
            raise RESET
        return reply

    return resend


def confirm(
    first: Reply | None, again: Reply | None, known: Confirmed | None = None
) -> list[Finding]:
    failure_first = RESET if first is None else None
    return confirmed(PROBE, judge(first, failure_first), show(first, failure_first),
                     resend_with(again), judge, known=known)  # fmt: skip


def test_a_failure_that_holds_is_reported_with_the_fresh_answer() -> None:
    (found,) = confirm(REFUSED, REFUSED)
    assert (found.check, found.severity, found.status) == ("expected_status", Severity.FAILURE, 413)
    assert found.answer.startswith("413 application/json")


def test_a_failure_on_one_answer_only_is_a_flaky_warning() -> None:
    (found,) = confirm(REFUSED, ACCEPTED)
    assert (found.check, found.severity) == ("flaky", Severity.WARNING)
    assert "expected_status on one answer only" in found.message


def test_an_answer_without_a_failure_is_not_sent_again() -> None:
    assert confirm(ACCEPTED, None) == []  # the fresh answer would have been a reset


def test_a_reset_then_a_413_is_one_failure_the_413() -> None:
    # a body limit below the document's: the first try is reset mid-body, the fresh one
    # gets the 413; the server refuses the valid body every time, which is no flaky server
    known = Confirmed()
    (found,) = confirm(None, REFUSED, known)
    assert (found.check, found.severity, found.status) == ("expected_status", Severity.FAILURE, 413)
    assert "(first: no answer (the connection was reset))" in found.message
    assert found.answer.startswith("413")
    assert known.all_of([found])


def test_a_413_then_a_reset_is_one_failure_the_413() -> None:
    (found,) = confirm(REFUSED, None)
    assert (found.check, found.severity, found.status) == ("expected_status", Severity.FAILURE, 413)
    assert "again on a fresh connection: no answer" in found.message


def test_a_reset_then_a_204_is_flaky() -> None:
    (found,) = confirm(None, ACCEPTED)
    assert (found.check, found.severity) == ("flaky", Severity.WARNING)


def test_two_attempts_unanswered_each_otherwise_stay_flaky() -> None:
    # a slow server: the first try's connection reset, the fresh one's answer too slow
    def judge_slow(reply: Reply | None, no_answer: NoAnswer | None) -> list[Finding]:
        return [failure("answer_too_slow" if no_answer is not RESET else "no_answer", None)]

    def slow(_probe: Probe) -> Reply:
        raise NoAnswer("the answer was not whole within 10 s")

    findings = confirmed(PROBE, judge_slow(None, RESET), show(None, RESET), slow, judge_slow)
    (found,) = findings
    assert (found.check, found.severity) == ("flaky", Severity.WARNING)
