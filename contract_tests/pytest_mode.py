"""What the contract tests do under pytest: open the session, send a probe, report what it
found as a failed test (failures) or a line of the terminal summary (warnings).

``--contract-max-time`` bounds a process's contract tests as ``--max-time`` bounds a run:
from this process's first request, no test sends one past it (the test in flight ends
within ``--contract-timeout``, the generated cases at their next case), and the tests left
skip, saying so.

Imported by :mod:`contract_tests.test_contract` and, on an xdist controller, by the plugin
once the contract tests are collected: never by a run of another suite.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from honcho_spec import KitError

from .cases.golden import FixtureProbe
from .cases.model import Finding, Probe, Severity
from .config import SuiteConfig
from .plugin import keep_warnings, worker_pace_file
from .run.session import Session
from .untrusted import lines
from .wire.outage import ServerDown
from .wire.pace import TokenBucket
from .wire.reproduce import write_bodies

__all__ = [
    "check_probe",
    "open_session",
    "out_of_time",
    "report_findings",
    "session_for",
    "skip_if_stopped",
    "stopped",
]


def open_session(config: SuiteConfig, pace: TokenBucket | None = None) -> Session:
    """A session that has sent its first request; no server that lets a request through
    ends pytest with one line."""
    session = Session(config, pace=pace)
    try:
        session.auth_findings = session.detect_auth()
    except KitError as exc:  # no server there, or none that lets a request through
        session.close()
        pytest.exit(f"honcho-contract: error: {exc}", returncode=2)
    return session


def session_for(pytest_config: pytest.Config, config: SuiteConfig) -> Session:
    """This process's session, its ``--contract-max-time`` counted from now; an xdist
    worker's shares the workers' rate-limit bucket."""
    shared = worker_pace_file(pytest_config)
    pace = None
    if shared is not None and config.rate_limit is not None:
        pace = TokenBucket.in_file(config.rate_limit.interval, shared)
    if config.max_time is not None:
        _DEADLINE[:] = [time.monotonic() + config.max_time, config.max_time]
    return open_session(config, pace)


_STOPPED: list[Finding] = []  # the server_down that ended the run, once it is gone
_DEADLINE: list[float] = []  # when --contract-max-time is up, and its seconds


def check_probe(session: Session, probe: Probe, fixture: FixtureProbe | None = None) -> None:
    """Send ``probe`` and report its findings; a server gone for good fails this test with
    ``server_down`` and skips the tests after it."""
    skip_if_stopped()
    try:
        findings = session.check(probe, fixture)
    except ServerDown as exc:
        findings = [stopped(session, exc)]
    report_findings(findings, session.config.reproducers_dir)


def skip_if_stopped() -> None:
    if _STOPPED:
        pytest.skip(f"the server stopped answering at {_STOPPED[0].location}: see server_down")
    if out_of_time():
        pytest.skip(f"--contract-max-time {_DEADLINE[1]:g} s reached: no request sent past it")


def out_of_time() -> bool:
    """Whether ``--contract-max-time`` is up: no request is sent past it."""
    return bool(_DEADLINE) and time.monotonic() >= _DEADLINE[0]


def stopped(session: Session, exc: ServerDown) -> Finding:
    """The ``server_down`` finding of ``exc``; the tests after this one skip."""
    finding = exc.outage.finding(session.curl)
    _STOPPED.append(finding)
    return finding


def report_findings(findings: list[Finding], bodies: Path | None = None) -> None:
    """Fail with every distinct failure; keep warnings for the terminal summary; the long
    bodies their reproducers send are written in ``bodies``."""
    distinct = list({finding.key: finding for finding in reversed(findings)}.values())[::-1]
    if bodies is not None:
        write_bodies(bodies, (body for finding in distinct for body in finding.bodies))
    # a warning's cause once in the summary, however many tests showed it (as run reports it)
    keep_warnings([(f.cause_key, _describe(f)) for f in distinct
                   if f.severity is Severity.WARNING])  # fmt: skip
    failures = [f for f in distinct if f.severity is Severity.FAILURE]
    if failures:
        pytest.fail("\n".join(_describe(f) for f in failures), pytrace=False)


def _describe(finding: Finding) -> str:
    """The finding in lines of its own, the server's bytes in them escaped (pytest prints
    a failure's text as it is)."""
    rows = [f"{finding.check} [{finding.status}] at {finding.location}: {finding.message}"]
    if finding.reproducer:
        rows.append(f"  reproduce: {finding.reproducer}")
    return lines(rows)
