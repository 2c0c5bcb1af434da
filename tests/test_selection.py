"""``--checks`` and ``--exclude-checks`` (contract_tests/checks/selection.py): which findings a
run reports, by the names its reports use."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from contract_tests.cases.model import STATUS_CHECKS, Finding, Severity
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


def _two_bugs(method: str, path: str, headers: dict[str, str], body: bytes) -> Any:
    """The mock's decision with two bugs: a 500 for a NUL, and 200 where it answers 204."""
    status, out, answer = crashes_on_nul(method, path, headers, body)
    return (200 if status == 204 else status), out, answer


def _run(url: str, tmp_path: Path, *args: str) -> dict[str, Any]:
    report = tmp_path / "report.json"
    code = main(["run", "--base-url", url, "-q", "--max-examples", "5", "--report-json",
                 str(report), *args])  # fmt: skip
    assert code == 1
    document: dict[str, Any] = json.loads(report.read_text())
    return document


@pytest.mark.slow
def test_excluded_checks_find_nothing_and_the_cases_are_sent_all_the_same(
    tmp_path: Path,
) -> None:
    with raw_server(_two_bugs) as url:
        only = _run(url, tmp_path, "--checks", "server_error")
        without = _run(url, tmp_path, "--exclude-checks", "expected_status")
    # --checks server_error: the NUL's 500 alone, the 200s unreported
    assert {check for f in only["failures"] for check in f["checks"]} == {"server_error"}
    assert only["checks"] == ["server_error", "server_down"]
    # --exclude-checks expected_status: no status finding, schemathesis's included
    assert not {check for f in without["failures"] for check in f["checks"]} & STATUS_CHECKS
    assert any(f["check"] == "server_error" for f in without["failures"])
    # both runs sent the same cases: a selection judges, it does not skip
    assert only["cases"] == without["cases"] > 200
