"""``honcho-contract run`` options that change what a run does: ``--auth off`` and
``--max-time``."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from contract_tests.cli import main
from mock_server import BackgroundServer, MockSettings

from gallery import CASES, SECRET, decided
from raw_server import raw_server

QUIET = MockSettings(port=0, log_level="critical")


def run(url: str, tmp_path: Path, *args: str) -> tuple[int, dict[str, Any]]:
    report = tmp_path / "report.json"
    code = main(["run", "--base-url", url, "-q", "--report-json", str(report), *args])
    return code, json.loads(report.read_text())


def _checks(report: dict[str, Any]) -> set[str]:
    return {f["check"] for f in report["failures"] + report["warnings"]}


@pytest.mark.parametrize(
    ("auth", "code", "auth_findings"),
    [
        pytest.param(None, 1, {"credentials_not_enforced", "expected_status"}, id="auto"),
        pytest.param("off", 0, set(), id="off"),
    ],
)
def test_auth_off_leaves_auth_out(
    tmp_path: Path, auth: str | None, code: int, auth_findings: set[str]
) -> None:
    # A server that ignores auth: no credentials enforced, a token for another workspace
    # accepted. --auth off asks for neither (nor mints tokens with --jwt-secret).
    (case,) = [c for c in CASES if c.name == "auth ignored"]
    args = ["--jwt-secret", SECRET, "--max-examples", "5", *(["--auth", auth] if auth else [])]
    with BackgroundServer(QUIET, app=case.app()) as server:
        got, report = run(server.url, tmp_path, *args)
    assert got == code, report["summary"]
    found = _checks(report) - {"undocumented_status"}  # 400 for bytes that are not text
    assert found == auth_findings
    auth_places = [loc for f in report["failures"] for loc in f["locations"]
                   if loc.startswith("auth: ")]  # fmt: skip
    assert bool(auth_places) == (auth is None)


def slow(method: str, path: str, headers: dict[str, str], body: bytes) -> Any:
    """The mock's decision, 20 ms late: a run's generated phase outlasts one second."""
    time.sleep(0.02)
    return decided(method, path, headers, body)


def test_max_time_stops_generating(tmp_path: Path) -> None:
    with raw_server(slow) as url:
        whole = run(url, tmp_path, "--max-examples", "50")[1]
        cut = run(url, tmp_path, "--max-examples", "50", "--max-time", "1")[1]
    # the same probes and golden cases, fewer generated cases
    assert (whole["failures"], cut["failures"]) == ([], [])
    assert 0 < cut["cases"] < whole["cases"]
