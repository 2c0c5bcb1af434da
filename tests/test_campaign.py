"""Campaigns (``--duration``), ``--workers``, ``--shard``, ``--max-failures`` and SIGINT, with
real runs of the CLI against real servers."""

from __future__ import annotations

import io
import json
import math
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from contract_tests import cli
from contract_tests.cases.golden import fixture_probes
from contract_tests.cases.model import Probe
from contract_tests.cases.tokens import enforcement_probe
from contract_tests.config import Shard, SuiteConfig, parse_duration, parse_shard
from contract_tests.errors import UsageError
from contract_tests.run.session import Session
from contract_tests.run.shard import examples_share, shard_of

from cli_process import console_script
from gallery import Request, crashes_on_nul, decided
from raw_server import raw_server

CONTRACT = console_script("honcho-contract")
Sent = tuple[str, str, str, bytes]  # method, path, headers, body
# Headers that differ between two sends of one case: its id, and what the transport writes.
# what the transport writes itself (the framing probes' wire too: chunked, a 100 expected)
_PER_SEND = {"x-schemathesis-testcaseid", "content-length", "host", "user-agent", "accept",
             "accept-encoding", "connection", "transfer-encoding", "expect"}  # fmt: skip


def _run(url: str, tmp_path: Path, name: str, *args: str) -> tuple[int, dict[str, Any]]:
    report = tmp_path / f"{name}.json"
    done = subprocess.run(
        [CONTRACT, "run", "--base-url", url, "-q", "--report-json", str(report), *args],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, json.loads(report.read_text())


class _Recorder:
    """A server that answers as the mock decides and keeps every request it is sent."""

    def __init__(self) -> None:
        self.sent: list[Sent] = []
        self.lock = threading.Lock()

    def __call__(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Any:
        kept = sorted((k, v) for k, v in headers.items() if k not in _PER_SEND)
        with self.lock:
            self.sent.append((method, path, repr(kept), body))
        return decided(method, path, headers, body)

    def take(self) -> Counter[Sent]:
        with self.lock:
            taken, self.sent = Counter(self.sent), []
        return taken


@pytest.mark.slow
def test_shards_send_disjoint_shares_that_add_up_to_one_run(tmp_path: Path) -> None:
    recorder = _Recorder()
    with raw_server(recorder) as url:
        _, whole = _run(url, tmp_path, "whole")
        one_run = recorder.take()
        shards = []
        for index in (1, 2):
            _, report = _run(url, tmp_path, f"shard{index}", "--shard", f"{index}/2")
            shards.append((report, recorder.take()))
    session = Session(SuiteConfig(base_url=url))
    try:
        fixed = [*session.hostile_probes(), *(f.probe for f in fixture_probes(session.replay))]
    finally:
        session.close()
    fixed_sent = Counter(_key(probe) for probe in fixed)
    (first, sent_1), (second, sent_2) = shards
    # the probes and golden cases: together all of them, each to one runner only (but the
    # first request, which asks whether credentials are enforced: every runner sends it)
    asks = _key(enforcement_probe(session.probes))
    assert all(sent_1[k] + sent_2[k] >= n for k, n in fixed_sent.items())
    assert [
        k for k, n in fixed_sent.items() if k != asks and n == 1 and sent_1[k] and sent_2[k]
    ] == []
    # the generated cases: disjoint (a hash of the case picks its runner)
    operation = "/v2/workspaces/"  # the engine's own probing of the server goes to each runner
    generated_1 = {k for k in sent_1 if k not in fixed_sent and k[1].startswith(operation)}
    generated_2 = {k for k in sent_2 if k not in fixed_sent and k[1].startswith(operation)}
    assert generated_1
    assert generated_2
    # (two cases can send the same bytes when they differ only in what never reaches the
    # wire: no body at all, or a null one with no media type; a hash of the case keeps
    # them apart, their bytes do not)
    both = {k for k in generated_1 & generated_2 if k[2:] != ("[]", b"")}
    assert not both, sorted(both)[:20]
    # every case once: the shares add up to one run's (the fuzzing phase draws its share of
    # --max-examples; Hypothesis may stop a case or two short of a budget)
    assert (
        sum(one_run.values()) - 5
        <= sum((sent_1 + sent_2).values()) - 1
        <= sum(one_run.values()) + 5
    )
    assert (first["shard"], second["shard"]) == ("1/2", "2/2")
    assert abs(first["cases"] + second["cases"] - whole["cases"]) <= 5
    merged = tmp_path / "merged.json"
    done = subprocess.run(
        [CONTRACT, "merge", str(tmp_path / "shard1.json"), str(tmp_path / "shard2.json"),
         "--report-json", str(merged)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(merged.read_text())["cases"] == first["cases"] + second["cases"]


def _key(probe: Probe) -> Sent:
    kept = sorted((k.lower(), v) for k, v in probe.headers if k.lower() not in _PER_SEND)
    return probe.method, probe.path, repr(kept), probe.body or b""


@pytest.mark.slow
def test_workers_find_what_one_worker_finds(tmp_path: Path) -> None:
    """Requests in flight together change nothing of the report: same causes, same counts."""
    with raw_server(crashes_on_nul) as url:
        code_1, one = _run(url, tmp_path, "one")
        code_4, four = _run(url, tmp_path, "four", "--workers", "4")
    assert code_1 == code_4 == 1
    assert [(f["check"], f["location"], f["cases"]) for f in one["failures"]] == [
        (f["check"], f["location"], f["cases"]) for f in four["failures"]
    ]


@pytest.mark.slow
def test_max_failures_stops_the_run_with_what_it_found(tmp_path: Path) -> None:
    def everything_fails(method: str, path: str, headers: dict[str, str], body: bytes) -> Any:
        return 500, [("content-type", "text/plain")], b"boom"

    def two_bugs(method: str, path: str, headers: dict[str, str], body: bytes) -> Any:
        # a peer name with NUL crashes it; a lone surrogate in observed, otherwise: two causes
        peers = [str(v) for k, v in Request(method, path, headers, body).fields.items()
                 if k in ("observer", "observed")]  # fmt: skip
        if any("\x00" in peer for peer in peers):
            return 500, [("content-type", "text/plain")], b"boom"
        observed = str(Request(method, path, headers, body).fields.get("observed", ""))
        if any("\ud800" <= c <= "\udfff" for c in observed):  # probed after both NULs
            return 500, [("content-type", "text/plain")], b"bang"
        return decided(method, path, headers, body)

    # --max-failures counts causes, as the summary does: a server that answers everything
    # with the same 500 has one bug, however many cases show it (a whole run sends 300 and
    # more; test_the_gallery's runs pin one finding for such a server)
    with raw_server(everything_fails) as url:
        code, report = _run(url, tmp_path, "few", "--max-failures", "1")
    assert code == 1
    assert len(report["failures"]) == 1
    assert report["cases"] < 60
    assert report["stopped"].startswith("--max-failures 1 reached: stopped after")
    # two bugs: the run stops at the second cause, not at the second failing case (the NUL
    # in observed, sent before the lone surrogate in it)
    with raw_server(two_bugs) as url:
        _, both = _run(url, tmp_path, "both", "--max-failures", "2")
    assert [f["cause"] for f in both["failures"]] == ["NUL", "lone surrogate"]
    assert both["stopped"].startswith("--max-failures 2 reached: stopped after")
    assert sum(f["cases"] for f in both["failures"]) > 2


@pytest.mark.slow
def test_a_campaign_fuzzes_until_its_time_is_up(mock_url: str, tmp_path: Path) -> None:
    started = time.monotonic()
    _, default = _run(mock_url, tmp_path, "default")
    # The point: a campaign fuzzes past the fixed phases, to its time and not a second less.
    # Half as long again as the fixed phases took, and 2 s: the machine's load varies.
    duration = math.ceil((time.monotonic() - started) * 1.5) + 2
    started = time.monotonic()
    code, campaign = _run(mock_url, tmp_path, "campaign", "--duration", f"{duration}s")
    elapsed = time.monotonic() - started
    assert code == 0
    assert elapsed >= duration  # it ran to its time (a lower bound holds on any machine)
    assert campaign["cases"] > default["cases"]
    assert campaign["stopped"] is None


@pytest.mark.parametrize("workers", ["1", "2"], ids=["one-process", "lanes-ctrl-c"])
@pytest.mark.slow
def test_sigint_ends_a_campaign_with_the_report_of_what_ran(
    mock_url: str, tmp_path: Path, workers: str
) -> None:
    """With lanes, the interrupt goes to the whole process group, as Ctrl-C in a terminal
    sends it: the lanes leave it to the run."""
    report = tmp_path / "r.json"
    process = subprocess.Popen(
        [CONTRACT, "run", "--base-url", mock_url, "--duration", "10m", "--report-json",
         str(report), "--workers", workers],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        assert process.stderr is not None
        # the campaign's first progress line counts cases the lanes have checked: they run
        for line in process.stderr:
            if line.startswith("honcho-contract: campaign: "):
                break
        os.killpg(process.pid, signal.SIGINT)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 130, stderr
    assert "interrupted: finishing the requests in flight" in stderr
    assert "Traceback" not in stderr
    written = json.loads(report.read_text())
    assert written["stopped"].startswith("interrupted: stopped after")
    assert written["cases"] > 0
    assert stdout.splitlines()[-1].startswith("0 failures")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        pytest.param(["--shard", "3/2"], "'3/2' is not a shard", id="shard-past"),
        pytest.param(["--shard", "0/2"], "'0/2' is not a shard", id="shard-zero"),
        pytest.param(["--duration", "soon"], "'soon' is not a duration", id="duration"),
        pytest.param(["--max-failures", "0"], "--max-failures must be at least 1", id="max-0"),
    ],
)
@pytest.mark.slow
@pytest.mark.once
def test_bad_campaign_options_are_one_line(args: list[str], fragment: str) -> None:
    done = subprocess.run([CONTRACT, "run", "--base-url", "http://127.0.0.1:9", *args],
                          capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1, done.stderr
    assert fragment in done.stderr


@pytest.mark.parametrize("total", [1, 2, 3, 5])
def test_shards_of_a_fixed_order_partition_it(total: int) -> None:
    items = list(range(23))
    shares = [list(shard_of(Shard(i, total), items)) for i in range(1, total + 1)]
    assert sorted(x for share in shares for x in share) == items
    assert sum(examples_share(Shard(i, total), 100) for i in range(1, total + 1)) == 100


@pytest.mark.parametrize(
    ("text", "parse"),
    [
        pytest.param("2/x", parse_shard, id="shard"),
        pytest.param("-1m", parse_duration, id="negative"),
        pytest.param("0s", parse_duration, id="zero"),
        pytest.param("5d", parse_duration, id="days"),
    ],
)
def test_bad_values_are_usage_errors(text: str, parse: Any) -> None:
    with pytest.raises(UsageError, match="is not a"):
        parse(text)


class _Pipe(io.RawIOBase):
    """A pipe's write end that, once, delivers a signal while Python's buffered writer
    above it holds its lock: where the CLI's SIGINT landed when it once raised."""

    def __init__(self, fd: int, deliver: Callable[[], None]) -> None:
        self._fd, self._deliver = fd, deliver

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._fd

    def write(self, data: Any) -> int:
        deliver, self._deliver = self._deliver, lambda: None
        deliver()
        return os.write(self._fd, bytes(data))


def test_an_interrupt_during_a_progress_line_is_said_past_the_buffer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    read, write = os.pipe()
    try:
        with cli._interruptible() as interrupt:
            handler = signal.getsignal(signal.SIGINT)
            assert callable(handler)
            raw = _Pipe(write, lambda: handler(signal.SIGINT, None))
            stream = io.TextIOWrapper(io.BufferedWriter(raw), write_through=True)
            monkeypatch.setattr(sys, "stderr", stream)
            stream.write("campaign: 1,000 cases\n")  # the handler runs inside this write
            stream.flush()
            assert interrupt.is_set()
        said = os.read(read, 4096).decode()
    finally:
        os.close(read)
        os.close(write)
    assert said.splitlines() == [
        "honcho-contract: interrupted: finishing the requests in flight (again to abort)",
        "campaign: 1,000 cases",
    ]
