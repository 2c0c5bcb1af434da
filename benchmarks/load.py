"""Throughput and latency under wrk, valid and invalid bodies, for each server and log mode.

A round starts each server fresh per log mode, checks that it answers both golden cases
correctly, warms it up, then loads it for the run's duration with the valid body and then
the invalid one, reading its RSS after each load. Servers take turns within a round, and
the table gives the median over the rounds, so a drift in the machine's load touches
every server alike.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .anchors import BARE_ROUTE, LOAD_ANCHORS, VS_BARE, VS_CONTROLS_OFF, VS_PRISM
from .context import BODIES, DISTURBED_CORES, Bench
from .report import Check, Goal, Outcome, Table, fmt_mb, fmt_ms, fmt_rate
from .servers import CONTROLS_OFF, LOG_MODES, LogMode, Server

__all__ = ["Measured", "Throughput", "median_of", "throughput_outcome"]


@dataclass(frozen=True)
class Measured:
    """One row's figures: from one wrk run, or the median over rounds (see ``median_of``)."""

    requests_per_second: float
    p50_ms: float
    p99_ms: float
    rss_kb: int
    unexpected: int = 0
    cpu_us: float = 0.0  # the server's CPU time per answer
    other_cores: float = 0.0  # other processes' load meanwhile


def median_of(rounds: Sequence[Measured]) -> Measured:
    """The median of each figure over ``rounds``; unexpected answers are summed, and the
    other processes' load is the worst round's.

    >>> rounds = [Measured(900, 5, 9, 100, 1), Measured(1000, 6, 20, 120), Measured(950, 4, 8, 90)]
    >>> m = median_of(rounds)
    >>> m.requests_per_second, m.p99_ms, m.rss_kb, m.unexpected
    (950, 9, 100, 1)
    """
    if not rounds:
        raise ValueError("no rounds to take the median of")
    return Measured(
        statistics.median(m.requests_per_second for m in rounds),
        statistics.median(m.p50_ms for m in rounds),
        statistics.median(m.p99_ms for m in rounds),
        int(statistics.median(m.rss_kb for m in rounds)),
        sum(m.unexpected for m in rounds),
        statistics.median(m.cpu_us for m in rounds),
        max(m.other_cores for m in rounds),
    )


Key = tuple[str, str, str]  # (server, mode, body)


class Throughput:
    key = "load"
    title = "Throughput and latency"

    def run(self, bench: Bench) -> Outcome:
        rounds: dict[Key, list[Measured]] = {}
        opts = bench.options
        for turn in range(1, opts.rounds + 1):
            for mode in LOG_MODES:
                for server in bench.servers:
                    for body, measured in self._one(bench, server, mode, turn).items():
                        rounds.setdefault((server.key, mode.key, body), []).append(measured)
        return throughput_outcome(rounds, bench.servers, LOG_MODES, _notes(bench))

    @staticmethod
    def _one(bench: Bench, server: Server, mode: LogMode, turn: int) -> dict[str, Measured]:
        opts = bench.options
        found: dict[str, Measured] = {}
        with bench.serve(server, mode) as running:
            bench.progress(
                f"round {turn}/{opts.rounds}, {server.label}, {mode.label}: "
                f"first 204 after {running.startup_s:.3f} s"
            )
            bench.check_answers(running)
            if opts.warmup > 0:
                for body in server.bodies:
                    bench.load(running, (body,), opts.warmup, warmup=True)
            for body in server.bodies:
                run = bench.load(running, (body,))
                result, rss = run.result, bench.rss_kb(running)
                found[body] = Measured(
                    result.requests_per_second,
                    result.p50_ms,
                    result.p99_ms,
                    rss,
                    bench.unexpected(server, (body,), result),
                    run.cpu_us_per_request,
                    run.other_cores,
                )
                bench.progress(
                    f"  {body}: {fmt_rate(result.requests_per_second)} req/s, "
                    f"p50 {fmt_ms(result.p50_ms)} ms, p99 {fmt_ms(result.p99_ms)} ms, "
                    f"{run.cpu_us_per_request:.0f} us CPU/answer, RSS {fmt_mb(rss)} MB"
                    + (
                        f" (skewed: other load {run.other_cores:.2f} cores)"
                        if run.disturbed
                        else ""
                    )
                )
        return found


