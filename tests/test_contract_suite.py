"""The contract suite against faithful servers, through its CLI and through pytest."""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
import yaml

from contract_tests.cases.facts import ContractFacts
from contract_tests.cli import main
from contract_tests.untrusted import one_line
from honcho_spec import default_document_path, load_document, load_golden_cases
from mock_server import BackgroundServer, MockSettings

from cli_process import console_script
from conftest import JWT_SECRET
from gallery import CASES, crashes_on_nul, decided
from oracle import FRAMEWORK_DEFECTS, oracle_server
from raw_server import Silence, Traffic, raw_server

CONTRACT = console_script("honcho-contract")
QUIET = MockSettings(port=0, log_level="critical")


def run(url: str, tmp_path: Path, *args: str) -> tuple[int, dict[str, Any]]:
    report = tmp_path / "report.json"
    code = main(["run", "--base-url", url, "--report-json", str(report), *args])
    return code, json.loads(report.read_text())


@pytest.mark.parametrize("profile", ["contract", "honcho"])
@pytest.mark.slow
def test_mock_keeps_the_contract(mock_url: str, tmp_path: Path, profile: str) -> None:
    code, report = run(mock_url, tmp_path, "--profile", profile)
    assert code == 0
    assert report["failures"] == []
    assert {w["check"] for w in report["warnings"]} == {
        "credentials_not_enforced",  # auth off, as Honcho's default
        "undocumented_status",  # 400 for bytes that are not text, as the real server
    }
    assert report["cases"] > 250


@pytest.mark.parametrize(
    "extra",
    [
        pytest.param((), id="contract"),
        pytest.param(("--profile", "honcho"), id="honcho"),
        # the golden cases' paths move, and so does the w claim of the tokens minted for them
        pytest.param(("--profile", "honcho", "--workspace-id", "ws-9"), id="workspace-id"),
    ],
)
@pytest.mark.slow
def test_mock_with_auth_and_the_secret_keeps_the_contract(
    auth_mock_url: str, tmp_path: Path, extra: tuple[str, ...]
) -> None:
    args = ("--jwt-secret", JWT_SECRET, "--auth", "required", *extra)
    code, report = run(auth_mock_url, tmp_path, *args)
    assert code == 0
    assert report["failures"] == []
    assert [w["check"] for w in report["warnings"]] == ["undocumented_status"]


