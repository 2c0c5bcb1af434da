"""Whatever a server sends back, `run`, `diff` and pytest mode end within their bound, in
bounded memory, with each broken answer a finding and reports that parse, and no byte of the
server's acts on the reader's terminal, CI log or XML parser.

The servers are raw sockets (tests/hostile.py): an endless body once drove a run to 22.9 GB,
a 204 sent a byte a second held a run past 120 s (and pytest mode, --contract-max-time 2,
past 350 s), and a 500's escape codes cleared the screen and made the JUnit file unreadable.
Pytest mode runs as processes, side by side (tests/side_by_side.py), while the diffs run
here; each mode's run against the endless body is a process measured by its parent.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from hostile import HOSTILE, Hostile, hostile_servers
from side_by_side import Batch, Command, Done, start

from contract_tests.cli import main

from cli_process import console_script

pytestmark = pytest.mark.slow

# What no byte of a server's may put on the reader's screen: C0 controls but tab and
# newline, DEL, C1 controls, bidi overrides and isolates.
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
TIMEOUT, MAX_TIME = 1, 2
BOUNDS = ("--timeout", str(TIMEOUT), "--max-time", str(MAX_TIME), "--max-answer-size", "64KiB")
# --max-time holds a run: what is in flight then ends within --timeout (sent, and sent again
# to confirm); the rest is the set-up before the first request, on a busy machine
BOUND = MAX_TIME + 2 * TIMEOUT + 5
# A process's whole life, or a diff's (whose --max-time counts its set-up: the first builds
# its requests cold): the bound, and a start on two cores shared with the rest of the suite.
# Unbounded, a 204 a byte at a time holds each of them for minutes.
PROCESS_BOUND = BOUND + 15
# A diff builds its requests cold within its --max-time, while the pytest-mode processes load
# both cores: 2 s of it went on that set-up once in CI, and every request was cut unanswered.
# Twice the run's --max-time leaves room for its answers; its life is held to the bound of it.
DIFF_MAX_TIME = 2 * MAX_TIME
DIFF_BOUNDS = ("--timeout", str(TIMEOUT), "--max-time", str(DIFF_MAX_TIME), "--max-answer-size",
               "64KiB")  # fmt: skip
DIFF_BOUND = PROCESS_BOUND + DIFF_MAX_TIME - MAX_TIME
MAX_RSS_KIB = 300 * 1024
PYTEST_MODE = (sys.executable, "-m", "pytest", "--pyargs", "contract_tests", "-q", "-p",
               "no:cacheprovider")  # fmt: skip
IDS = [h.name for h in HOSTILE]


def assert_shown_safely(output: str) -> None:
    assert not UNSAFE.search(output), UNSAFE.findall(output)
    # a line of the server's would be a workflow command to a CI runner
    assert not [line for line in output.splitlines() if line.lstrip().startswith("::")]


def assert_not_http(code: int, output: str) -> None:
    """A server that does not speak HTTP: nothing to test, exit 2, said in one line."""
    assert code == 2, output
    lines = [line for line in output.splitlines() if "does not speak HTTP" in line]
    assert len(lines) == 1, output


@pytest.fixture(scope="module")
def urls() -> Iterator[dict[str, str]]:
    with hostile_servers() as served:
        yield served


@pytest.mark.parametrize("hostile", HOSTILE, ids=IDS)
def test_a_hostile_answer_is_a_finding_and_the_reports_stay_clean(
    hostile: Hostile, urls: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    json_path, junit_path = tmp_path / "r.json", tmp_path / "r.xml"
    started = time.monotonic()
    code = main(["run", "--base-url", urls[hostile.name], "--max-examples", "5", *BOUNDS,
                 "--report-json", str(json_path), "--junit-xml", str(junit_path)])  # fmt: skip
    took = time.monotonic() - started
    out, err = capsys.readouterr()
    assert_shown_safely(out + err)
    assert took < BOUND, took
    if not hostile.check:
        assert_not_http(code, err)
        assert len(err.strip().splitlines()) == 1, err
        return
    assert code == 1, out + err
    report = json.loads(json_path.read_text(encoding="ascii"))
    found = [f for f in report["failures"] if f["check"] == hostile.check]
    assert found, [f["check"] for f in report["failures"]]
    if hostile.check != "server_error":
        # one bug, one finding: the same answer to every request
        assert len(found) == 1, found
        assert found[0]["answer"].startswith("first bytes: "), found[0]
    ET.parse(junit_path)  # well-formed XML 1.0, whatever the server sent
    assert out.splitlines()[-1] == report["summary"]


# --- diff and pytest mode, each against every server ---------------------------------


def _pytest_mode(url: str, folder: Path, *bounds: str) -> Command:
    flags = [f"--contract-{flag[2:]}" if flag.startswith("--") else flag for flag in bounds]
    return Command([*PYTEST_MODE, "--base-url", url, "--contract-max-examples", "5", *flags,
                    "--junit-xml", str(folder / "j.xml")], folder)  # fmt: skip


def _diff(url: str, b: str, folder: Path, *bounds: str) -> list[str]:
    return ["diff", "--a", url, "--b", b, "--max-examples", "5", *bounds, "--report-json",
            str(folder / "d.json")]  # fmt: skip


class Runs:
    """The processes' outcomes by name, with the folder each ran in (its reports)."""

    def __init__(self, batch: Batch, folders: dict[str, Path]) -> None:
        self._batch = batch
        self._folders = folders

    def __getitem__(self, name: str) -> tuple[Done, Path]:
        done = dict(zip(self._folders, self._batch.results(), strict=True))
        return done[name], self._folders[name]


