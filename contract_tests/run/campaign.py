"""One contract run from start to end: probes, golden cases, generated cases, and, with
``--duration``, a campaign that keeps fuzzing until the time is up.

``--workers N`` keeps N requests in flight (probes, golden cases, the campaign's fuzzing);
``--shard I/N`` sends this runner's share of every phase; ``--max-failures N``, an
interrupt (SIGINT) and a server that does not come back end the run early, with the report
of what ran and why it stopped. ``--example-db`` keeps the failing generated cases for every
later run, which sends them first of its generated cases (:mod:`~contract_tests.run.memory`).
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import nullcontext
from typing import TypeVar

from ..cases.builder import DEFAULT_WORKSPACE, MINIMAL_VALID
from ..cases.locate import place_of
from ..cases.model import Finding, Probe, Severity
from ..config import SuiteConfig
from ..wire.outage import ServerDown
from ..wire.reproduce import redacted, write_bodies
from .lanes import Lanes, lanes_for
from .memory import Memory
from .progress import Progress
from .session import Report, Session
from .shard import keeps_index, shard_of

__all__ = ["Stop", "run_suite"]

T = TypeVar("T")


class Stop:
    """Whether a run ends before its work is done, and why: ``--max-failures`` or
    ``--max-time`` reached, or an interrupt. (``--duration`` ending a campaign is its
    normal end.)"""

    def __init__(
        self,
        config: SuiteConfig,
        interrupt: threading.Event | None = None,
        started: float | None = None,
    ) -> None:
        self.max_failures = config.max_failures
        self.max_time = config.max_time
        self.interrupt = interrupt or threading.Event()
        self.started = time.monotonic() if started is None else started

    def why(self, report: Report) -> str | None:
        if self.interrupt.is_set():
            return f"interrupted: stopped after {report.cases} cases"
        failures = report.count(Severity.FAILURE)
        if self.max_failures is not None and failures >= self.max_failures:
            return f"--max-failures {self.max_failures} reached: stopped after {report.cases} cases"
        # the whole run's bound (each case's own is --timeout): a server as slow as --timeout
        # allows on every case would take cases x timeout
        if self.max_time is not None and time.monotonic() - self.started >= self.max_time:
            return f"--max-time {self.max_time:g} s reached: stopped after {report.cases} cases"
        return None


def run_suite(
    config: SuiteConfig,
    progress: Progress | None = None,
    interrupt: threading.Event | None = None,
) -> Report:
    """Run everything against ``config.base_url``; raises UnreachableError if it is not there.

    A server that stops answering and does not come back within ``config.down_wait`` ends
    the run: the report holds what was found until then and the ``server_down`` failure.
    Setting ``interrupt`` ends it as soon as the requests in flight are answered.
    """
    started = time.monotonic()
    report = Report(config)
    progress = progress or Progress(None)
    if config.duration is not None:
        progress.ends_at(started + config.duration)
    session = Session(config, say=progress.note)
    stop = Stop(config, interrupt, started)
    memory: Memory | None = None
    try:
        memory = session.open_memory()  # checked before the first request
        _run_phases(session, report, progress, stop, started, memory=memory)
    except ServerDown as exc:
        report.add([exc.outage.finding(session.curl)])
        report.stopped = (
            f"the server stopped answering and did not come back within {config.down_wait:g} s: "
            f"the run stopped after {report.cases} cases"
        )
    finally:
        session.close()
        if memory is not None:
            memory.close()
    if memory is not None and memory.lost is not None:
        report.add([_example_db_lost(config, memory.lost)])
    report.stopped = report.stopped or stop.why(report)
    _write_bodies(report)
    report.duration = time.monotonic() - started
    return report


def _write_bodies(report: Report) -> None:
    """The long bodies of the reproducers the report shows: one per cause, and no more."""
    folder = report.config.reproducers_dir
    try:
        write_bodies(folder, (body for cause in report.distinct() for body in cause.finding.bodies))
    except OSError as exc:
        report.notes.append(f"cannot write the reproducers' bodies in {folder} ({exc.strerror})")


def _run_phases(
    session: Session,
    report: Report,
    progress: Progress,
    stop: Stop,
    started: float,
    *,
    memory: Memory | None,
) -> None:
    config = session.config
    first = session.detect_auth()
    if keeps_index(config.shard, 0):  # every runner needs the verdict; one reports it
        report.add(first)
        report.cases += 1
    # a campaign's lanes start now: their start-up overlaps the fixed phases
    lanes = lanes_for(config.workers) if config.duration is not None else [1]
    with Lanes(session, lanes) if len(lanes) > 1 else nullcontext() as fleet:
        _fixed_phases(session, report, progress, stop)
        generated: list[tuple[str, float | None]] = [("generated cases", None)]
        if config.duration is not None:
            generated.append(("campaign", config.duration))
        for name, duration in generated:
            if stop.why(report) is not None:
                return
            # a campaign fuzzes for what is left of --duration once the fixed phases are done
            elapsed = time.monotonic() - started
            campaign = None if duration is None else duration - elapsed
            if duration is not None and campaign is not None and campaign < 1:
                note = _no_campaign(duration, elapsed)
                report.notes.append(note)
                progress.note(note)
                return
            progress.phase(name)
            on_case = lambda findings: _generated_case(report, session, progress, findings)  # noqa: E731
            stopping = lambda: stop.why(report) is not None  # noqa: E731
            if fleet is not None and campaign is not None:
                run = fleet.fuzz(campaign, on_case=on_case, say=progress.note, stop=stopping,
                                 memory=memory)  # fmt: skip
            else:
                known = lambda: {cause.key for cause in report.distinct()}  # noqa: E731
                run = session.generated(on_case=on_case, stop=stopping, campaign=campaign,
                                        memory=memory, known=known)  # fmt: skip
            progress.done(_why(stop, report))
            report.cases += run.cases
            report.places |= run.places
            report.layers.update(run.layers)
            report.errors.extend(run.errors)
            if run.stopped is not None:
                raise run.stopped


def _fixed_phases(session: Session, report: Report, progress: Progress, stop: Stop) -> None:
    """The probes (each one's 5xx may hint at --workspace-id), then the golden cases."""
    config = session.config
    fixtures = list(shard_of(config.shard, session.fixtures()))
    phases: list[tuple[str, Iterable[tuple[Probe, list[Finding]]]]] = [
        ("probes", _checked(session, shard_of(config.shard, _all_probes(session)), stop, report,
                            judge=session.check, probe_of=lambda probe: probe)),
        ("golden cases", _checked(session, fixtures, stop, report,
                                  judge=lambda fixture: session.check(fixture.probe, fixture),
                                  probe_of=lambda fixture: fixture.probe)),
    ]  # fmt: skip
    for name, checked in phases:
        progress.phase(name)
        for probe, findings in checked:
            report.add(findings)
            if name == "probes":
                report.add(_workspace_hint(config, probe, findings))
            report.cases += 1
            report.places.add(place_of(probe.location))
            if probe.layer:
                report.layers[probe.layer] += 1
            progress.step(failures=report.count(Severity.FAILURE))
        progress.done(_why(stop, report))


def _checked(
    session: Session,
    items: Iterable[T],
    stop: Stop,
    report: Report,
    *,
    judge: Callable[[T], list[Finding]],
    probe_of: Callable[[T], Probe],
) -> Iterator[tuple[Probe, list[Finding]]]:
    """Each item's probe with its findings, in order, with up to ``--workers`` in flight;
    none sent once the run must stop."""
    workers = session.config.workers
    if workers == 1:
        for item in items:
            if stop.why(report) is not None:
                return
            yield probe_of(item), judge(item)
        return
    with ThreadPoolExecutor(workers, thread_name_prefix="honcho-contract") as pool:
        in_flight: deque[tuple[Probe, Future[list[Finding]]]] = deque()
        try:
            for item in items:
                if stop.why(report) is not None:
                    break
                in_flight.append((probe_of(item), pool.submit(judge, item)))
                if len(in_flight) >= workers:
                    done, future = in_flight.popleft()
                    yield done, future.result()
            while in_flight:
                done, future = in_flight.popleft()
                yield done, future.result()
        finally:
            for _probe, future in in_flight:
                future.cancel()


def _generated_case(
    report: Report, session: Session, progress: Progress, findings: list[Finding]
) -> None:
    report.add(redacted(findings, session.sent_headers, session.config.show_secrets))
    progress.step(failures=report.count(Severity.FAILURE))


def _why(stop: Stop, report: Report) -> str | None:
    """How a phase that ended early ended, in its progress line: ``interrupted``."""
    why = stop.why(report)
    return why.split(":", 1)[0] if why is not None else None


def _no_campaign(duration: float, fixed: float) -> str:
    """Why a run with ``--duration`` did not fuzz: the fixed phases took all of it."""
    return (f"no campaign: the fixed phases took {fixed:.0f} s of --duration {duration:g}s; "
            f"a campaign fuzzes for what is left after them: give --duration more than "
            f"{math.ceil(fixed) + 1}s")  # fmt: skip


def _workspace_hint(config: SuiteConfig, probe: Probe, findings: list[Finding]) -> list[Finding]:
    # Honcho answers 500 for a workspace it does not know: everything fails then.
    if config.workspace_id is not None or probe.name != MINIMAL_VALID:
        return []
    if not any(f.check == "server_error" for f in findings):
        return []
    return [
        Finding(
            check="workspace_hint",
            severity=Severity.WARNING,
            status=None,
            location="path.workspace_id",
            message=f"a minimal valid request to workspace {DEFAULT_WORKSPACE!r} got a 5xx: if "
            "the server serves only existing workspaces, pass --workspace-id ID",
        )
    ]


def _example_db_lost(config: SuiteConfig, why: str) -> Finding:
    message = (f"--example-db {config.example_db} failed mid-run ({why}): the run went on "
               "without it, and kept nothing from then on")  # fmt: skip
    return Finding("example_db", Severity.WARNING, None, "example-db", message)


def _all_probes(session: Session) -> Iterator[Probe]:
    yield from session.hostile_probes()
    yield from session.token_probes()
