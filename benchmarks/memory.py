"""The mock's memory over a long run: RSS after N requests, valid and invalid in turn.

wrk has no request count, so it runs in rounds sized from the rate so far, and stops by
itself once N requests have been answered.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from .anchors import MEMORY_LIMIT
from .context import BODIES, Bench
from .report import Check, Outcome, Table, fmt_mb, fmt_rate
from .servers import LOG_MODES

__all__ = ["LongRun", "long_run_outcome", "next_round_seconds"]

_CALIBRATION_S = 2.0
_MAX_ROUND_S = 120.0


def next_round_seconds(remaining: int, rate: float | None) -> float:
    """Seconds for wrk to answer about ``remaining`` more requests at ``rate`` per second
    (a short calibration round while the rate is unknown; never under 1 s).

    >>> next_round_seconds(200_000, None), next_round_seconds(190_000, 4000.0)
    (2.0, 48.0)
    """
    if remaining <= 0:
        return 0.0
    if rate is None or rate <= 0:
        return _CALIBRATION_S
    return float(min(_MAX_ROUND_S, max(1, math.ceil(remaining / rate))))


class LongRun:
    key = "memory"
    title = "Memory over a long run"

    def run(self, bench: Bench) -> Outcome:
        target = bench.options.long_requests
        mock = bench.server("mock")
        if mock is None:
            return Outcome()
        mode = LOG_MODES[0]
        total, elapsed, unexpected = 0, 0.0, 0
        with bench.serve(mock, mode) as running:
            bench.check_answers(running)
            start_kb = bench.rss_kb(running)
            rate: float | None = None
            samples: list[int] = []
            while total < target:
                result = bench.load(
                    running, BODIES, next_round_seconds(target - total, rate)
                ).result
                total += result.requests
                elapsed += result.duration_s
                unexpected += bench.unexpected(mock, BODIES, result)
                rate = result.requests_per_second
                samples.append(bench.rss_kb(running))
                bench.progress(f"{mock.label}: {total:,} requests, RSS {fmt_mb(samples[-1])} MB")
        note = (
            f"{mock.label} ({mode.label}), one process, wrk -t{bench.options.threads} "
            f"-c{bench.options.connections} sending the valid and the invalid golden case in "
            f"turn until {target:,} answers; {fmt_rate(total / elapsed if elapsed else 0)} "
            f"req/s over the run; {unexpected} socket errors."
        )
        return long_run_outcome(mock.label, total, start_kb, samples, (note,))


def long_run_outcome(
    label: str, requests: int, start_kb: int, samples_kb: Sequence[int], notes: tuple[str, ...]
) -> Outcome:
    end_kb = samples_kb[-1] if samples_kb else start_kb
    check = Check(MEMORY_LIMIT, end_kb / 1024, f"after {requests:,} requests")
    row = (
        label,
        f"{requests:,}",
        fmt_mb(start_kb),
        fmt_mb(max(samples_kb, default=start_kb)),
        fmt_mb(end_kb),
        check.cell(),
    )
    headers = ("server", "requests", "RSS at start MB", "peak MB", "RSS after MB", "target")
    return Outcome(
        tables=(Table("Memory over a long run", headers, (row,), notes),), checks=(check,)
    )
