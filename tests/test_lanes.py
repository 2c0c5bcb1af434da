"""A campaign's fuzzing in several processes (lanes): one run's report, one rate limit, one
stop, and a lane that dies or a server that goes away told, not lost."""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from contract_tests.cases.model import Finding, Severity
from contract_tests.config import Rate, SuiteConfig
from contract_tests.run.lanes import Lanes
from contract_tests.run.session import Session
from contract_tests.wire.outage import ServerDown

from gallery import crashes_on_nul, decided
from raw_server import Answer, Silence, Traffic, raw_server


class _Cases:
    """What the run is handed, case by case (on its own thread: the run's); it asks the
    lanes to stop after ``stop_after`` cases, and runs ``then`` after the ``at``-th."""

    def __init__(
        self, stop_after: int | None = None, at: int = 0, then: Callable[[], None] = lambda: None
    ) -> None:
        self.findings: list[list[Finding]] = []
        self.said: list[str] = []
        self._stop_after = stop_after
        self._at, self._then = at, then

    def __call__(self, findings: list[Finding]) -> None:
        self.findings.append(findings)
        if len(self.findings) == self._at:
            self._then()

    def stop(self) -> bool:
        return self._stop_after is not None and len(self.findings) >= self._stop_after


def _fuzz(url: str, seconds: float, cases: _Cases, **config: Any) -> Any:
    """``seconds`` of fuzzing in two lanes, counted once both are ready: on a loaded machine
    their start-up (a process each, importing the kit) can take longer than the campaign."""
    session = Session(SuiteConfig(base_url=url, down_wait=1.0, **config))
    try:
        with Lanes(session, [1, 1]) as lanes:
            assert lanes.wait_ready(120), "the lanes did not start within 120 s"
            return lanes.fuzz(seconds, on_case=cases, say=cases.said.append, stop=cases.stop)
    finally:
        session.close()


@pytest.mark.slow
def test_lanes_fuzz_together_and_report_as_one_run() -> None:
    cases = _Cases()
    with raw_server(crashes_on_nul) as url:
        run = _fuzz(url, 6, cases)
    assert run.errors == []
    assert run.stopped is None
    assert run.cases == len(cases.findings) > 20
    failures = {(f.check, f.location) for found in cases.findings for f in found
                if f.severity is Severity.FAILURE}  # fmt: skip
    assert any(check == "server_error" for check, _ in failures), failures
    assert "body" in {place.split(".")[0] for place in run.places}
    assert multiprocessing.active_children() == []  # every lane ended


@pytest.mark.slow
def test_a_stop_reaches_every_lane_at_its_next_case() -> None:
    cases = _Cases(stop_after=15)
    started = time.monotonic()
    with raw_server(decided) as url:
        run = _fuzz(url, 300, cases)
    assert time.monotonic() - started < 120  # far short of the campaign's 300 s
    assert run.errors == []
    assert 15 <= run.cases < 300


@pytest.mark.slow
def test_the_lanes_take_from_one_rate_limit() -> None:
    """Measured at the server: the k-th request to arrive came no sooner than k slots after
    the bucket was made. Two lanes with a bucket each would send twice as many."""
    arrivals: list[float] = []
    lock = threading.Lock()

    def stamp(method: str, path: str, headers: dict[str, str], body: bytes) -> Answer | Silence:
        with lock:
            arrivals.append(time.monotonic())
        return decided(method, path, headers, body)

    cases = _Cases()
    with raw_server(stamp) as url:
        started = time.monotonic()  # the bucket is made after this
        run = _fuzz(url, 5, cases, rate_limit=Rate(25, 1.0))
    assert run.errors == []
    assert len(arrivals) > 10
    late = [k for k, at in enumerate(sorted(arrivals)) if at - started < k * 0.04 - 0.001]
    assert late == [], (late, len(arrivals))


@pytest.mark.slow
def test_a_lane_that_dies_is_an_error_of_the_run() -> None:
    def kill_a_lane() -> None:
        multiprocessing.active_children()[0].kill()

    cases = _Cases(at=5, then=kill_a_lane)
    with raw_server(decided) as url:
        run = _fuzz(url, 6, cases)
    assert len(run.errors) == 1
    assert "died (exit code -9)" in run.errors[0]
    assert run.cases > 5  # the other lane went on to the end


@pytest.mark.slow
def test_a_server_gone_in_one_lane_stops_every_lane_with_what_killed_it() -> None:
    served = [0]

    def dies(method: str, path: str, headers: dict[str, str], body: bytes) -> Answer | Silence:
        served[0] += 1
        return Silence.CRASH if served[0] > 60 else decided(method, path, headers, body)

    cases = _Cases()
    started = time.monotonic()
    with raw_server(dies) as url, pytest.raises(ServerDown) as stopped:
        _fuzz(url, 300, cases)
    assert time.monotonic() - started < 120
    assert "did not answer again within 1 s" in str(stopped.value)
    assert multiprocessing.active_children() == []


@pytest.mark.slow
def test_lanes_never_given_the_go_end_with_the_run() -> None:
    """A run that stops before its campaign (--max-failures, a server gone) ends the lanes
    it started, which sent nothing."""
    traffic = Traffic()
    with raw_server(decided, traffic=traffic) as url:
        session = Session(SuiteConfig(base_url=url))
        try:
            with Lanes(session, [1, 1]) as lanes:
                assert lanes.wait_ready(120)  # each waits for the go, which never comes
        finally:
            session.close()
    assert multiprocessing.active_children() == []
    assert traffic.requests == []


@pytest.mark.slow
def test_a_lane_that_died_before_the_go_is_never_ready() -> None:
    session = Session(SuiteConfig(base_url="http://127.0.0.1:9"))
    try:
        with Lanes(session, [1, 1]) as lanes:
            multiprocessing.active_children()[0].kill()
            assert not lanes.wait_ready(120)
    finally:
        session.close()
    assert multiprocessing.active_children() == []


@pytest.mark.slow
def test_a_run_that_leaves_mid_campaign_ends_its_lanes_at_once() -> None:
    """The run leaves while the lanes have cases queued it has not read (a second
    interrupt, an error): what they queued is read and dropped, so they end, not hang."""

    class LeaveError(Exception):
        pass

    started = time.monotonic()

    def slow_then_leave(findings: list[Finding]) -> None:
        time.sleep(0.2)  # the lanes queue faster than this reads
        if time.monotonic() - started > 4:
            raise LeaveError

    def fails(method: str, path: str, headers: dict[str, str], body: bytes) -> Answer:
        return 500, [("content-type", "text/plain")], b"boom"  # a finding each, and a long one

    def campaign(session: Session) -> None:
        with Lanes(session, [2, 2]) as lanes:
            lanes.fuzz(300, on_case=slow_then_leave, say=lambda _line: None,
                       stop=lambda: False)  # fmt: skip

    with raw_server(fails) as url:
        session = Session(SuiteConfig(base_url=url))
        try:
            started = time.monotonic()
            with pytest.raises(LeaveError):
                campaign(session)
            left = time.monotonic()
        finally:
            session.close()
    assert left - started < 4 + 20  # a lane that hung would be killed only after 30 s
    assert multiprocessing.active_children() == []
