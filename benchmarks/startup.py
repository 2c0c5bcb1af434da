"""Start-up: spawn to the first 204 (polled every 2 ms), several cold starts per server.

Servers take turns, so a drift in the machine's load touches each of them alike.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence

from .anchors import STARTUP_ANCHORS, STARTUP_LIMIT
from .context import Bench
from .report import Check, Outcome, Table, fmt_mb, fmt_seconds
from .servers import LOG_MODES, Server

__all__ = ["Startup", "startup_outcome"]


class Startup:
    key = "startup"
    title = "Start-up"

    def run(self, bench: Bench) -> Outcome:
        servers = [s for s in bench.servers if s.starts_with_204]
        seconds: dict[str, list[float]] = {s.key: [] for s in servers}
        rss: dict[str, list[int]] = {s.key: [] for s in servers}
        mode = LOG_MODES[0]
        for turn in range(bench.options.startup_runs):
            for server in servers:
                with bench.serve(server, mode) as running:
                    seconds[server.key].append(running.startup_s)
                    rss[server.key].append(bench.rss_kb(running))
            bench.progress(
                f"start-up run {turn + 1}: "
                + ", ".join(f"{s.label} {seconds[s.key][-1]:.3f} s" for s in servers)
            )
        note = (
            f"median of {bench.options.startup_runs} starts each, {mode.label}; the clock "
            "starts before the process is spawned and stops when the first valid request "
            "gets its 204. RSS: the process tree just after that answer."
        )
        return startup_outcome(seconds, rss, servers, (note,))


def startup_outcome(
    seconds: Mapping[str, Sequence[float]],
    rss_kb: Mapping[str, Sequence[int]],
    servers: Sequence[Server],
    notes: tuple[str, ...] = (),
) -> Outcome:
    rows: list[tuple[str, ...]] = []
    check = Check(STARTUP_LIMIT, None)
    for server in servers:
        times = seconds.get(server.key) or []
        if not times:
            continue
        median = statistics.median(times)
        memory = rss_kb.get(server.key) or [0]
        if server.key == "mock":
            check = Check(STARTUP_LIMIT, median)
        rows.append(
            (
                server.label,
                fmt_seconds(median),
                f"{fmt_seconds(min(times))}-{fmt_seconds(max(times))}",
                fmt_mb(int(statistics.median(memory))),
                STARTUP_ANCHORS.get(server.key, ""),
                check.cell() if server.key == "mock" else "",
            )
        )
    headers = ("server", "start-up s", "range s", "RSS at start MB", "anchor", "target")
    return Outcome(tables=(Table("Start-up", headers, tuple(rows), notes),), checks=(check,))
