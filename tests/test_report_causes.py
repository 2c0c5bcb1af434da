"""A run's report holds one entry per cause (one bug), however many findings come in."""

from __future__ import annotations

import io

from contract_tests.cases.model import Exchange, Expect, Finding, Probe, Reply, Severity
from contract_tests.checks.causes import answer_signature, characterized, input_kind
from contract_tests.config import SuiteConfig
from contract_tests.report.text import render_text
from contract_tests.run.progress import Progress
from contract_tests.run.session import Report


def _finding(check: str, status: int | None, location: str) -> Finding:
    return Finding(check, Severity.FAILURE, status, location, f"{check} at {location}")


JSON = (("content-type", "application/json"),)
CRASH = Reply(500, JSON, b'{"detail":"An unexpected error occurred"}')


def _probe(location: str, body: bytes = b'{"observer":"kit"}', expect: Expect = Expect.ACCEPT,
           method: str = "POST") -> Probe:  # fmt: skip
    return Probe(location, location, method, "/v2/workspaces/w/trigger_dream", body, JSON,
                 expect)  # fmt: skip


def _found(check: str, probe: Probe, reply: Reply) -> list[Finding]:
    finding = Finding(check, Severity.FAILURE, reply.status, probe.location, "found")
    return characterized(Exchange(probe, reply), [finding])


def _report(*findings: list[Finding]) -> Report:
    report = Report(SuiteConfig(base_url="http://127.0.0.1:1"))
    for found in findings:
        report.add(found)
    return report


def test_a_5xx_is_told_apart_by_the_kind_of_input_not_the_place() -> None:
    report = _report(
        _found("server_error", _probe("body.observer: NUL", b'{"observer":"a\\u0000"}'), CRASH),
        _found("server_error", _probe("body.observed: NUL", b'{"observed":"a\\u0000"}'), CRASH),
        _found("server_error", _probe("body.observer: NaN", b'{"observer":NaN}'), CRASH),
        _found("server_error", _probe("body.observed: Infinity", b'{"observed":Infinity}'), CRASH),
        _found("server_error", _probe("body.observer: lone surrogate"), CRASH),
    )
    causes = [(c.finding.cause, c.place, c.count) for c in report.distinct()]
    assert causes == [
        ("NUL", "body.observer, body.observed", 2),
        ("non-finite number", "body.observer, body.observed", 2),
        ("lone surrogate", "body.observer", 1),
    ]
    assert report.count(Severity.FAILURE) == 3


def test_a_5xx_plain_requests_get_too_is_one_cause_with_every_input() -> None:
    nul = _found("server_error", _probe("body.observer: NUL", b'{"observer":"\\u0000"}'), CRASH)
    plain = _found("server_error", _probe("body"), CRASH)
    head = _found("server_error", _probe("method HEAD", method="HEAD"), Reply(500, JSON, b""))
    other = _found("server_error", _probe("body.observer: long"), Reply(500, JSON, b"{}"))
    report = _report(nul, plain, head, other)
    causes = [(c.finding.cause, c.locations) for c in report.distinct()]
    assert causes == [
        ("body", ("body", "body.observer: NUL", "method HEAD")),  # HEAD: no body to compare
        ("long", ("body.observer: long",)),  # another answer: another bug
    ]


def test_one_wrong_status_is_one_cause_whichever_check_found_it() -> None:
    ok = Reply(200, JSON, b"")
    valid = _probe("body")
    field = _probe("body.observer: whitespace")
    theirs = Finding("positive_data_acceptance", Severity.FAILURE, 200, "body", "theirs")
    undocumented = Finding("status_code_conformance", Severity.FAILURE, 200, "body", "theirs")
    generated = characterized(Exchange(valid, ok), [theirs, undocumented])
    assert [f.check for f in generated] == ["positive_data_acceptance"]  # one says it all
    report = _report(generated, _found("expected_status", field, ok),
                     _found("expected_status", valid, ok))  # fmt: skip
    (cause,) = report.distinct()
    assert cause.finding.check == "expected_status"  # the kit's own, where it has one
    assert cause.checks == ("positive_data_acceptance", "expected_status")
    assert cause.finding.cause == "a success is the documented one"
    assert (cause.place, cause.count) == ("body, body.observer", 3)


