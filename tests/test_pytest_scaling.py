"""pytest mode across processes and runners: under pytest-xdist, with ``--shard``.

Two workers split the tests as four do (docs/pytest.md's ``-n 4`` example runs in
test_readme.py); each worker is a process that imports pytest and the kit, so two it is."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from xml.etree import ElementTree as ET

import pytest

from contract_tests.options import Shard
from contract_tests.plugin import shard_items
from mock_server import BackgroundServer, MockSettings

from gallery import CASES, decided
from raw_server import raw_server

QUIET = MockSettings(port=0, log_level="critical")


def pytest_mode(
    url: str, folder: Path, *args: str
) -> tuple[subprocess.CompletedProcess[str], list[tuple[str, str]]]:
    """Run the contract tests; their outcomes, one per test run, from pytest's own JUnit."""
    junit = folder / f"junit-{len(list(folder.glob('junit-*.xml')))}.xml"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--pyargs", "contract_tests", "--base-url", url,
         "-q", "-p", "no:cacheprovider", "--contract-max-examples", "30",
         f"--junitxml={junit}", *args],
        capture_output=True, text=True, timeout=600, check=False, cwd=folder,
    )  # fmt: skip
    assert done.returncode in (0, 1), done.stdout[-3000:] + done.stderr[-3000:]
    assert "crashed" not in done.stdout, done.stdout[-3000:]
    return done, [
        (case.attrib["name"], _outcome(case)) for case in ET.parse(junit).iter("testcase")
    ]


def _outcome(case: ET.Element) -> str:
    for tag in ("failure", "error", "skipped"):
        if case.find(tag) is not None:
            return tag
    return "passed"


@pytest.fixture(scope="module")
def one_process(mock_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Each contract test's outcome against the mock, in one process."""
    done, outcomes = pytest_mode(mock_url, tmp_path_factory.mktemp("one"))
    assert done.returncode == 0, done.stdout[-3000:]
    return dict(outcomes)


@pytest.mark.slow
def test_workers_give_each_test_its_outcome_in_one_process(
    mock_url: str, one_process: dict[str, str], tmp_path: Path
) -> None:
    done, outcomes = pytest_mode(mock_url, tmp_path, "-n", "2")
    assert done.returncode == 0, done.stdout[-3000:]
    assert len(outcomes) == len(one_process)  # each test ran once, on one worker
    assert dict(outcomes) == one_process
    assert Counter(one_process.values())["skipped"] > 0
    # the warnings the workers found reach the controller's summary, each once
    summary = done.stdout.split("honcho-contract warnings")[1]
    assert summary.count("WARN credentials_not_enforced [204] at header.authorization") == 1
    # one cause, one line: the mock's 400 for bytes that are not UTF-8, wherever they were
    assert summary.count("WARN undocumented_status [400]") == 1, summary


@pytest.fixture
def broken_url() -> Iterator[str]:
    (case,) = [c for c in CASES if c.name == "a 422 without detail"]
    with BackgroundServer(QUIET, app=case.app()) as server:
        yield server.url


@pytest.mark.slow
def test_workers_find_the_failures_one_process_finds(broken_url: str, tmp_path: Path) -> None:
    alone, alone_outcomes = pytest_mode(broken_url, tmp_path)
    spread, spread_outcomes = pytest_mode(broken_url, tmp_path, "-n", "2")
    assert alone.returncode == spread.returncode == 1
    failed = {name for name, outcome in alone_outcomes if outcome == "failure"}
    assert len(failed) > 10
    assert "test_generated_cases" in failed
    assert dict(spread_outcomes) == dict(alone_outcomes)
    assert len(spread_outcomes) == len(alone_outcomes)
    assert "validation_error_shape" in spread.stdout


@pytest.mark.slow
def test_two_shards_run_every_test_once(
    mock_url: str, one_process: dict[str, str], tmp_path: Path
) -> None:
    first, first_outcomes = pytest_mode(mock_url, tmp_path, "--contract-shard", "1/2", "-n", "2")
    second, second_outcomes = pytest_mode(mock_url, tmp_path, "--contract-shard", "2/2")
    assert first.returncode == second.returncode == 0
    runs = Counter(name for name, _ in first_outcomes + second_outcomes)
    # the generated-cases test runs on both, each sending the cases of its hash
    assert runs == Counter(one_process.keys()) + Counter(["test_generated_cases"])
    assert dict(first_outcomes + second_outcomes) == one_process
    assert abs(len(first_outcomes) - len(second_outcomes)) <= 3
    assert "test_auth_expectations" in dict(first_outcomes)


def _item(name: str, module: str = "contract_tests.test_contract") -> Any:
    return SimpleNamespace(originalname=name, module=SimpleNamespace(__name__=module))


ITEMS = [
    _item("test_auth_expectations"),
    *[_item("test_hostile_probe") for _ in range(5)],
    *[_item("test_token") for _ in range(2)],
    *[_item("test_golden_case") for _ in range(4)],
    _item("test_generated_cases"),
    _item("test_hostile_probe", module="test_mine"),  # another suite's test of that name
]


@pytest.mark.parametrize(
    ("shard", "groups"),
    [
        pytest.param(Shard(1, 3), (1, 3, 2), id="1/3"),
        pytest.param(Shard(2, 3), (0, 2, 1), id="2/3"),
        pytest.param(Shard(3, 3), (0, 2, 1), id="3/3"),
        pytest.param(Shard(1, 1), (1, 7, 4), id="1/1"),
    ],
)
def test_a_shard_keeps_its_place_in_each_group(shard: Shard, groups: tuple[int, ...]) -> None:
    kept = shard_items(shard, ITEMS)
    auth = sum(item.originalname == "test_auth_expectations" for item in kept)
    probes = sum(item.originalname in ("test_hostile_probe", "test_token") for item in kept)
    golden = sum(item.originalname == "test_golden_case" for item in kept)
    assert (auth, probes - 1, golden) == groups  # minus the other suite's test, always kept
    assert ITEMS[-2] in kept
    assert ITEMS[-1] in kept


def test_shards_partition_the_shared_tests() -> None:
    shares = [shard_items(Shard(i, 3), ITEMS) for i in (1, 2, 3)]
    counts = Counter(id(item) for share in shares for item in share)
    assert [counts[id(item)] for item in ITEMS] == [1] * 12 + [3, 3]


@pytest.mark.slow
def test_workers_take_from_one_rate_limit(tmp_path: Path) -> None:
    """Under -n 2, --rate-limit 20/s holds for the run, not for each worker: measured at the
    server, no stretch of requests came faster than a slot each, give or take half a second
    of a loaded machine's delays (a bucket a worker: twice as fast while both send)."""
    arrivals: list[float] = []
    lock = threading.Lock()

    def stamp(method: str, path: str, headers: dict[str, str], body: bytes) -> Any:
        with lock:
            arrivals.append(time.monotonic())
        return decided(method, path, headers, body)

    with raw_server(stamp) as url:
        pytest_mode(url, tmp_path, "-n", "2", "--contract-rate-limit", "20/s")
    assert len(arrivals) > 100
    at = sorted(arrivals)
    slack = 10  # slots: the controller's own first request, and delays up to 0.45 s
    ahead = max((k - i) - (at[k] - at[i]) / 0.05 for i in range(len(at)) for k in range(i, len(at)))
    assert ahead <= slack, ahead