def test_a_run_that_can_test_nothing_past_auth_is_not_green(
    auth_mock_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "report.json"
    code = main(["run", "--base-url", auth_mock_url, "--report-json", str(report)])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert "refuses a valid request without credentials (401)" in err
    assert "--token" in err


@pytest.mark.pinned_runtime
@pytest.mark.parametrize("profile", ["contract", "honcho"])
@pytest.mark.slow
def test_oracle_fails_only_where_the_framework_crashes(tmp_path: Path, profile: str) -> None:
    with oracle_server() as server:
        code, report = run(server.url, tmp_path, "--profile", profile)
    assert code == 1
    failures = {(f["check"], loc) for f in report["failures"] for loc in f["locations"]}
    assert {check for check, _ in failures} == {"server_error"}
    assert {location for _, location in failures} <= FRAMEWORK_DEFECTS
    assert len(failures) >= 6


@pytest.mark.slow
def test_same_seed_same_report(tmp_path: Path) -> None:
    (case,) = [c for c in CASES if c.name == "500 for NUL in a peer name"]
    with BackgroundServer(QUIET, app=case.app()) as server:
        first = run(server.url, tmp_path, "--seed", "7")[1]
        second = run(server.url, tmp_path, "--seed", "7")[1]
    for report in (first, second):
        report.pop("duration_s")
        report.pop("summary")
    assert first == second


@pytest.mark.slow
@pytest.mark.once
def test_unpinned_unknown_workspace_gets_a_hint(tmp_path: Path) -> None:
    (case,) = [c for c in CASES if c.name == "500 for an unknown workspace"]
    with BackgroundServer(QUIET, app=case.app()) as server:
        _, report = run(server.url, tmp_path)
    hints = [w for w in report["warnings"] if w["check"] == "workspace_hint"]
    assert len(hints) == 1
    assert "--workspace-id" in hints[0]["message"]


@pytest.mark.slow
@pytest.mark.once
def test_pinned_workspace_leaves_only_unknown_workspaces_failing(tmp_path: Path) -> None:
    (case,) = [c for c in CASES if c.name == "500 for an unknown workspace"]
    with BackgroundServer(QUIET, app=case.app()) as server:
        code, report = run(server.url, tmp_path, "--workspace-id", "ws-known")
    assert code == 1
    locations = {loc for f in report["failures"] for loc in f["locations"]}
    assert "path: unknown workspace" in locations
    others = locations - {"fixture: trigger_dream/defects/unknown-workspace"}
    assert all(location.startswith("path: ") for location in others), locations


@pytest.mark.parametrize(("show", "visible"), [(False, False), (True, True)])
@pytest.mark.slow
@pytest.mark.once
def test_reproducers_mask_credentials(show: bool, visible: bool, tmp_path: Path) -> None:
    (case,) = [c for c in CASES if c.name == "500 for NUL in a peer name"]
    token = "kit-secret-token"
    with BackgroundServer(QUIET, app=case.app()) as server:
        args = ["--token", token, *(["--show-secrets"] if show else [])]
        _, report = run(server.url, tmp_path, *args)
    reproducers = " ".join(f["reproducer"] for f in report["failures"])
    assert "[redacted]" in reproducers or visible
    assert (token in reproducers) is visible


@pytest.mark.slow
@pytest.mark.once
def test_junit_report(mock_url: str, tmp_path: Path) -> None:
    junit = tmp_path / "junit.xml"
    (case,) = [c for c in CASES if c.name == "a 422 without detail"]
    with BackgroundServer(QUIET, app=case.app()) as server:
        code, report = run(server.url, tmp_path, "--junit-xml", str(junit))
    suite = ET.parse(junit).getroot()
    assert code == 1
    assert suite.tag == "testsuite"
    # a failing test case per cause, as the text and JSON count them; a passing one per
    # check at each place the run aimed at that found nothing there
    elements = list(suite.iter("testcase"))
    cases = {(c.get("classname"), c.get("name")): c for c in elements}
    assert len(cases) == len(elements) > 50
    failing = [c for c in elements if c.find("failure") is not None]
    # (a place named by a key the run sent, "body.\r", is shown escaped, as in every report)
    assert [(c.get("classname"), c.get("name")) for c in failing] == [
        (f["check"], one_line(f"{f['location']}: {f['cause']}")) for f in report["failures"]
    ]
    assert [(f["check"], f["cause"]) for f in report["failures"]] == [
        ("validation_error_shape", "no detail")
    ]
    assert suite.get("failures") == str(len(report["failures"])) == "1"
    assert report["summary"].startswith("1 failure, ")
    passed = cases[("server_error", "body.observer")]
    assert list(passed) == []
    assert ("validation_error_shape", "body.observer") not in cases  # its cause's test case
    (failure,) = list(failing[0])
    assert failure.tag == "failure"
    assert "curl" in (failure.text or "")


def test_report_paths_are_checked_before_the_run(tmp_path: Path, capsys: Any) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    code = main(["run", "--base-url", "http://127.0.0.1:9", "--report-json",
                 str(tmp_path / "a-file" / "missing" / "report.json")])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2
    assert f"{tmp_path / 'a-file' / 'missing'} does not exist, and " in err
    assert "cannot reach" not in err  # refused before any request


@pytest.mark.slow
def test_a_run_makes_its_report_folders_and_leaves_no_hypothesis_folder(
    mock_url: str, tmp_path: Path
) -> None:
    done = subprocess.run(
        [CONTRACT, "run", "--base-url", mock_url, "-q", "--max-examples", "5", "--report-json",
         "reports/run.json", "--junit-xml", "reports/ci/junit.xml"],
        capture_output=True, text=True, timeout=300, check=False, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "reports" / "run.json").read_text())["failures"] == []
    assert ET.parse(tmp_path / "reports" / "ci" / "junit.xml").getroot().tag == "testsuite"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reports"]  # no .hypothesis/