def test_a_422_naming_the_wrong_place_joins_the_status_cause_of_its_answer() -> None:
    wrong = Reply(422, JSON, b'{"detail":[{"loc":["body","observer"],"msg":"ascii","type":"x"}]}')
    refused = _found("expected_status", _probe("body.observer: unicode"), wrong)
    misplaced = _found("error_locations", _probe("body.dream_type: unicode",
                                                 expect=Expect.REJECT), wrong)  # fmt: skip
    (cause,) = _report(refused, misplaced).distinct()
    assert cause.checks == ("expected_status", "error_locations")


def test_answer_signature_masks_what_was_sent_and_numbers() -> None:
    first = Reply(422, JSON, b'{"detail":[{"loc":["body","observer"],"input":"kit 1","n":7}]}')
    second = Reply(422, JSON, b'{"detail":[{"loc":["body","observer"],"input":"zz 22","n":9}]}')
    assert answer_signature(first, b'{"observer":"kit 1"}') == answer_signature(
        second, b'{"observer":"zz 22"}'
    )
    text = Reply(400, (("content-type", "text/plain"),), b"bad byte at 12")
    assert answer_signature(text, b"") == "text/plain bad byte at #"
    assert answer_signature(Reply(204, (), b""), None) == "- (empty)"


def test_input_kinds() -> None:
    assert input_kind("method GET") == input_kind("method HEAD") == "method"
    assert input_kind("auth: an admin token") == "credentials"
    assert input_kind("body: undeclared key", b'{"kit_extra":"' + b"x" * 2000 + b'"}') == "long"
    assert input_kind("fixture: trigger_dream/defects/unknown-workspace", b'{"a":"b"}') == (
        "unknown workspace"
    )
    assert input_kind("fixture: trigger_dream/auth/future-exp", b'{"a":"b"}') == "credentials"


def test_a_long_run_keeps_a_bounded_report() -> None:
    """A campaign that meets one cause with ever new inputs counts them all but names only
    the first fifty kinds."""
    report = Report(SuiteConfig(base_url="http://127.0.0.1:1"))
    for batch in range(100):
        report.add(_finding("server_error", 500, f"body.observer: kind {batch}-{i}")
                   for i in range(100))  # fmt: skip
    (cause,) = report.distinct()
    assert cause.count == 10_000
    assert len(cause.locations) == 50
    assert cause.locations[0] == "body.observer: kind 0-0"


def test_progress_counts_the_runs_causes_and_says_the_time_left() -> None:
    out = io.StringIO()
    ticks = iter([100.0, 101.0, 103.0, 110.0])
    progress = Progress(out, every=0.0, clock=lambda: next(ticks))
    progress.ends_at(130.0)  # --duration 30s
    progress.phase("campaign")
    progress.step(failures=2)  # the run's causes so far, not this case's findings
    progress.done("interrupted")
    assert out.getvalue().splitlines() == [
        "honcho-contract: campaign: 1 case, 2 failures, 3 s elapsed, 27 s left",
        "honcho-contract: campaign: 1 case, 2 failures, 10 s elapsed, 20 s left (interrupted)",
    ]


def test_the_text_report_names_every_check_that_found_a_cause() -> None:
    ok = Reply(200, JSON, b"")
    theirs = Finding("positive_data_acceptance", Severity.FAILURE, 200, "body", "theirs")
    report = _report(_found("expected_status", _probe("body"), ok),
                     characterized(Exchange(_probe("body"), ok), [theirs]))  # fmt: skip
    text = render_text(report).splitlines()
    assert text[1].startswith("FAIL expected_status [200] at body (2 cases)")
    assert "  also found by: positive_data_acceptance" in text
    assert text[-1].startswith("1 failure, 0 warnings")
