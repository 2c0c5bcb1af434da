"""``honcho-contract run`` with default settings catches every broken implementation, each
planted bug as one finding."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from contract_tests.cli import main
from mock_server import BackgroundServer, MockSettings

from gallery import CASES, SERVER_ERROR, Case, Mutant, Request, body_on_204
from oracle import oracle_app
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


def _on_latest(cases: list[Case]) -> list[Any]:
    """Each case, those that add no check to the ones before marked ``once``: tox's latest
    env holds the suite's verdicts on the newest packages with one case per check that
    finds a bug, and per kind of input a 5xx comes on (the test env runs them all)."""
    seen: set[tuple[str, str]] = set()
    params = []
    for case in cases:
        key = (case.check, case.location.split(":")[0] if case.check == "server_error" else "")
        marks = [pytest.mark.once] if key in seen else []
        seen.add(key)
        params.append(pytest.param(case, id=case.name, marks=marks))
    return params


@pytest.mark.parametrize("case", _on_latest(CASES))
@pytest.mark.slow
def test_suite_catches(case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, report = run_against(case, tmp_path)
    out = capsys.readouterr().out
    found = report["failures"] if case.severity == "failure" else report["warnings"]
    matching = [f for f in found if case.check in f["checks"]
                and any(case.location in location for location in f["locations"])]  # fmt: skip
    assert matching, out
    assert code == (1 if case.severity == "failure" else 0), out
    assert out.splitlines()[-1] == report["summary"]
    # one bug, one finding: however many places and kinds of input show it, and whichever
    # checks (the kit's, schemathesis's) found it
    failures = [(f["check"], f["location"]) for f in report["failures"]]
    assert len(failures) == (1 if case.severity == "failure" else 0), failures


@pytest.mark.slow
def test_strict_turns_the_not_utf8_warning_into_a_failure(tmp_path: Path) -> None:
    (case,) = [c for c in CASES if c.check == "undocumented_status"]
    code, report = run_against(case, tmp_path, "--strict")
    assert code == 1
    # one cause: Honcho's 400 for bytes its json cannot decode, wherever they are (a body in
    # a content coding it does not undo among them)
    (failure,) = report["failures"]
    assert failure["status"] == 400
    assert "body: not UTF-8" in failure["locations"], failure["locations"]
    assert all("not UTF-8" in loc or "content-encoding" in loc for loc in failure["locations"])


def _database_defects(request: Request) -> tuple[int, dict[str, str], bytes] | None:
    """What Honcho 2.5.1's database adds to its framework's answers (the reference's list):
    a 500 for a workspace it does not know, for NUL or a lone surrogate in a peer name, and
    for an observer past its index's limit."""
    if request.method != "POST" or request.workspace is None:
        return None
    peers = [str(request.fields.get(name, "")) for name in ("observer", "observed")]
    if request.workspace != "ws-known":
        return SERVER_ERROR
    if any("\x00" in peer or any("\ud800" <= c <= "\udfff" for c in peer) for peer in peers):
        return SERVER_ERROR
    return SERVER_ERROR if len(peers[0]) > 1350 else None


# The real server's defect classes (../shared/reference), by the places and kinds of input
# that show them: the database's (a workspace it does not know; NUL or a lone surrogate in
# a peer name; a long observer) and its framework's, FastAPI's (the oracle's): a 422 that
# cannot echo a NaN or Infinity, or a lone surrogate (here in dream_type, where the
# database never sees it). The NUL and the lone surrogate in a peer name are two kinds of
# input, so two findings, with the same 500.
DEFECT_CLASSES = {
    "unknown workspace": ("unknown workspace", "unknown-workspace"),
    "NUL or lone surrogate in a peer name": (": NUL", "/nul-", ".observer: lone surrogate",
                                             ".observed: lone surrogate", "/lone-surrogate"),
    "long observer": (": long", "long-observer"),
    "a non-finite number echoed": ("NaN", "Infinity", "1e999", "nan-echo", "infinity-echo"),
    "a lone surrogate echoed": ("surrogate-echo",),
}  # fmt: skip
# How many findings each class is: one, but where kinds of input tell two apart.
FINDINGS_PER_CLASS = {"NUL or lone surrogate in a peer name": 2}


@pytest.mark.pinned_runtime
@pytest.mark.slow
def test_each_defect_class_of_the_real_server_is_a_finding_of_its_own(tmp_path: Path) -> None:
    # The oracle (FastAPI on Honcho's runtime) with the database's defects: Honcho 2.5.1 as
    # the reference describes it, its workspace pinned as a user of the real server pins it.
    app = Mutant(oracle_app(), _database_defects, None)
    with BackgroundServer(QUIET, app=app) as server:
        code = main(["run", "--base-url", server.url, "--workspace-id", "ws-known",
                     "--report-json", str(tmp_path / "r.json"), "-q"])  # fmt: skip
    report = json.loads((tmp_path / "r.json").read_text())
    assert code == 1
    classes: dict[str, list[str]] = {name: [] for name in DEFECT_CLASSES}
    for failure in report["failures"]:
        assert failure["check"] == "server_error", failure
        shown = {name for loc in failure["locations"] for name, marks in DEFECT_CLASSES.items()
                 if any(mark in loc for mark in marks)}  # fmt: skip
        assert len(shown) == 1, (failure["locations"], shown)  # no finding mixes two classes
        classes[shown.pop()].append(failure["location"])
    assert {name: len(found) for name, found in classes.items()} == {
        name: FINDINGS_PER_CLASS.get(name, 1) for name in DEFECT_CLASSES
    }, classes