@pytest.mark.parametrize("args", [["--base-url", "http://127.0.0.1:9"], ["--seed", "3", "run"]])
def test_an_option_before_the_command_is_one_line(args: list[str], capsys: Any) -> None:
    assert main(args) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"honcho-contract: error: {args[0]} is an option of a command: name "
                           "the command first, as in 'honcho-contract run ")  # fmt: skip


@pytest.mark.parametrize("quiet", [False, True])
@pytest.mark.slow
@pytest.mark.once
def test_progress_goes_to_stderr_unless_quiet(mock_url: str, tmp_path: Path, quiet: bool) -> None:
    done = subprocess.run(
        [console_script("honcho-contract"), "run", "--base-url", mock_url, "--max-examples", "5",
         *(["-q"] if quiet else [])],
        capture_output=True, text=True, timeout=300, check=False, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    phases = [line for line in done.stderr.splitlines() if line.endswith("(phase done)")]
    if quiet:
        assert done.stderr == ""
    else:
        assert [line.split(":")[1].strip() for line in phases] == [
            "probes", "golden cases", "generated cases"
        ]  # fmt: skip
        assert re.fullmatch(r"honcho-contract: probes: \d+ cases, 0 failures, \d+ s elapsed "
                            r"\(phase done\)", phases[0])  # fmt: skip


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        pytest.param(["run", "--base-url", "http://127.0.0.1:9"], "cannot reach", id="dead-url"),
        pytest.param(["run"], "pass --base-url", id="no-url"),
        pytest.param(["run", "--base-url", "ftp://x"], "not an http(s) URL", id="bad-url"),
        pytest.param(
            ["run", "--base-url", "http://x", "--workers", "0"], "at least 1", id="workers"
        ),
        pytest.param(["run", "--bogus"], "unrecognized arguments", id="bad-flag"),
        pytest.param(
            ["run", "--base-url", "http://x", "--rate-limit", "fast"], "not a rate", id="rate"
        ),
        pytest.param(
            ["run", "--base-url", "http://x", "--rate-limit", "0/s"], "not a rate", id="rate-0"
        ),
        pytest.param(["walk"], "invalid choice", id="bad-command"),
    ],
)
@pytest.mark.slow
@pytest.mark.once
def test_usage_errors_are_one_line(args: list[str], fragment: str) -> None:
    done = subprocess.run([CONTRACT, *args], capture_output=True, text=True, timeout=60,
                          check=False)  # fmt: skip
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("honcho-contract: error: ")
    assert fragment in lines[0]


@pytest.mark.slow
@pytest.mark.once
def test_unwritable_report_is_one_line(mock_url: str, tmp_path: Path) -> None:
    (tmp_path / "f").write_text("a file where the report's folder would be")
    done = subprocess.run(
        [CONTRACT, "run", "--base-url", mock_url, "--report-json", str(tmp_path / "f" / "r")],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("honcho-contract: error: cannot write ")


def pytest_mode(url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "--pyargs", "contract_tests", "--base-url", url,
         "-q", "-p", "no:cacheprovider", "--contract-max-examples", "30", *args],
        capture_output=True, text=True, timeout=300, check=False, cwd=tmp_path,
    )  # fmt: skip


@pytest.mark.parametrize("profile", ["contract", "honcho"])
@pytest.mark.slow
def test_pytest_entry_point(mock_url: str, tmp_path: Path, profile: str) -> None:
    done = pytest_mode(mock_url, tmp_path, "--contract-profile", profile)
    assert done.returncode == 0, done.stdout[-3000:]
    assert "honcho-contract warnings" in done.stdout
    last = done.stdout.splitlines()[-1]
    assert " passed" in last
    # the Honcho-only golden cases run under honcho and are skipped, with the reason, under contract
    skipped = int(last.split(" skipped")[0].rsplit(" ", 1)[-1]) if " skipped" in last else 0
    honcho_only = sum(case.profile == "honcho" for case in load_golden_cases())
    assert (skipped >= honcho_only) == (profile == "contract"), last


