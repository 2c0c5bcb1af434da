"""A server that goes away mid-run: what came before is kept, the request that took it down is
named with a reproducer, every report is written, and the run waits for it to come back.

The servers crash as a process does: they stop listening and reset every connection
(``Silence.CRASH`` of ``raw_server``), some of them listening again a moment later.
"""

from __future__ import annotations

import itertools
import json
import re
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest

from contract_tests.cli import main

from gallery import crashes_on_nul, decided
from raw_server import Silence, Traffic, raw_server

Handler = Callable[[str, str, dict[str, str], bytes], Any]


def _observer(body: bytes) -> object:
    try:
        document = json.loads(body)
    except ValueError:
        return None
    return document.get("observer") if isinstance(document, dict) else None


def dies_on_a_long_observer(method: str, path: str, headers: dict[str, str], body: bytes) -> Any:
    """A 500 for NUL (a finding before the crash); any observer past 1,000 characters kills it."""
    observer = _observer(body)
    if isinstance(observer, str) and len(observer) > 1_000:
        return Silence.CRASH
    return crashes_on_nul(method, path, headers, body)


def dies_after(count: int) -> Handler:
    """Answers as the mock does, and dies on the ``count``-th request."""
    seen = itertools.count(1)

    def handler(method: str, path: str, headers: dict[str, str], body: bytes) -> Any:
        return Silence.CRASH if next(seen) == count else decided(method, path, headers, body)

    return handler


def dies_on_the_engine(method: str, path: str, headers: dict[str, str], body: bytes) -> Any:
    """Dies on the first request of schemathesis's engine (it names itself in a header)."""
    if "x-schemathesis-testcaseid" in headers:
        return Silence.CRASH
    return decided(method, path, headers, body)


def run(url: str, tmp_path: Path, *args: str) -> tuple[int, dict[str, Any], ET.Element]:
    report, junit = tmp_path / "report.json", tmp_path / "junit.xml"
    code = main(["run", "--base-url", url, "--report-json", str(report), "--junit-xml",
                 str(junit), "--max-examples", "5", "-q", *args])  # fmt: skip
    return code, json.loads(report.read_text()), ET.parse(junit).getroot()


def failures(report: dict[str, Any], check: str) -> list[dict[str, Any]]:
    return [f for f in report["failures"] if f["check"] == check]


@pytest.mark.slow
def test_a_crash_keeps_the_findings_before_it_and_names_the_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    traffic = Traffic()
    with raw_server(dies_on_a_long_observer, traffic=traffic) as url:
        code, report, junit = run(url, tmp_path, "--down-wait", "0.5")
    text = capsys.readouterr().out
    assert code == 1
    assert traffic.crashes == 1
    assert [f["location"] for f in failures(report, "server_error")] == ["body.observer"]
    (down,) = failures(report, "server_down")
    assert down["locations"] == ["body.observer: long"]
    assert down["message"].startswith("the server stopped answering at observer of 1,400 chara")
    # the requests before it, the last one sent last
    assert (
        "observer of 1,000 characters (body.observer: long); it did not answer again "
        "within 0.5 s" in down["message"]
    )
    assert report["stopped"].startswith("the server stopped answering and did not come back")
    assert "server_down" in report["checks"]
    # the text report and JUnit say the same
    assert "FAIL server_down [-] at body.observer" in text
    assert "STOPPED the server stopped answering" in text
    cases = {(c.get("classname"), c.get("name")): c for c in junit.iter("testcase")}
    (failure,) = list(cases[("server_down", "body.observer")])
    assert failure.tag == "failure"
    assert "curl" in (failure.text or "")
    assert list(cases[("server_down", "body.observed")]) == []  # a check at every place
    assert junit.find("properties/property[@name='stopped']") is not None


@pytest.mark.slow
def test_the_reproducer_takes_a_fresh_server_down(tmp_path: Path) -> None:
    with raw_server(dies_on_a_long_observer) as url:
        _, report, _ = run(url, tmp_path, "--down-wait", "0")
    (down,) = failures(report, "server_down")
    traffic = Traffic()
    with raw_server(dies_on_a_long_observer, traffic=traffic) as fresh:
        command = down["reproducer"].replace(url, fresh)
        done = subprocess.run(["sh", "-c", command], capture_output=True, timeout=60,
                              check=False, cwd=tmp_path)  # fmt: skip
    assert traffic.crashes == 1, done.stderr
    assert not traffic.listening
    assert traffic.requests[-1].startswith("POST /v2/workspaces/")


