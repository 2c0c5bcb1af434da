"""Fuzzing a server with latency: how ``--workers`` scales a run, and how closely
``--rate-limit`` holds, measured at the server (the mock's journal).

Both run the contract suite as a process against the mock, as a user runs it.
"""

from __future__ import annotations

import collections
import datetime
import http.client
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from .context import Bench, Running
from .errors import BenchError
from .processes import HOST
from .report import Check, Goal, Outcome, Table, fmt_seconds
from .servers import LOG_MODES, LogMode, Server

__all__ = [
    "LATENCY",
    "RATE",
    "RATE_BAND",
    "WORKERS",
    "WORKERS_GOAL",
    "RateLimit",
    "Workers",
    "per_second",
    "rate_outcome",
    "workers_outcome",
]

LATENCY = "20ms"
WORKERS = (1, 2, 4, 8)
CAMPAIGN = "30s"  # each run: the fixed phases, then fuzzing until 30 s after its start
# The rate is read over the last 30 s of a 60 s campaign: fuzzing at a steady pace, past the
# fixed phases (whose engine start-ups leave the server idle a moment, below any limit).
RATE_CAMPAIGN, RATE_WINDOW = "60s", 30
WORKERS_GOAL = Goal("cases/s with 4 workers / with 1, mock --latency 20ms", 3.5, unit="x")
RATE = 20
RATE_BAND = (RATE - 1, RATE + 1)
RATE_GOAL = Goal(f"full seconds outside {RATE - 1}-{RATE + 1} requests at --rate-limit "
                 f"{RATE}/s", 1, higher_is_better=False)  # fmt: skip
_SEED = 20250101


def _suite(bench: Bench, running: Running, *args: str) -> tuple[float, int]:
    """``honcho-contract run`` against ``running``: its wall time and the cases it sent."""
    report = bench.workdir / "fuzzing.json"
    report.unlink(missing_ok=True)
    contract = str(Path(sys.executable).parent / "honcho-contract")
    command = [contract, "run", "--base-url", running.url, "--seed", str(_SEED), "-q",
               "--report-json", str(report), *args]  # fmt: skip
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, timeout=1800, check=False)
    elapsed = time.monotonic() - started
    if done.returncode not in (0, 1) or not report.exists():
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise BenchError(f"honcho-contract exited with {done.returncode}: {tail}",
                         where=" ".join(command))  # fmt: skip
    return elapsed, int(json.loads(report.read_text(encoding="utf-8"))["cases"])


def _mock_with(bench: Bench, *args: str) -> Server | None:
    mock = bench.server("mock")
    if mock is None:
        return None
    base = mock.command

    def command(port: int, mode: LogMode) -> list[str]:
        return [*base(port, mode), *args]

    return replace(mock, label=" ".join([mock.label, *args]), command=command)


class Workers:
    key = "workers"
    title = "Workers against a server with latency"

    def run(self, bench: Bench) -> Outcome:
        mock = _mock_with(bench, "--latency", LATENCY)
        if mock is None:
            return Outcome()
        runs: dict[int, tuple[float, int]] = {}
        with bench.serve(mock, LOG_MODES[1]) as running:
            for workers in WORKERS:
                runs[workers] = _suite(
                    bench, running, "--workers", str(workers), "--duration", CAMPAIGN
                )
                seconds, cases = runs[workers]
                bench.progress(f"--workers {workers}: {cases} cases in {seconds:.1f} s")
        return workers_outcome(runs)


def workers_outcome(runs: Mapping[int, tuple[float, int]]) -> Outcome:
    """A row per worker count (seconds, cases, cases/s, speed-up over one worker).

    >>> outcome = workers_outcome({1: (20.0, 700), 4: (5.0, 700)})
    >>> outcome.checks[0].cell()
    '4.00x (>= 3.50x PASS)'
    """

    def rate(workers: int) -> float:
        seconds, cases = runs[workers]
        return cases / seconds if seconds else 0.0

    base = rate(1) if 1 in runs else 0.0
    rows = tuple(
        (str(workers), str(runs[workers][1]), fmt_seconds(runs[workers][0]),
         f"{rate(workers):.0f}", f"{rate(workers) / base:.2f}x" if base else "")
        for workers in sorted(runs)
    )  # fmt: skip
    check = Check(WORKERS_GOAL, rate(4) / base if base and 4 in runs else None)
    notes = (
        f"a campaign, honcho-contract run --duration {CAMPAIGN} (seed {_SEED}: the fixed phases, "
        f"then fuzzing), against honcho-mock --latency {LATENCY} (each answer waits 20 ms, as "
        "a server across a network does); cases over the wall time of the whole command",
    )
    table = Table("Workers", ("--workers", "cases", "seconds", "cases/s", "speed-up"), rows,
                  notes)  # fmt: skip
    return Outcome(tables=(table,), checks=(check,))


class RateLimit:
    key = "rate"
    title = "Rate limit"

    def run(self, bench: Bench) -> Outcome:
        mock = _mock_with(bench, "--journal-size", "100000")
        if mock is None:
            return Outcome()
        with bench.serve(mock, LOG_MODES[1]) as running:
            since = time.time()
            args = ("--rate-limit", f"{RATE}/s", "--duration", RATE_CAMPAIGN, "--workers", "4")
            seconds, cases = _suite(bench, running, *args)
            times = _journal_times(running.port, since)
        counts = per_second(times)[-RATE_WINDOW:]
        bench.progress(f"--rate-limit {RATE}/s: {cases} cases in {seconds:.1f} s")
        return rate_outcome(counts)


def _journal_times(port: int, since: float) -> list[str]:
    """When each request the mock journaled since ``since`` (Unix seconds) arrived."""
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request("GET", f"/__mock__/requests?since={since:.6f}")
        entries = json.loads(conn.getresponse().read())
    finally:
        conn.close()
    return [str(entry["time"]) for entry in entries]


def per_second(times: Sequence[str]) -> list[int]:
    """Requests in each whole second between the first and the last (those two, partly
    covered, left out; a second with none counts 0).

    >>> per_second(["2026-01-01T00:00:00.5Z", "2026-01-01T00:00:01.1Z",
    ...             "2026-01-01T00:00:01.7Z", "2026-01-01T00:00:03.2Z"])
    [2, 0]
    """
    seconds = collections.Counter(int(_instant(text)) for text in times)
    if len(seconds) < 3:
        return []
    first, last = min(seconds), max(seconds)
    return [seconds.get(second, 0) for second in range(first + 1, last)]


def _instant(text: str) -> float:
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def rate_outcome(counts: Sequence[int]) -> Outcome:
    """The distribution of requests per second, and how many seconds left the band.

    >>> rate_outcome([20, 20, 19, 21, 20]).checks[0].verdict
    'PASS'
    """
    low, high = RATE_BAND
    outside = sum(1 for count in counts if not low <= count <= high)
    rows = (
        (
            f"{RATE}/s",
            str(len(counts)),
            str(min(counts, default=0)),
            f"{statistics.median(counts):g}" if counts else "",
            str(max(counts, default=0)),
            str(outside),
        ),
    )
    notes = (
        f"a campaign, honcho-contract run --rate-limit {RATE}/s --duration {RATE_CAMPAIGN} "
        f"--workers 4, against the mock; requests in each of the last {RATE_WINDOW} whole "
        "seconds (the campaign's fuzzing), counted from the mock's journal",
    )
    headers = ("--rate-limit", "full seconds", "min", "median", "max", "seconds outside")
    table = Table("Requests a second at the server", headers, rows, notes)
    return Outcome(tables=(table,), checks=(Check(RATE_GOAL, outside if counts else None),))