@pytest.mark.slow
def test_pytest_entry_point_without_credentials_stops_with_one_line(
    auth_mock_url: str, tmp_path: Path
) -> None:
    done = pytest_mode(auth_mock_url, tmp_path)
    assert done.returncode == 2, done.stdout[-3000:]
    assert "refuses a valid request without credentials (401)" in done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr


@pytest.mark.slow
def test_pytest_entry_point_fails_on_a_broken_server(tmp_path: Path) -> None:
    (case,) = [c for c in CASES if c.name == "a 422 without detail"]
    with BackgroundServer(QUIET, app=case.app()) as server:
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "--pyargs", "contract_tests", "--base-url",
             server.url, "-q", "-p", "no:cacheprovider", "--contract-max-examples", "30"],
            capture_output=True, text=True, timeout=300, check=False, cwd=tmp_path,
        )  # fmt: skip
    assert done.returncode == 1
    assert "validation_error_shape" in done.stdout


@pytest.mark.slow
def test_a_server_that_drops_the_connection_after_a_500(tmp_path: Path) -> None:
    # After each 500 the server reads the next request on that connection and hangs up
    # without answering it, as uvicorn may once an exception escapes: that request is sent
    # again on a fresh connection, so each 500 is one server_error and nothing is no_answer.
    traffic = Traffic()
    with raw_server(crashes_on_nul, traffic=traffic, hang_up_after={500}) as url:
        code, report = run(url, tmp_path)
    failures = {(f["check"], f["status"], loc) for f in report["failures"]
                for loc in f["locations"]}  # fmt: skip
    assert code == 1
    assert not [f for f in failures if f[0] == "no_answer"], failures
    assert ("server_error", 500, "body.observer: NUL") in failures
    assert ("server_error", 500, "body.observed: NUL") in failures
    assert {check for check, _, _ in failures} == {"server_error"}, failures
    assert traffic.connections > 2  # it did hang up, more than once


@pytest.mark.parametrize(
    ("args", "code", "expected"),
    [
        pytest.param([], 0, "no server to test: pass --base-url URL", id="no-base-url"),
        pytest.param(["--base-url", "http://127.0.0.1:9"], 2, "cannot reach the server",
                     id="unreachable"),
        pytest.param(["--base-url", "http://127.0.0.1:9", "--contract-max-examples", "0"], 4,
                     "ERROR: honcho-contract: --contract-max-examples '0' must be at least 1",
                     id="bad-option"),
        # a worker's exit would be a crash: the main process checks the server first
        pytest.param(["--base-url", "http://127.0.0.1:9", "-n", "2"], 2,
                     "honcho-contract: error: http://127.0.0.1:9: cannot reach the server",
                     id="unreachable-under-xdist"),
        pytest.param(["--base-url", "http://127.0.0.1:9", "--contract-shard", "3/2"], 4,
                     "'3/2' is not a shard; give I/N with 1 <= I <= N", id="bad-shard"),
    ],
)  # fmt: skip
@pytest.mark.slow
def test_pytest_entry_point_says_what_is_wrong_once(
    tmp_path: Path, args: list[str], code: int, expected: str
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--pyargs", "contract_tests", "-q", "-ra",
         "-p", "no:cacheprovider", *args],
        capture_output=True, text=True, timeout=120, check=False, cwd=tmp_path,
    )  # fmt: skip
    out = done.stdout + done.stderr
    assert done.returncode == code, out
    assert expected in out
    assert "Traceback" not in out
    assert "crashed" not in out
    assert out.count(expected) <= 5  # once, or once per skipped test's summary line