@pytest.fixture(scope="module")
def processes(
    urls: dict[str, str], mock_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Runs]:
    """Pytest mode against each server, and each mode against the endless body at the
    default cap, as processes side by side, in the background: the diffs run meanwhile."""
    commands: dict[str, Command] = {}
    for hostile in HOSTILE:
        commands[hostile.name] = _pytest_mode(urls[hostile.name], tmp_path_factory.mktemp("p"),
                                              *BOUNDS)  # fmt: skip
    endless, bounds = urls[HOSTILE[0].name], ("--timeout", "5", "--max-time", "4")
    folder = tmp_path_factory.mktemp("endless")
    kit = console_script("honcho-contract")
    commands["endless run"] = Command([kit, "run", "-q", "--base-url", endless, "--max-examples",
                                       "5", *bounds, "--report-json", str(folder / "r.json")],
                                      folder)  # fmt: skip
    commands["endless diff"] = Command([kit, *_diff(endless, mock_url, folder, *bounds)], folder)
    commands["endless pytest"] = _pytest_mode(endless, folder, *bounds)
    batch = start(list(commands.values()), at_once=4, timeout=120)
    try:
        yield Runs(batch, {name: command.cwd for name, command in commands.items()})
    finally:
        batch.close()


@pytest.mark.once  # the kit's own words; the bounded client is held on latest by the runs above
@pytest.mark.parametrize("hostile", HOSTILE, ids=IDS)
@pytest.mark.usefixtures("processes")  # under way meanwhile
def test_diff_stays_bounded_and_clean(
    hostile: Hostile,
    urls: dict[str, str],
    mock_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # diff against the mock: every answer of the hostile server differs, shown safely
    started = time.monotonic()
    code = main(_diff(urls[hostile.name], mock_url, tmp_path, *DIFF_BOUNDS))
    took = time.monotonic() - started
    out, err = capsys.readouterr()
    assert_shown_safely(out + err)
    assert took < DIFF_BOUND, took
    if not hostile.check:
        assert_not_http(code, err)
        assert len(err.strip().splitlines()) == 1, err
        return
    assert code == 1, out + err
    report = json.loads((tmp_path / "d.json").read_text(encoding="ascii"))
    assert out.splitlines()[-1] == report["summary"]
    # the server's broken answer, as the run names it, beside the mock's whole one
    sides = [d["a"] for d in report["disagreements"]]
    if hostile.check == "server_error":
        assert any(a["status"] == 500 for a in sides), sides
    else:
        assert any((a["no_answer"] or "").startswith(f"{hostile.check}: ") for a in sides), sides


def _junit(folder: Path) -> ET.Element:
    return ET.parse(folder / "j.xml").getroot()  # well-formed XML 1.0, whatever was sent


def _texts(junit: ET.Element, tag: str) -> list[str]:
    return [(e.get("message") or "") + (e.text or "") for e in junit.iter(tag)]


def _failures(junit: ET.Element) -> list[str]:
    return [text.removeprefix("Failed: ") for text in _texts(junit, "failure")]


@pytest.mark.once  # the kit's own words, as the runs above show them on latest
@pytest.mark.parametrize("hostile", HOSTILE, ids=IDS)
def test_pytest_mode_stays_bounded_and_clean(hostile: Hostile, processes: Runs) -> None:
    # pytest prints a failure's text as it is: the kit escapes the server's bytes in it,
    # and pytest's own JUnit file stays XML
    done, folder = processes[hostile.name]
    assert done.seconds < PROCESS_BOUND, done.seconds
    assert done.max_rss_kib < MAX_RSS_KIB, done.max_rss_kib
    assert_shown_safely(done.out + done.err)
    junit = _junit(folder)
    if not hostile.check:
        assert_not_http(done.code, done.out + done.err)
        return
    assert done.code == 1, done.out[-2000:]
    # the tests' time as pytest counts it, the session's opening (its first request) in it
    took = sum(float(case.get("time", "inf")) for case in junit.iter("testcase"))
    assert took < BOUND, took
    failures = _failures(junit)
    assert any(text.startswith(f"{hostile.check} [") for text in failures), failures[:3]
    if hostile.name == "a 204 a byte at a time":  # the tests --contract-max-time left skip
        skipped = _texts(junit, "skipped")
        assert any("--contract-max-time 2 s reached: no request" in t for t in skipped), skipped[:3]


# --- memory, at the default --max-answer-size (8 MiB) ---------------------------------


@pytest.mark.once  # the C allocator's ways, not the newest packages'
@pytest.mark.parametrize("mode", ["run", "diff", "pytest"])
def test_an_endless_answer_leaves_memory_flat(mode: str, processes: Runs) -> None:
    # many answers read to the cap, each process measured by its parent
    done, folder = processes[f"endless {mode}"]
    assert done.code == 1, done.out[-2000:] + done.err
    assert done.max_rss_kib < MAX_RSS_KIB, done.max_rss_kib
    if mode == "pytest":
        found = [t for t in _failures(_junit(folder)) if t.startswith("answer_too_large")]
    elif mode == "run":
        report: dict[str, Any] = json.loads((folder / "r.json").read_text(encoding="ascii"))
        found = [f["message"] for f in report["failures"] if f["check"] == "answer_too_large"]
    else:
        report = json.loads((folder / "d.json").read_text(encoding="ascii"))
        found = [d["a"]["no_answer"] for d in report["disagreements"]
                 if (d["a"]["no_answer"] or "").startswith("answer_too_large")]  # fmt: skip
    assert found
    assert all("8 MiB" in text for text in found), found