def _notes(bench: Bench) -> tuple[str, ...]:
    opts = bench.options
    return (
        f"wrk -t{opts.threads} -c{opts.connections} -d{opts.duration:g}s per body, after "
        f"{opts.warmup:g} s of warm-up per body; each server started fresh per log mode and "
        f"round; every figure is the median of {opts.rounds} round(s).",
        f"valid = golden case {bench.probes['valid'].name} (204); invalid = "
        f"{bench.probes['invalid'].name} (422, three errors). Every request carries "
        "`Authorization: Bearer x` (Prism enforces HTTPBearer; the others ignore it).",
        "access log on: uvicorn --log-level info, one access line per request to a log file "
        "(the mock's default); Prism -v info (its default). quiet: uvicorn --log-level "
        "warning (the access logger drops its lines); Prism -v silent.",
        "CPU us/req: the server's CPU time (process tree, user + system) per answer. RSS: "
        "VmRSS summed over the server's process tree, after that row's load.",
        "other load: cores busy meanwhile with anything but the server and wrk (the worst "
        f"round); above {DISTURBED_CORES} on a saturated machine, someone else's work took "
        "CPU from the server and wrk, and the row is skewed.",
        "errors: wrong-class answers (>= 400 for valid, < 400 for invalid) plus socket errors.",
        "controls off: the same mock with --no-control (no journal, no Prefer, no runtime "
        "control): what the controls cost a request while no sequence, latency or fault is "
        "set.",
        "FastAPI (oracle): the kit's differential oracle (tests/oracle), FastAPI declaring "
        "Honcho's model and route with auth off, served as the mock is: what the real "
        "framework costs for the same answers. No target; mock / FastAPI is for reading.",
    )


def _rate(rounds: Sequence[Measured]) -> float:
    return statistics.median(m.requests_per_second for m in rounds)


def _ratio_check(
    rounds: Mapping[Key, Sequence[Measured]], goal: Goal, mode: LogMode, body: str, other: str
) -> Check:
    """``goal`` on the mock's median rate over ``other``'s; the note gives the per-round
    spread, so a verdict that flips between rounds shows as such."""
    mine, theirs = rounds.get(("mock", mode.key, body)), rounds.get((other, mode.key, body))
    if not mine or not theirs or _rate(theirs) <= 0:
        return Check(goal, None, mode.label)
    per_round = [
        a.requests_per_second / b.requests_per_second
        for a, b in zip(mine, theirs, strict=False)
        if b.requests_per_second > 0
    ]
    note = mode.label
    if len(per_round) > 1:
        note += f"; rounds {min(per_round):.2f}-{max(per_round):.2f}"
    return Check(goal, _rate(mine) / _rate(theirs), note)


def _plain_ratio(
    rounds: Mapping[Key, Sequence[Measured]], mode: LogMode, body: str, other: str
) -> str:
    """The mock's median rate over ``other``'s, without a target ("" if not measured)."""
    mine, theirs = rounds.get(("mock", mode.key, body)), rounds.get((other, mode.key, body))
    if not mine or not theirs or _rate(theirs) <= 0:
        return ""
    return f"{_rate(mine) / _rate(theirs):.2f}x"


def throughput_outcome(
    rounds: Mapping[Key, Sequence[Measured]],
    servers: Sequence[Server],
    modes: Sequence[LogMode],
    notes: tuple[str, ...] = (),
) -> Outcome:
    """The table (rows: mode, body, server; medians over rounds) and the mock's ratio
    checks, from each round's measurements."""
    rows: list[tuple[str, ...]] = []
    checks: list[Check] = []
    for mode in modes:
        for body in BODIES:
            vs_bare = _ratio_check(rounds, VS_BARE[body], mode, body, BARE_ROUTE[body])
            vs_off = _ratio_check(rounds, VS_CONTROLS_OFF[body], mode, body, CONTROLS_OFF)
            vs_prism = _ratio_check(rounds, VS_PRISM[body], mode, body, "prism")
            checks += [vs_bare, vs_off, vs_prism]
            for server in servers:
                measured = rounds.get((server.key, mode.key, body))
                if not measured:
                    continue
                m = median_of(measured)
                is_mock = server.key == "mock"
                rows.append(
                    (
                        server.label,
                        mode.label,
                        body,
                        fmt_rate(m.requests_per_second),
                        fmt_ms(m.p50_ms),
                        fmt_ms(m.p99_ms),
                        f"{m.cpu_us:.0f}",
                        fmt_mb(m.rss_kb),
                        str(m.unexpected),
                        f"{m.other_cores:.2f}",
                        LOAD_ANCHORS.get((server.key, mode.key, body), ""),
                        vs_bare.cell() if is_mock else "",
                        vs_off.cell() if is_mock else "",
                        vs_prism.cell() if is_mock else "",
                        _plain_ratio(rounds, mode, body, "fastapi") if is_mock else "",
                    )
                )
    headers = (
        "server",
        "logging",
        "body",
        "req/s",
        "p50 ms",
        "p99 ms",
        "CPU us/req",
        "RSS MB",
        "errors",
        "other load",
        "anchor (req/s; p50 / p99; RSS)",
        "mock / bare",
        "mock / controls off",
        "mock / Prism",
        "mock / FastAPI",
    )
    table = Table("Throughput and latency", headers, tuple(rows), notes)
    return Outcome(tables=(table,), checks=tuple(checks))