@pytest.mark.parametrize("command", ["honcho-contract", "honcho-mock"])
@pytest.mark.slow
@pytest.mark.once
def test_version(command: str) -> None:
    done = subprocess.run([console_script(command), "--version"], capture_output=True, text=True,
                          timeout=60, check=False)  # fmt: skip
    assert done.returncode == 0
    assert re.fullmatch(rf"{command} \d+\.\d+\.\d+\S*\n", done.stdout)


@pytest.mark.slow
def test_spec_finds_the_operation_in_a_whole_document(tmp_path: Path) -> None:
    # A document with another JSON-body operation first, as Honcho's whole document has: the
    # mock serves it, and --spec on run and diff finds trigger_dream by its path and method.
    tree = yaml.safe_load(default_document_path().read_text())
    other = copy.deepcopy(next(iter(tree["paths"].values())))
    other["post"]["operationId"] = "create_peer"
    other["post"]["requestBody"]["content"]["application/json"]["schema"] = {
        "type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]
    }  # fmt: skip
    tree["paths"] = {"/v2/workspaces/{workspace_id}/peers": other, **tree["paths"]}
    document = tmp_path / "honcho.yaml"
    document.write_text(yaml.safe_dump(tree, sort_keys=False))
    facts = ContractFacts.from_document(load_document(document))
    assert (facts.operation.method, facts.operation.path) == (
        "POST", "/v2/workspaces/{workspace_id}/trigger_dream"
    )  # fmt: skip
    settings = MockSettings(port=0, log_level="critical", spec_path=document)
    with BackgroundServer(settings) as server:
        code, report = run(server.url, tmp_path, "--spec", str(document), "--timeout", "5")
        diff_code = main(["diff", "--a", server.url, "--b", server.url, "--spec", str(document),
                          "--max-examples", "5"])  # fmt: skip
    assert code == 0, report["failures"]
    assert report["failures"] == []
    assert diff_code == 0


@pytest.mark.slow
def test_timeout_is_the_wait_for_each_answer(tmp_path: Path) -> None:
    # A server that never answers one request: no_answer after --timeout, not the default 10 s.
    def stalls_on_nul(method: str, path: str, headers: dict[str, str], body: bytes) -> Any:
        return Silence.STALL if b"\\u0000" in body else decided(method, path, headers, body)

    with raw_server(stalls_on_nul) as url:
        started = time.monotonic()
        code, report = run(url, tmp_path, "--timeout", "0.5", "--max-examples", "5")
        took = time.monotonic() - started
    assert code == 1
    assert ("no_answer", "body.observer: NUL") in {(f["check"], loc) for f in report["failures"]
                                                   for loc in f["locations"]}  # fmt: skip
    assert took < 20  # the default 10 s would take longer for the two NUL probes alone


@pytest.mark.slow
def test_a_cause_that_held_is_not_sent_again(tmp_path: Path) -> None:
    # a server that crashes on everything: its first failure is confirmed on a fresh
    # connection; the hundreds after it, of the same cause, are not sent twice
    traffic = Traffic()

    def crash(_method: str, _path: str, _headers: dict[str, str], _body: bytes) -> Any:
        return 500, [("content-type", "application/json")], b'{"detail":"boom"}'

    report_path = tmp_path / "r.json"
    with raw_server(crash, traffic=traffic) as url:
        code = main(["run", "--base-url", url, "-q", "--max-examples", "5",
                     "--report-json", str(report_path)])  # fmt: skip
    report = json.loads(report_path.read_text())
    assert code == 1
    (crashed,) = [f for f in report["failures"] if f["check"] == "server_error"]
    assert crashed["answer"].startswith("500 application/json")  # the fresh connection's
    assert crashed["cases"] > 300
    # each kind of input a cause of its own until the report folds them, a few engine
    # requests besides: well under the two requests a case that confirming each would take
    assert len(traffic.requests) < report["cases"] * 1.4, (len(traffic.requests), report["cases"])