@pytest.mark.slow
def test_a_server_that_stops_listening_after_50_requests(tmp_path: Path) -> None:
    traffic = Traffic()
    with raw_server(dies_after(50), traffic=traffic) as url:
        code, report, _ = run(url, tmp_path, "--down-wait", "0.5")
    assert code == 1
    assert len(traffic.requests) == 50  # nothing more once it was gone, but the checks for it
    (down,) = failures(report, "server_down")
    assert report["cases"] == 49
    assert report["stopped"] is not None
    assert down["reproducer"].count("curl ") == 3  # the request in flight and two before it


@pytest.mark.slow
def test_a_server_back_within_the_wait_lets_the_run_go_on(tmp_path: Path) -> None:
    traffic = Traffic()
    with raw_server(dies_after(50), traffic=traffic, revive_after=0.5) as url:
        code, report, _ = run(url, tmp_path, "--down-wait", "30")
    assert code == 1
    assert traffic.crashes == 1
    assert traffic.listening
    (down,) = failures(report, "server_down")
    assert "it answered again after" in down["message"]
    assert report["stopped"] is None
    assert report["cases"] > 150  # probes, golden cases and generated cases after it
    assert [f["check"] for f in report["failures"]] == ["server_down"]


@pytest.mark.slow
def test_the_engine_meeting_a_dead_server_feeds_the_same_finding(tmp_path: Path) -> None:
    with raw_server(dies_on_the_engine) as url:
        code, report, _ = run(url, tmp_path, "--down-wait", "0.5")
    assert code == 1
    (down,) = failures(report, "server_down")
    # the case in flight is the engine's own (named by its phase), sent last in the reproducer
    assert re.search(r"at POST \S+/trigger_dream \((examples|coverage|fuzzing)\)", down["message"])
    assert down["reproducer"].rsplit(" ; ", 1)[-1].count("X-Schemathesis-TestCaseId") == 1
    assert report["errors"] == []  # the engine's connection errors are the outage
    assert report["stopped"] is not None


@pytest.mark.slow
def test_down_wait_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HONCHO_CONTRACT_DOWN_WAIT", "0.25")
    with raw_server(dies_after(50)) as url:
        code, report, _ = run(url, tmp_path)
    (down,) = failures(report, "server_down")
    assert code == 1
    assert "within 0.25 s" in down["message"]


def test_a_server_never_reached_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        code = main(["run", "--base-url", url, "--report-json", str(tmp_path / "r.json")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1
    assert "cannot reach the server" in err
    assert not (tmp_path / "r.json").exists()


def diff(a: str, b: str, tmp_path: Path, *args: str) -> tuple[int, dict[str, Any]]:
    report = tmp_path / "diff.json"
    code = main(["diff", "--a", a, "--b", b, "--max-examples", "5", "--report-json",
                 str(report), *args])  # fmt: skip
    return code, json.loads(report.read_text())


@pytest.mark.slow
def test_diff_one_server_dying(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with raw_server(decided) as a, raw_server(dies_on_a_long_observer) as b:
        code, report = diff(a, b, tmp_path, "--down-wait", "0.5")
    text = capsys.readouterr().out
    assert code == 1
    assert any("body.observer: NUL" in d["locations"] for d in report["disagreements"])
    (down,) = report["server_down"]
    assert (down["server"], down["location"]) == ("b", "body.observer: long")
    assert down["back_after_s"] is None
    assert b in down["reproducer"]
    assert report["stopped"].startswith(f"b {b} stopped answering")
    assert f"server_down at body.observer: long: b {b} stopped answering" in text


@pytest.mark.slow
def test_diff_goes_on_when_the_server_comes_back(tmp_path: Path) -> None:
    with raw_server(decided) as a, raw_server(dies_after(50), revive_after=0.5) as b:
        code, report = diff(a, b, tmp_path, "--down-wait", "30")
        _, whole = diff(a, a, tmp_path)
    assert code == 1
    (down,) = report["server_down"]
    assert down["back_after_s"] is not None
    assert report["stopped"] is None
    assert report["requests"] == whole["requests"]
    assert report["disagreements"] == []  # the request it died on is not compared


@pytest.mark.slow
def test_pytest_mode_fails_a_test_rather_than_crashing(tmp_path: Path) -> None:
    with raw_server(dies_on_a_long_observer) as url:
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "--pyargs", "contract_tests", "--base-url", url,
             "-q", "-p", "no:cacheprovider", "--contract-max-examples", "5",
             "--contract-down-wait", "0.5"],
            capture_output=True, text=True, timeout=300, check=False, cwd=tmp_path,
        )  # fmt: skip
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    assert "server_down" in out
    assert "Traceback" not in out
    assert "ServerDown" not in out
