"""A campaign's fuzzing in several processes, so ``--workers`` scales past the GIL.

schemathesis draws each case in Python with the GIL held (about 10 ms a case on a small
runner), so the engine threads of one process stop scaling near 2x however long the server
takes to answer. With ``--workers N`` a campaign fuzzes in up to two processes ("lanes") a
CPU, N engine threads spread over them: a lane mostly waits for the server, so two a CPU
keep it busy. Lane ``i`` of ``n`` fuzzes on seeds no other lane uses, checks each case as
a single process would (the re-send confirming a failure included) and sends its findings
to the run over a pipe of its own, so the run's report is one report (a lane killed
mid-write spoils only its own pipe, where one queue shared by every lane would stay locked
by the dead writer and hang the rest). The lanes start with the run
and wait for the campaign (their start-up overlaps the fixed phases). ``--rate-limit`` is
one bucket in shared memory for every lane; a stop (``--max-failures``, an interrupt)
reaches every lane at its next case; a lane's server that does not come back stops them
all. Lanes ignore SIGINT: the run's own process decides when they stop.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection, wait
from multiprocessing.synchronize import Event
from typing import Any, cast

from ..cases.model import Finding
from ..config import SuiteConfig
from ..wire.outage import Outage, ServerDown
from ..wire.pace import TokenBucket
from .generated import GeneratedRun
from .memory import Memory
from .session import Session

__all__ = ["Lanes", "lanes_for"]

_POLL = 0.25  # seconds between looks at a stop and at lanes that died
_END_WAIT = 30.0  # seconds a lane has to end once told to, before it is killed


def lanes_for(workers: int, cpus: int | None = None) -> list[int]:
    """The engine threads of each process a campaign fuzzes in, for ``--workers``: up to
    two processes a CPU.

    >>> lanes_for(4, cpus=2)
    [1, 1, 1, 1]
    >>> lanes_for(8, cpus=2)
    [2, 2, 2, 2]
    >>> lanes_for(5, cpus=1)
    [3, 2]
    >>> lanes_for(1, cpus=8)
    [1]
    """
    count = max(1, min(workers, 2 * (cpus or _cpus())))
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


@dataclass(frozen=True)
class _Shared:
    """What every lane shares with the run, handed to each at its start."""

    pace: TokenBucket | None
    go: Event
    halt: Event
    deadline: Any  # a shared double: the campaign's end on the monotonic clock, set on the go
    ready: Any  # a shared int: the lanes whose session is made, waiting for the go


@dataclass
class _LaneEnd:
    """What a lane sends last: what it ran, and why it stopped early if it did."""

    index: int
    places: set[str] = field(default_factory=set)
    layers: Counter[str] = field(default_factory=Counter)  # its mutated cases, by layer
    errors: list[str] = field(default_factory=list)
    stopped: Outage | None = None
    lost: str | None = None  # its --example-db failed mid-run


class Lanes:
    """The processes a campaign will fuzz in, started before it (while the fixed phases
    run, their imports cost the campaign nothing) and waiting for :meth:`fuzz`. A context
    manager: leaving it stops and ends every lane, fuzzed or not."""

    def __init__(self, session: Session, lanes: list[int]) -> None:
        config = session.config
        self._timeout = config.timeout
        context = multiprocessing.get_context("spawn")  # threads run here: no fork
        pace = None
        if config.rate_limit is not None:
            pace = TokenBucket.across_processes(config.rate_limit.interval, context)
        self._shared = _Shared(pace, context.Event(), context.Event(),
                               context.Value("d", 0.0), context.Value("i", 0))  # fmt: skip
        self._processes = []
        self._readers: dict[Connection, int] = {}  # each lane's open pipe, to its index
        writers = []
        for index, threads in enumerate(lanes):
            lane = _Lane(replace(config, workers=threads), index, len(lanes))
            reader, writer = context.Pipe(duplex=False)
            self._readers[reader] = index
            writers.append(writer)
            self._processes.append(context.Process(
                target=_lane_main, name=f"honcho-contract lane {index + 1}", daemon=True,
                args=(lane, self._shared, writer),
            ))  # fmt: skip
        try:
            for process in self._processes:
                process.start()
        except BaseException:  # the lanes started so far end with it
            self.__exit__()
            raise
        finally:  # the lanes hold their own copies: a pipe ends when its lane does
            for writer in writers:
                writer.close()

    def __enter__(self) -> Lanes:
        return self

    def wait_ready(self, timeout: float) -> bool:
        """Whether every lane made its session (imports done, ``--example-db`` open) and
        waits for the go, within ``timeout`` seconds; a lane that died is never ready."""
        until = time.monotonic() + timeout
        while self._shared.ready.value < len(self._processes):
            if time.monotonic() >= until or not all(p.is_alive() for p in self._processes):
                return False
            time.sleep(0.02)
        return True

    def __exit__(self, *_exc: object) -> None:
        shared = self._shared
        shared.halt.set()
        shared.go.set()  # a lane still waiting sees the halt and ends
        # a lane ends once what it writes to its pipe is read: read it (the run may be
        # leaving mid-campaign, a second interrupt), for at most _END_WAIT seconds
        until = time.monotonic() + _END_WAIT
        while any(p.is_alive() for p in self._processes) and time.monotonic() < until:
            if self._readers:
                for _message in self._receive():
                    pass
            else:
                time.sleep(_POLL)
        for process in self._processes:
            if process.is_alive():
                process.kill()
            if process.pid is not None:  # started
                process.join()
        for reader in self._readers:
            reader.close()
        self._readers.clear()

    def _receive(self) -> list[tuple[int, str, Any]]:
        """What the lanes wrote within :data:`_POLL` seconds, as (lane, kind, what); a pipe
        at its end (its lane gone, what it wrote all read) is closed and comes as
        (lane, "closed", None)."""
        messages: list[tuple[int, str, Any]] = []
        for ready in wait(list(self._readers), timeout=_POLL):
            reader = cast(Connection, ready)
            index = self._readers[reader]
            try:
                kind, payload = reader.recv()
            except Exception:  # EOF, or the last message cut short by the lane's death
                del self._readers[reader]
                reader.close()
                messages.append((index, "closed", None))
            else:
                messages.append((index, kind, payload))
        return messages

    def fuzz(
        self,
        campaign: float,
        *,
        on_case: Callable[[list[Finding]], None],
        say: Callable[[str], None],
        stop: Callable[[], bool],
        memory: Memory | None = None,
    ) -> GeneratedRun:
        """Fuzz for ``campaign`` seconds in every lane; each case's findings go to
        ``on_case`` here, in the order they come. Raises
        :class:`~contract_tests.wire.outage.ServerDown` if a lane's server did not come
        back."""
        shared = self._shared
        shared.deadline.value = time.monotonic() + campaign
        # past the deadline a lane ends the case in flight (sent, maybe once more to confirm)
        late = 2 * self._timeout + _END_WAIT
        shared.go.set()
        run = GeneratedRun()
        ended: set[int] = set()
        while len(ended) < len(self._processes):
            if stop():
                shared.halt.set()
            for index, kind, payload in self._receive():
                if kind == "case":
                    run.cases += 1
                    on_case(payload)
                elif kind == "say":
                    say(payload)
                elif kind == "end":
                    ended.add(index)
                    _merge(run, payload, memory)
                    if payload.stopped is not None:
                        shared.halt.set()  # one lane's server is gone: it is every lane's
                elif index not in ended:  # its pipe closed with no end: it died
                    _died(self._processes[index], run)
                    ended.add(index)
            if time.monotonic() > shared.deadline.value + late:
                _stuck(self._processes, ended, run, late)
        if run.stopped is not None:
            raise run.stopped
        return run


def _merge(run: GeneratedRun, end: _LaneEnd, memory: Memory | None) -> None:
    run.places |= end.places
    run.layers.update(end.layers)
    run.errors.extend(end.errors)
    if end.stopped is not None and run.stopped is None:
        run.stopped = ServerDown(end.stopped)
    if memory is not None and end.lost is not None and memory.lost is None:
        memory.lost = end.lost


def _died(process: Any, run: GeneratedRun) -> None:
    """A lane whose pipe ended without its last word (killed, out of memory) is an error of
    the run."""
    process.join(timeout=_END_WAIT)  # its pipe is closed: it is gone or going
    run.errors.append(f"{process.name} died (exit code {process.exitcode}): the "
                      "cases it had in flight are not in the report")  # fmt: skip


def _stuck(processes: list[Any], ended: set[int], run: GeneratedRun, late: float) -> None:
    """Lanes still fuzzing ``late`` seconds past the deadline are stopped, an error of the
    run: a campaign ends within its bound whatever a lane meets."""
    for index, process in enumerate(processes):
        if index not in ended:
            process.kill()
            ended.add(index)
            run.errors.append(f"{process.name} did not end within {late:g} s of the "
                              "campaign's end and was stopped: the cases it had in flight "
                              "are not in the report")  # fmt: skip


class _Pipe:
    """A lane's end of its pipe to the run, written by its engine threads in turn."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._lock = threading.Lock()

    def send(self, kind: str, payload: Any) -> None:
        with self._lock:
            self._connection.send((kind, payload))


