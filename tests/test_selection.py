"""``--checks`` and ``--exclude-checks`` (contract_tests/checks/selection.py): which findings a
run reports, by the names its reports use."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from schemathesis.checks import CHECKS, load_all_checks

from contract_tests.cases.model import Finding, Severity
from contract_tests.checks.selection import CHECK_CHOICES, THEIR_CHECKS, select_checks
from contract_tests.cli import main
from contract_tests.config import SuiteConfig
from contract_tests.run.engine import _engine_config

from gallery import crashes_on_nul
from raw_server import raw_server


def _finding(check: str, status: int | None = 200) -> Finding:
    return Finding(check, Severity.FAILURE, status, "body", "m")


@pytest.mark.parametrize(
    ("only", "excluded", "finding", "reported"),
    [
        pytest.param(None, None, _finding("empty_204", 204), True, id="all-by-default"),
        pytest.param(["server_error"], None, _finding("empty_204", 204), False, id="only-other"),
        pytest.param(["server_error"], None, _finding("server_error", 500), True, id="only-it"),
        # schemathesis's status checks say what expected_status says: its name takes them
        pytest.param(None, ["expected_status"], _finding("status_code_conformance"), False,
                     id="family-excluded"),
        pytest.param(["expected_status"], None, _finding("positive_data_acceptance"), True,
                     id="family-included"),
        # ... and their own names take them alone
        pytest.param(None, ["status_code_conformance"], _finding("expected_status"), True,
                     id="their-name-alone"),
        pytest.param(None, ["unsupported_method"], _finding("unsupported_method", 405), False,
                     id="their-name-folded-elsewhere"),
        # a 422's content-type: validation_error_shape's cause
        pytest.param(None, ["validation_error_shape"], _finding("content_type_conformance", 422),
                     False, id="content-type-on-422"),
        pytest.param(None, ["validation_error_shape"], _finding("content_type_conformance", 200),
                     True, id="content-type-elsewhere"),
        # what a run meets rather than judges: always
        pytest.param(["empty_204"], None, _finding("no_answer", None), True, id="no-answer"),
        pytest.param(["empty_204"], None, _finding("server_down", None), True, id="server-down"),
        pytest.param(["server_error"], ["server_error"], _finding("server_error", 500), False,
                     id="excluded-beats-only"),
    ],
)  # fmt: skip
def test_a_selection_reports_a_check_and_those_whose_cause_joins_it(
    only: list[str] | None, excluded: list[str] | None, finding: Finding, reported: bool
) -> None:
    assert select_checks(only, excluded).kept([finding]) == ([finding] if reported else [])


def test_an_unknown_name_is_one_line_listing_the_names(capsys: pytest.CaptureFixture[str]) -> None:
    # refused before any request: nothing listens at port 9
    code = main(["run", "--base-url", "http://127.0.0.1:9", "--checks", "server_error,nope"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1, err
    assert "--checks 'nope' is no check" in err
    assert all(name in err for name in CHECK_CHOICES)


def test_their_excluded_checks_do_not_run_in_the_engine() -> None:
    config = SuiteConfig(base_url="http://h", exclude_checks=("content_type_conformance",
                                                              "expected_status"))  # fmt: skip
    checks = _engine_config(config, ()).projects.get_default().checks
    assert not checks.get_by_name(name="content_type_conformance").enabled
    assert all(checks.get_by_name(name=name).enabled for name in THEIR_CHECKS
               if name != "content_type_conformance")  # fmt: skip


# schemathesis's checks that the engine runs but whose names a report of this one operation
# never shows, and why
_NEVER_REPORTED = {
    "not_a_server_error": "a 5xx is the kit's server_error, located",
    "use_after_free": "a stateful check: the kit runs no stateful phase",
    "ensure_resource_availability": "a stateful check",
    "object_level_authorization": "needs operations on one resource that read each other's",
}


def test_every_check_the_engine_runs_can_be_named() -> None:
    # a schemathesis upgrade that adds a check fails here until THEIR_CHECKS names it
    load_all_checks()
    settings = _engine_config(SuiteConfig(base_url="http://h"), ()).projects.get_default()
    running = {check.__name__ for check in CHECKS.get_all()
               if settings.checks.get_by_name(name=check.__name__).enabled}  # fmt: skip
    assert running - set(_NEVER_REPORTED) == set(THEIR_CHECKS)


def _two_bugs(method: str, path: str, headers: dict[str, str], body: bytes) -> Any:
    """The mock's decision with two bugs: a 500 for a NUL, and 200 where it answers 204."""
    status, out, answer = crashes_on_nul(method, path, headers, body)
    return (200 if status == 204 else status), out, answer


@pytest.mark.slow
def test_excluded_checks_find_nothing_and_the_cases_are_sent_all_the_same(
    tmp_path: Path,
) -> None:
    methods: set[str] = set()

    def record(method: str, path: str, headers: dict[str, str], body: bytes) -> Any:
        methods.add(method)
        return _two_bugs(method, path, headers, body)

    report_path = tmp_path / "report.json"
    with raw_server(record) as url:
        code = main(["run", "--base-url", url, "-q", "--max-examples", "5", "--checks",
                     "server_error", "--report-json", str(report_path)])  # fmt: skip
    report = json.loads(report_path.read_text())
    assert code == 1
    # the NUL's 500 alone: the 200s, which the kit's expected_status and schemathesis's
    # positive_data_acceptance find, go unreported
    assert {check for f in report["failures"] for check in f["checks"]} == {"server_error"}
    assert report["checks"] == ["server_error", "server_down"]
    # the cases of the checks left out were sent: the kit's and schemathesis's other
    # methods, which only the status checks judge
    assert {"GET", "PUT", "DELETE", "PATCH"} <= methods
