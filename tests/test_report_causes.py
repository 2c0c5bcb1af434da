"""A run's report holds one entry per cause, however many findings come in."""

from __future__ import annotations

from contract_tests.cases.model import Finding, Severity
from contract_tests.config import SuiteConfig
from contract_tests.run.session import Report


def _finding(check: str, status: int | None, location: str) -> Finding:
    return Finding(check, Severity.FAILURE, status, location, f"{check} at {location}")


def test_findings_of_one_check_status_and_place_are_one_counted_cause() -> None:
    report = Report(SuiteConfig(base_url="http://127.0.0.1:1"))
    report.add(
        [
            _finding("server_error", 500, "body.observer: NUL"),
            _finding("server_error", 500, "body.observer: lone surrogate"),
            _finding("server_error", 500, "body.observer: NUL"),
            _finding("server_error", 502, "body.observer: NUL"),  # another status
            _finding("status_code_conformance", 500, "body.observer: NUL"),  # another check
        ]
    )
    causes = [(c.finding.check, c.finding.status, c.place, c.count, c.locations)
              for c in report.distinct()]  # fmt: skip
    assert causes == [
        ("server_error", 500, "body.observer", 3,
         ("body.observer: NUL", "body.observer: lone surrogate")),
        ("server_error", 502, "body.observer", 1, ("body.observer: NUL",)),
        ("status_code_conformance", 500, "body.observer", 1, ("body.observer: NUL",)),
    ]  # fmt: skip
    assert report.distinct()[0].finding.location == "body.observer: NUL"  # the first found
    assert report.count(Severity.FAILURE) == 3
    assert not report.ok


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
