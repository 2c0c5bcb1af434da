"""A campaign's fuzzing in several processes, so ``--workers`` scales past the GIL.

schemathesis draws each case in Python with the GIL held (about 10 ms a case on a small
runner), so the engine threads of one process stop scaling near 2x however long the server
takes to answer. With ``--workers N`` on a machine of C CPUs a campaign fuzzes in
``min(N, C)`` processes ("lanes") of about N/C engine threads each. Lane ``i`` of ``n``
fuzzes on seeds no other lane uses, checks each case as a single process would (the
re-send confirming a failure included) and sends its findings to the run over a queue, so
the run's report is one report. ``--rate-limit`` is one bucket in shared memory for every
lane; a stop (``--max-failures``, an interrupt) reaches every lane at its next case; a
lane's server that does not come back stops them all. Lanes ignore SIGINT: the run's own
process decides when they stop.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from multiprocessing.synchronize import Event
from typing import Any

from ..cases.model import Finding
from ..config import SuiteConfig
from ..wire.outage import Outage, ServerDown
from ..wire.pace import TokenBucket
from .generated import GeneratedRun
from .memory import Memory, open_memory
from .session import Session

__all__ = ["fuzz_in_lanes", "lanes_for"]

_POLL = 0.25  # seconds between looks at a stop and at lanes that died


def lanes_for(workers: int, cpus: int | None = None) -> list[int]:
    """The engine threads of each process a campaign fuzzes in, for ``--workers``.

    >>> lanes_for(4, cpus=2)
    [2, 2]
    >>> lanes_for(5, cpus=2)
    [3, 2]
    >>> lanes_for(3, cpus=8)
    [1, 1, 1]
    >>> lanes_for(1, cpus=8)
    [1]
    """
    count = max(1, min(workers, cpus or _cpus()))
    return [workers // count + (index < workers % count) for index in range(count)]


def _cpus() -> int:
    """The CPUs this process may run on (a container's share, not the host's)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


@dataclass(frozen=True)
class _Lane:
    config: SuiteConfig  # ``workers``: this lane's engine threads
    index: int
    lanes: int
    deadline: float  # on the monotonic clock, which every process on the machine shares


@dataclass
class _LaneEnd:
    """What a lane sends last: what it ran, and why it stopped early if it did."""

    index: int
    places: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)
    stopped: Outage | None = None
    lost: str | None = None  # its --example-db failed mid-run


def fuzz_in_lanes(
    session: Session,
    campaign: float,
    *,
    lanes: list[int],
    on_case: Callable[[list[Finding]], None],
    say: Callable[[str], None],
    stop: Callable[[], bool],
    memory: Memory | None = None,
) -> GeneratedRun:
    """Fuzz ``session``'s server for ``campaign`` seconds in ``len(lanes)`` processes; each
    case's findings go to ``on_case`` here, in the order they come. Raises
    :class:`~contract_tests.wire.outage.ServerDown` if a lane's server did not come back."""
    config = session.config
    context = multiprocessing.get_context("spawn")  # threads run here: no fork
    pace = None
    if config.rate_limit is not None:
        pace = TokenBucket.across_processes(config.rate_limit.interval, context)
    found: multiprocessing.Queue[tuple[str, Any]] = context.Queue()
    halt = context.Event()
    deadline = time.monotonic() + campaign
    processes = []
    for index, threads in enumerate(lanes):
        lane = _Lane(replace(config, workers=threads), index, len(lanes), deadline)
        name = f"honcho-contract lane {index + 1}"
        process = context.Process(
            target=_lane_main, args=(lane, pace, found, halt), name=name, daemon=True
        )
        processes.append(process)
    for process in processes:
        process.start()
    run = GeneratedRun()
    ended: set[int] = set()
    try:
        while len(ended) < len(processes):
            if stop():
                halt.set()
            try:
                kind, payload = found.get(timeout=_POLL)
            except queue.Empty:
                _died(processes, ended, run)
                continue
            if kind == "case":
                run.cases += 1
                on_case(payload)
            elif kind == "say":
                say(payload)
            else:
                ended.add(payload.index)
                _merge(run, payload, memory)
                if payload.stopped is not None:
                    halt.set()  # one lane's server is gone: it is every lane's
    finally:
        halt.set()
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
        found.close()
    if run.stopped is not None:
        raise run.stopped
    return run


def _merge(run: GeneratedRun, end: _LaneEnd, memory: Memory | None) -> None:
    run.places |= end.places
    run.errors.extend(end.errors)
    if end.stopped is not None and run.stopped is None:
        run.stopped = ServerDown(end.stopped)
    if memory is not None and end.lost is not None and memory.lost is None:
        memory.lost = end.lost


def _died(processes: list[Any], ended: set[int], run: GeneratedRun) -> None:
    """Lanes that ended without a word (killed, out of memory) are an error of the run."""
    for index, process in enumerate(processes):
        if index not in ended and process.exitcode not in (None, 0):
            ended.add(index)
            run.errors.append(f"{process.name} died (exit code {process.exitcode}): "
                              "its cases since its last finding are not in the report")  # fmt: skip


def _lane_main(
    lane: _Lane, pace: TokenBucket | None, found: multiprocessing.Queue[Any], halt: Event
) -> None:
    """One lane, in a process of its own: fuzz until the deadline or the halt."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    end = _LaneEnd(lane.index)
    try:
        end = _fuzz(lane, pace, found, halt)
    except Exception as exc:  # told to the run, which fails with it
        end.errors.append(f"honcho-contract lane {lane.index + 1}: {type(exc).__name__}: {exc}")
    found.put(("end", end))


def _fuzz(
    lane: _Lane, pace: TokenBucket | None, found: multiprocessing.Queue[Any], halt: Event
) -> _LaneEnd:
    config = lane.config
    session = Session(config, say=lambda line: found.put(("say", line)), pace=pace)
    memory = None
    try:
        if config.example_db is not None:
            memory = open_memory(config.example_db, session.document_path,
                                 session.facts.operation, session.auth_headers)  # fmt: skip
        run = session.generated(
            on_case=lambda findings: found.put(("case", findings)),
            stop=halt.is_set,
            campaign=lane.deadline - time.monotonic(),
            memory=memory,
            lane=(lane.index, lane.lanes),
        )
    finally:
        session.close()
        if memory is not None:
            memory.close()
    return _LaneEnd(
        index=lane.index,
        places=run.places,
        errors=run.errors,
        stopped=run.stopped.outage if run.stopped is not None else None,
        lost=memory.lost if memory is not None else None,
    )
