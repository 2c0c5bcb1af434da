"""``--example-db``: a run keeps its failing generated cases in Hypothesis's example database
(a folder, or a real ``redis-server`` on loopback), and every later run, on any runner,
sends them first of its generated cases."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from test_contract_suite import pytest_mode

from contract_tests.cases.facts import ContractFacts
from contract_tests.cases.model import Finding, Probe, Severity
from contract_tests.prism.driver import free_port
from contract_tests.run.memory import Memory, open_memory
from honcho_spec import default_document_path, load_document

from cli_process import console_script
from gallery import SERVER_ERROR, Request, decided
from raw_server import raw_server

CONTRACT = console_script("honcho-contract")
Sent = tuple[str, str, bytes]  # method, path, body
# The engine's cases (kept ones too) name schemathesis; the kit's probes send no user-agent.
ENGINE = "schemathesis/"


def non_ascii_observer(method: str, path: str, headers: dict[str, str], body: bytes) -> Any:
    """The mock's own decision, but a 500 for an observer that is not ASCII text (a wrong
    type, or a character past ASCII) in a JSON object."""
    if _bug(body):
        return SERVER_ERROR[0], list(SERVER_ERROR[1].items()), SERVER_ERROR[2]
    return decided(method, path, headers, body)


def _bug(body: bytes) -> bool:
    fields = Request("POST", "/", {}, body).fields
    observer = fields.get("observer", "")
    return not (isinstance(observer, str) and observer.isascii())


class _Recorder:
    """Answers as ``handler`` does and keeps, in order, the generated cases it is sent."""

    def __init__(self, handler: Any = non_ascii_observer) -> None:
        self.handler = handler
        self.generated: list[Sent] = []
        self.requests = 0
        self.lock = threading.Lock()

    def __call__(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Any:
        with self.lock:
            self.requests += 1
            if headers.get("user-agent", "").startswith(ENGINE):
                self.generated.append((method, path, body))
        return self.handler(method, path, headers, body)

    def first(self, count: int) -> list[Sent]:
        """The first ``count`` distinct generated cases (a failure is sent twice: confirmed)."""
        with self.lock:
            taken, self.generated = self.generated, []
        return list(dict.fromkeys(taken))[:count]


def _run(url: str, tmp_path: Path, name: str, *args: str) -> dict[str, Any]:
    report = tmp_path / f"{name}.json"
    done = subprocess.run(
        [CONTRACT, "run", "--base-url", url, "-q", "--max-examples", "50",
         "--report-json", str(report), *args],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode in (0, 1), done.stderr
    written: dict[str, Any] = json.loads(report.read_text())
    return written


def _kept(where: str) -> list[Sent]:
    memory = _memory(where)
    try:
        return [(k.probe.method, k.probe.path, k.probe.body or b"") for k in memory.kept(None)]
    finally:
        memory.close()


def _memory(where: str) -> Memory:
    operation = ContractFacts.from_document(load_document()).operation
    return open_memory(where, default_document_path(), operation, ())


def _server_errors(report: dict[str, Any]) -> int:
    return sum(f["check"] == "server_error" for f in report["failures"])


@pytest.mark.slow
def test_a_folder_keeps_the_failures_and_the_next_run_sends_them_first(tmp_path: Path) -> None:
    where = str(tmp_path / "examples")
    recorder = _Recorder()
    with raw_server(recorder) as url:
        first = _run(url, tmp_path, "first", "--example-db", where)
        kept = _kept(where)
        sent_first = recorder.first(len(kept))
        second = _run(url, tmp_path, "second", "--example-db", where)
        sent_second = recorder.first(len(kept))
    assert _server_errors(first) > 0
    # what fails is kept: generated cases of the class the server fails on, one per cause
    assert kept
    assert all(_bug(body) for _, _, body in kept)
    assert len(kept) <= _server_errors(first)
    # the first run sent other cases first; the second sends the kept ones before any other
    assert set(sent_first) != set(kept)
    assert set(sent_second) == set(kept)
    assert _server_errors(second) >= _server_errors(first)
    # the same causes again: nothing more kept
    assert len(_kept(where)) == len(kept)
    # once the server is fixed, a kept case no longer fails and is forgotten
    with raw_server(decided) as url:
        fixed = _run(url, tmp_path, "fixed", "--example-db", where)
    assert fixed["failures"] == []
    assert _kept(where) == []


@pytest.mark.slow
def test_pytest_mode_keeps_and_replays_them_too(tmp_path: Path) -> None:
    where = str(tmp_path / "examples")
    recorder = _Recorder()
    with raw_server(recorder) as url:
        first = pytest_mode(url, tmp_path, "--contract-example-db", where, "-k", "generated")
        kept = _kept(where)
        recorder.first(0)
        second = pytest_mode(url, tmp_path, "--contract-example-db", where, "-k", "generated")
        sent_second = recorder.first(len(kept))
    assert first.returncode == second.returncode == 1, first.stdout[-2000:]
    assert kept
    assert set(sent_second) == set(kept)


_PROBE = Probe(name="POST /v2/workspaces/{workspace_id}/trigger_dream (fuzzing)",
               location="body.observer", method="POST", path="/v2/workspaces/w/trigger_dream",
               body=b'{"observer": 1}', headers=(("content-type", "application/json"),
               ("x-schemathesis-testcaseid", "abc")))  # fmt: skip
_FAILURE = Finding("server_error", Severity.FAILURE, 500, "body.observer", "500")


def test_credentials_are_never_kept_and_a_replay_sends_the_run_s_own(tmp_path: Path) -> None:
    where = str(tmp_path / "examples")
    operation = ContractFacts.from_document(load_document()).operation
    run_1 = (("authorization", "Bearer secret-of-run-1"),)
    probe = replace(_PROBE, headers=(*_PROBE.headers, *run_1), credentials=True)
    first = open_memory(where, default_document_path(), operation, run_1)
    first.keep(probe, 500, [_FAILURE], [])
    first.keep(probe, 500, [_FAILURE], [])  # a cause kept once a run
    (value,) = first.database.fetch(first.key)
    assert b"secret-of-run-1" not in value
    assert all(b"secret" not in path.read_bytes() for path in Path(where).rglob("*")
               if path.is_file())  # fmt: skip
    run_2 = (("authorization", "Bearer token-of-run-2"),)
    (kept,) = open_memory(where, default_document_path(), operation, run_2).kept(None)
    assert kept.probe.headers == (("content-type", "application/json"), *run_2)
    assert kept.probe.credentials
    (unauthenticated,) = _memory(where).kept(None)
    assert unauthenticated.probe.headers == (("content-type", "application/json"),)
    assert not unauthenticated.probe.credentials


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """A real ``redis-server`` on a free loopback port, without persistence, in a tmp folder."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("needs redis-server (the Debian package redis-server)")
    redis = pytest.importorskip("redis", reason="needs the redis package (pip install .[redis])")
    port = free_port()
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
         "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    client = redis.Redis(host="127.0.0.1", port=port)
    try:
        for _ in range(200):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                assert process.poll() is None, "redis-server stopped"
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}"
    finally:
        client.close()
        process.terminate()
        process.wait(30)


