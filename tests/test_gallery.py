"""``honcho-contract run`` with default settings catches every broken implementation."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from contract_tests.cli import main
from mock_server import BackgroundServer, MockSettings

from gallery import CASES, Case, body_on_204
from raw_server import raw_server

QUIET = MockSettings(port=0, log_level="critical")


def run_against(case: Case, tmp_path: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    report = tmp_path / "report.json"
    server = raw_server(body_on_204) if case.raw else _uvicorn(case)
    with server as url:
        code = main(["run", "--base-url", url, "--report-json", str(report),
                     *case.args, *extra])  # fmt: skip
    return code, json.loads(report.read_text())


@contextmanager
def _uvicorn(case: Case) -> Iterator[str]:
    with BackgroundServer(QUIET, app=case.app()) as server:
        yield server.url


def test_gallery_has_every_kind_of_breakage() -> None:
    assert len(CASES) >= 20
    assert sum(case.real_defect for case in CASES) == 7


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
@pytest.mark.slow
def test_suite_catches(case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, report = run_against(case, tmp_path)
    out = capsys.readouterr().out
    found = report["failures"] if case.severity == "failure" else report["warnings"]
    matching = [f for f in found if f["check"] == case.check
                and any(case.location in location for location in f["locations"])]  # fmt: skip
    assert matching, out
    assert code == (1 if case.severity == "failure" else 0), out
    assert out.splitlines()[-1] == report["summary"]


@pytest.mark.slow
def test_strict_turns_the_not_utf8_warning_into_a_failure(tmp_path: Path) -> None:
    (case,) = [c for c in CASES if c.check == "undocumented_status"]
    code, report = run_against(case, tmp_path, "--strict")
    assert code == 1
    assert [f["locations"] for f in report["failures"]] == [["body: not UTF-8"]]
