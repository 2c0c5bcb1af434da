"""Fuzzing a server with latency: how ``--workers`` scales a run, and how closely
``--rate-limit`` holds, measured at the server (the mock's journal).

Both run the contract suite as a process against the mock, as a user runs it.
"""

from __future__ import annotations

import collections
import datetime
import http.client
import json
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
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
    "SuiteRun",
    "Workers",
    "fuzzing_rate",
    "per_second",
    "rate_outcome",
    "workers_outcome",
]

LATENCY = "20ms"
WORKERS = (1, 2, 4, 8)
CAMPAIGN = "60s"  # each run: the fixed phases, then fuzzing until 60 s after its start
# The rate is read over the last 30 s of a 60 s campaign: fuzzing at a steady pace, past the
# fixed phases (whose engine start-ups leave the server idle a moment, below any limit).
RATE_CAMPAIGN, RATE_WINDOW = "60s", 30
WORKERS_GOAL = Goal("fuzzing cases/s with 4 workers / with 1, mock --latency 20ms", 3.5,
                    unit="x")  # fmt: skip
RATE = 20
RATE_BAND = (RATE - 1, RATE + 1)
RATE_GOAL = Goal(f"full seconds outside {RATE - 1}-{RATE + 1} requests at --rate-limit "
                 f"{RATE}/s", 1, higher_is_better=False)  # fmt: skip
_SEED = 20250101
_CAMPAIGN_LINE = re.compile(r"campaign: (\d+) cases?")


@dataclass(frozen=True)
class SuiteRun:
    """One ``honcho-contract run``: its wall time, the cases it sent, and the cases a
    second of its campaign's fuzzing once under way (None: no campaign progress seen)."""

    seconds: float
    cases: int
    fuzzing: float | None = None

    @property
    def rate(self) -> float:
        return self.cases / self.seconds if self.seconds else 0.0


def _suite(bench: Bench, running: Running, *args: str) -> SuiteRun:
    """``honcho-contract run`` against ``running``, its progress lines timed as they come."""
    report = bench.workdir / "fuzzing.json"
    report.unlink(missing_ok=True)
    contract = str(Path(sys.executable).parent / "honcho-contract")
    command = [contract, "run", "--base-url", running.url, "--seed", str(_SEED),
               "--report-json", str(report), *args]  # fmt: skip
    started = time.monotonic()
    with subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True) as process:  # fmt: skip
        assert process.stderr is not None
        lines = [(time.monotonic(), line) for line in process.stderr]
        code = process.wait(timeout=1800)
    elapsed = time.monotonic() - started
    if code not in (0, 1) or not report.exists():
        tail = lines[-1][1].strip() if lines else "no output"
        raise BenchError(f"honcho-contract exited with {code}: {tail}", where=" ".join(command))
    cases = int(json.loads(report.read_text(encoding="utf-8"))["cases"])
    return SuiteRun(elapsed, cases, fuzzing_rate(lines))


def fuzzing_rate(lines: Sequence[tuple[float, str]]) -> float | None:
    """Cases a second between the campaign's first progress line and its last: its fuzzing
    under way, past the fixed phases and the lanes' start.

    >>> fuzzing_rate([(1.0, "honcho-contract: campaign: 40 cases, 0 failures"),
    ...               (6.0, "honcho-contract: campaign: 540 cases, 0 failures"),
    ...               (7.0, "honcho-contract: campaign: 640 cases, 0 failures (phase done)")])
    100.0
    """
    seen = [(at, int(found.group(1))) for at, line in lines
            if (found := _CAMPAIGN_LINE.search(line))]  # fmt: skip
    if len(seen) < 2 or seen[-1][0] <= seen[0][0]:
        return None
    (first, before), (last, after) = seen[0], seen[-1]
    return (after - before) / (last - first)


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
        runs: dict[int, SuiteRun] = {}
        with bench.serve(mock, LOG_MODES[1]) as running:
            for workers in WORKERS:
                runs[workers] = _suite(
                    bench, running, "--workers", str(workers), "--duration", CAMPAIGN
                )
                done = runs[workers]
                bench.progress(f"--workers {workers}: {done.cases} cases in {done.seconds:.1f} s")
        return workers_outcome(runs)


def workers_outcome(runs: Mapping[int, SuiteRun]) -> Outcome:
    """A row per worker count: the whole run's cases a second and the campaign's fuzzing
    under way, each with its speed-up over one worker; the goal is read on the fuzzing.

    >>> outcome = workers_outcome({1: SuiteRun(20.0, 700, 30.0), 4: SuiteRun(20.0, 1400, 120.0)})
    >>> outcome.checks[0].cell()
    '4.00x (>= 3.50x PASS)'
    """
    one = runs.get(1)

    def times(value: float | None, base: float | None) -> str:
        return f"{value / base:.2f}x" if value is not None and base else ""

    rows = tuple(
        (str(workers), str(run.cases), fmt_seconds(run.seconds), f"{run.rate:.0f}",
         times(run.rate, one.rate if one else None),
         f"{run.fuzzing:.0f}" if run.fuzzing is not None else "",
         times(run.fuzzing, one.fuzzing if one else None))
        for workers, run in sorted(runs.items())
    )  # fmt: skip
    four = runs.get(4)
    ratio = None
    if one is not None and four is not None and one.fuzzing and four.fuzzing is not None:
        ratio = four.fuzzing / one.fuzzing
    notes = (
        f"a campaign, honcho-contract run --duration {CAMPAIGN} (seed {_SEED}: the fixed phases, "
        f"then fuzzing), against honcho-mock --latency {LATENCY} (each answer waits 20 ms, as "
        "a server across a network does); 'whole run': cases over the wall time of the whole "
        "command, whose fixed generated phases run one case at a time whatever --workers; "
        "'fuzzing': cases a second of the campaign once under way, between its first "
        "progress line and its last, what an hours-long campaign runs at",
    )
    headers = ("--workers", "cases", "seconds", "whole run cases/s", "speed-up",
               "fuzzing cases/s", "speed-up")  # fmt: skip
    table = Table("Workers", headers, rows, notes)
    return Outcome(tables=(table,), checks=(Check(WORKERS_GOAL, ratio),))


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
            done = _suite(bench, running, *args)
            times = _journal_times(running.port, since)
        counts = per_second(times)[-RATE_WINDOW:]
        bench.progress(f"--rate-limit {RATE}/s: {done.cases} cases in {done.seconds:.1f} s")
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
