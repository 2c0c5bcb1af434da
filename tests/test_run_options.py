"""``honcho-contract run`` options that change what a run does: ``--auth off``, ``--max-time``
and a ``--duration`` the fixed phases use up."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest

from contract_tests.cli import main
from mock_server import BackgroundServer, MockSettings

from gallery import CASES, decided
from raw_server import raw_server

QUIET = MockSettings(port=0, log_level="critical")


def run(url: str, tmp_path: Path, *args: str) -> tuple[int, dict[str, Any]]:
    report = tmp_path / "report.json"
    code = main(["run", "--base-url", url, "-q", "--report-json", str(report), *args])
    return code, json.loads(report.read_text())


def _checks(report: dict[str, Any]) -> set[str]:
    return {f["check"] for f in report["failures"] + report["warnings"]}


@pytest.mark.parametrize(
    ("server", "auth", "code", "checks"),
    [
        # Auth ignored: no credentials enforced, a token for another workspace accepted.
        pytest.param("auth ignored", None, 1, {"credentials_not_enforced", "expected_status"},
                     id="ignored-auto"),
        pytest.param("auth ignored", "off", 0, set(), id="ignored-off"),
        # Auth enforced, but any token that decodes is accepted: the token probes and the
        # golden auth cases (expired, alg none, another secret) fail, unless --auth off.
        pytest.param("accepts any token that decodes, unverified", None, 1, {"expected_status"},
                     id="unverified-auto"),
        pytest.param("accepts any token that decodes, unverified", "off", 0, set(),
                     id="unverified-off"),
    ],
)  # fmt: skip
@pytest.mark.slow
def test_auth_off_leaves_auth_out(
    tmp_path: Path, server: str, auth: str | None, code: int, checks: set[str]
) -> None:
    (case,) = [c for c in CASES if c.name == server]
    args = [*case.args, "--max-examples", "5", *(["--auth", auth] if auth else [])]
    with BackgroundServer(QUIET, app=case.app()) as running:
        got, report = run(running.url, tmp_path, *args)
    assert got == code, report["summary"]
    assert _checks(report) - {"undocumented_status"} == checks  # 400 for non-text bytes
    auth_places = [loc for f in report["failures"] for loc in f["locations"]
                   if loc.startswith(("auth: ", "fixture: trigger_dream/auth/"))]  # fmt: skip
    assert bool(auth_places) == (auth is None)


def slow(method: str, path: str, headers: dict[str, str], body: bytes) -> Any:
    """The mock's decision, 20 ms late: a run's generated phase outlasts one second."""
    time.sleep(0.02)
    return decided(method, path, headers, body)


@pytest.mark.slow
def test_max_time_stops_the_run(tmp_path: Path) -> None:
    # --max-time bounds the whole run, probes included (a server as slow as --timeout allows
    # on every case would take cases x timeout): it stops with the report of what ran
    with raw_server(slow) as url:
        whole = run(url, tmp_path, "--max-examples", "50")[1]
        cut = run(url, tmp_path, "--max-examples", "50", "--max-time", "1")[1]
    assert (whole["failures"], cut["failures"]) == ([], [])
    assert 0 < cut["cases"] < whole["cases"]
    assert cut["stopped"].startswith("--max-time 1 s reached: stopped after")
    assert cut["duration_s"] < 5  # then the cases in flight end (20 ms each)


@pytest.mark.slow
def test_a_max_time_the_run_does_not_reach_changes_nothing(mock_url: str, tmp_path: Path) -> None:
    # a bound, not a length: the run is the run without it (schemathesis given a max-time
    # cycles its phases until the time is spent: a CI's --max-time 300 was a 300 s run)
    whole = run(mock_url, tmp_path, "--max-examples", "5")[1]
    bounded = run(mock_url, tmp_path, "--max-examples", "5", "--max-time", "300")[1]
    assert bounded["cases"] == whole["cases"]
    assert bounded["stopped"] is None
    assert bounded["duration_s"] < 60


@pytest.mark.slow
def test_a_duration_the_fixed_phases_use_up_says_so(
    mock_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report_path = tmp_path / "report.json"
    code = main(["run", "--base-url", mock_url, "--max-examples", "5", "--duration", "1s",
                 "--report-json", str(report_path)])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0
    # one line on stderr, the same in the text report and the JSON: how long the fixed
    # phases took, and a --duration long enough for a campaign after them
    (line,) = [line for line in err.splitlines() if "no campaign" in line]
    note = line.removeprefix("honcho-contract: ")
    match = re.fullmatch(r"no campaign: the fixed phases took (\d+) s of --duration 1s; "
                         r"a campaign fuzzes for what is left after them: give --duration "
                         r"more than (\d+)s", note)  # fmt: skip
    assert match is not None, note
    assert int(match.group(2)) > max(1, int(match.group(1)))
    assert f"NOTE {note}" in out.splitlines()
    assert json.loads(report_path.read_text())["notes"] == [note]
    assert "honcho-contract: campaign:" not in err  # no campaign phase began