def _lane_main(lane: _Lane, shared: _Shared, connection: Connection) -> None:
    """One lane, in a process of its own: ready its session, wait for the go, fuzz until
    the deadline or the halt."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    pipe = _Pipe(connection)
    end = _LaneEnd(lane.index)
    config = lane.config
    say = lambda line: pipe.send("say", line)  # noqa: E731
    try:
        session = Session(config, say=say, pace=shared.pace)
        memory = None
        try:
            memory = session.open_memory()
            with shared.ready.get_lock():
                shared.ready.value += 1
            shared.go.wait()
            if not shared.halt.is_set():
                end = _fuzz(lane, session, memory, shared, pipe)
        finally:
            session.close()
            if memory is not None:
                memory.close()
    except Exception as exc:  # told to the run, which fails with it
        end.errors.append(f"honcho-contract lane {lane.index + 1}: {type(exc).__name__}: {exc}")
    with suppress(OSError):  # the run is gone: no one to tell
        pipe.send("end", end)
    connection.close()


def _fuzz(
    lane: _Lane, session: Session, memory: Memory | None, shared: _Shared, pipe: _Pipe
) -> _LaneEnd:
    run = session.generated(
        on_case=lambda findings: pipe.send("case", findings),
        stop=shared.halt.is_set,
        campaign=shared.deadline.value - time.monotonic(),
        memory=memory,
        lane=(lane.index, lane.lanes),
    )
    return _LaneEnd(
        index=lane.index,
        places=run.places,
        layers=run.layers,
        errors=run.errors,
        stopped=run.stopped.outage if run.stopped is not None else None,
        lost=memory.lost if memory is not None else None,
    )