@pytest.mark.slow
def test_two_shards_share_one_redis_and_any_runner_sends_their_failures_first(
    redis_url: str, tmp_path: Path
) -> None:
    recorder = _Recorder()
    with raw_server(recorder) as url:
        shard_1 = _run(url, tmp_path, "shard-1", "--example-db", redis_url, "--shard", "1/2")
        kept_1 = _kept(redis_url)
        _run(url, tmp_path, "shard-2", "--example-db", redis_url, "--shard", "2/2")
        kept = _kept(redis_url)
        recorder.first(0)
        again = _run(url, tmp_path, "again", "--example-db", redis_url)
        sent_again = recorder.first(len(kept))
    assert _server_errors(shard_1) > 0
    assert kept_1
    assert set(kept_1) <= set(kept)
    assert all(_bug(body) for _, _, body in kept)
    # a later run, here one runner for both shards, sends every kept case first
    assert set(sent_again) == set(kept)
    assert _server_errors(again) > 0


def test_a_redis_gone_mid_run_leaves_the_run_going_without_it(redis_url: str) -> None:
    redis = pytest.importorskip("redis")
    memory = _memory(redis_url)
    client = redis.Redis.from_url(redis_url)
    with contextlib.suppress(redis.ConnectionError):  # it goes before it answers
        client.shutdown(nosave=True)
    client.close()
    memory.keep(_PROBE, 500, [_FAILURE], [])
    assert memory.lost is not None
    assert "ConnectionError" in memory.lost
    assert memory.kept(None) == []
    memory.close()


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        pytest.param(
            "memcached://127.0.0.1:11211", "memcached:// is not one the kit knows", id="scheme"
        ),
        pytest.param("redis://", "names no Redis host", id="no-host"),
        pytest.param("redis://127.0.0.1:{port}", "no Redis answers", id="unreachable"),
        pytest.param("{file}/examples", "is not a writable folder", id="unwritable"),
    ],
)
@pytest.mark.parametrize("source", ["flag", "env"])
@pytest.mark.slow
@pytest.mark.once
def test_a_bad_example_db_is_one_line_before_any_request(
    value: str, fragment: str, source: str, tmp_path: Path
) -> None:
    pytest.importorskip("redis", reason="needs the redis package (pip install .[redis])")
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    value = value.format(port=free_port(), file=a_file)
    recorder = _Recorder()
    with raw_server(recorder) as url:
        flag = ["--example-db", value] if source == "flag" else []
        env = {"HONCHO_CONTRACT_EXAMPLE_DB": value} if source == "env" else {}
        done = subprocess.run([CONTRACT, "run", "--base-url", url, "-q", *flag],
                              capture_output=True, text=True, timeout=60, check=False,
                              env={**os.environ, **env})  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1, done.stderr
    assert fragment in done.stderr
    assert recorder.requests == 0
