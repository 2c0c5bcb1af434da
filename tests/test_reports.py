"""What a run reports, in every form: text on stdout, JSON and JUnit XML.

An error of schemathesis's engine (here: a document whose observer no string satisfies)
fails the run and reaches each report.
"""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree as ET

import pytest
import yaml

from contract_tests.cli import main
from honcho_spec import default_document_path
from mock_server import BackgroundServer, MockSettings

# No string is at least 10 and at most 2 characters long: hypothesis.errors.Unsatisfiable.
UNSATISFIABLE = {"minLength": 10, "maxLength": 2}
ENGINE_ERROR = "Unsatisfiable"


@dataclass(frozen=True)
class Outcome:
    code: int
    text: str
    json: dict[str, Any]
    junit: ET.Element


@pytest.fixture(scope="module")
def engine_error_run(tmp_path_factory: pytest.TempPathFactory) -> Outcome:
    """A run against the mock (on the embedded document) with a document schemathesis
    cannot generate a body from: its exit code and its three reports."""
    folder = tmp_path_factory.mktemp("engine-error")
    tree = yaml.safe_load(default_document_path().read_text())
    tree["components"]["schemas"]["TriggerDreamRequest"]["properties"]["observer"].update(
        UNSATISFIABLE
    )
    document = folder / "unsatisfiable.yaml"
    document.write_text(yaml.safe_dump(tree, sort_keys=False))
    report, junit, out = folder / "report.json", folder / "junit.xml", io.StringIO()
    mock = BackgroundServer(MockSettings(port=0, log_level="critical"))
    with mock as server, contextlib.redirect_stdout(out):
        # no body is valid by that document, so the mock's 204s break it: the status
        # findings are beside the point here
        code = main(["run", "--base-url", server.url, "-q", "--max-examples", "5",
                     "--spec", str(document), "--report-json", str(report),
                     "--exclude-checks", "expected_status",
                     "--junit-xml", str(junit)])  # fmt: skip
    return Outcome(code, out.getvalue(), json.loads(report.read_text()), ET.parse(junit).getroot())


def _text_errors(outcome: Outcome) -> list[str]:
    return [line for line in outcome.text.splitlines() if line.startswith("ERROR ")]


def _junit_errors(outcome: Outcome) -> list[str]:
    return [e.get("message", "") for e in outcome.junit.iter("error")]


@pytest.mark.parametrize(
    "errors_in",
    [
        pytest.param(_text_errors, id="text"),
        pytest.param(lambda outcome: outcome.json["errors"], id="json"),
        pytest.param(_junit_errors, id="junit"),
    ],
)
@pytest.mark.slow
def test_an_engine_error_reaches_every_report(
    engine_error_run: Outcome, errors_in: Callable[[Outcome], list[str]]
) -> None:
    found = errors_in(engine_error_run)
    assert len(found) == 1, engine_error_run.text
    assert ENGINE_ERROR in found[0]


@pytest.mark.slow
def test_an_engine_error_fails_the_run(engine_error_run: Outcome) -> None:
    outcome = engine_error_run
    assert outcome.code == 1, outcome.text
    assert outcome.json["failures"] == []  # the error alone fails it
    summary = outcome.text.splitlines()[-1]
    assert summary == outcome.json["summary"]
    assert summary.startswith("0 failures, ")
    assert ", 1 engine error in " in summary


@pytest.mark.slow
def test_junit_counts_engine_errors(engine_error_run: Outcome) -> None:
    suite = engine_error_run.junit
    cases = list(suite.iter("testcase"))
    engine = [case for case in cases if case.get("classname") == "engine"]
    assert len(engine) == 1
    assert (suite.get("errors"), suite.get("tests")) == ("1", str(len(cases)))
    assert suite.get("failures") == "0"
