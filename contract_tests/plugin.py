"""The pytest plugin behind ``pytest --pyargs contract_tests --base-url URL``.

Registered as a ``pytest11`` entry point, so the options exist wherever the kit is
installed: the same as ``honcho-contract run`` (without the reports, which pytest writes
itself with ``--junit-xml``). A flag another plugin already has (``--base-url`` of
pytest-base-url) is shared, not redefined.

Under pytest-xdist (``-n 4``) each worker process holds a session of its own and runs the
tests it is given; the controller checks the server once before the workers start, so an
unreachable server is one line there too, and gathers the workers' warnings from their
reports. ``--shard I/N`` keeps runner I's share of N runners' tests (:func:`shard_items`).
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from honcho_spec import KitError

from .cases.golden import FixtureProbe
from .cases.model import Finding, Probe, Severity
from .config import (
    AUTH_MODES,
    PROFILES,
    Shard,
    SuiteConfig,
    example_db_flag,
    rate_flag,
    resolve_config,
    shard_flag,
)
from .errors import UsageError
from .run.session import Session
from .run.shard import keeps_index
from .wire.outage import ServerDown
from .wire.pace import TokenBucket

_OPTIONS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("--base-url", {"metavar": "URL", "help": "the server under test"}),
    ("--token", {"metavar": "T", "help": "sent as 'Authorization: Bearer T'"}),
    ("--workspace-id", {"metavar": "ID", "help": "pin the workspace_id path parameter"}),
    ("--seed", {"type": int, "metavar": "N", "help": "fixed by default"}),
    ("--max-examples", {"type": int, "metavar": "N", "help": "generated cases per phase"}),
    ("--workers", {"type": int, "metavar": "N", "help": "concurrent workers"}),
    ("--max-time", {"type": float, "metavar": "S", "help": "stop generating after S seconds"}),
    (
        "--rate-limit",
        {"type": rate_flag, "metavar": "N/s", "help": "at most N requests a second (or /m, /h)"},
    ),
    (
        "--shard",
        {"type": shard_flag, "metavar": "I/N", "help": "runner I's share of N runners' tests"},
    ),
    (
        "--example-db",
        {
            "type": example_db_flag,
            "metavar": "PATH|redis://HOST:PORT",
            "help": "keep failing cases: every later run sends them first",
        },
    ),
    ("--down-wait", {"type": float, "metavar": "S", "help": "wait for a server gone down (10)"}),
    # pytest has a --strict of its own.
    ("--contract-strict", {"action": "store_true", "default": None, "help": "warnings fail"}),
    ("--profile", {"choices": PROFILES, "help": "contract (default) or honcho"}),
    ("--auth", {"choices": AUTH_MODES, "help": "auth expectations (auto)"}),
    ("--jwt-secret", {"metavar": "S", "help": "the server's JWT secret"}),
    ("--show-secrets", {"action": "store_true", "default": None, "help": "unmasked reproducers"}),
)


def _dest(flag: str) -> str:
    name = flag[2:].replace("-", "_")
    return name if name.startswith("contract_") else "contract_" + name


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("honcho-contract", "trigger_dream contract suite")
    for flag, options in _OPTIONS:
        try:
            group.addoption(flag, dest=_dest(flag), **options)
        except ValueError:  # another plugin (pytest-base-url) has the flag: share its value
            continue


NO_SERVER = (
    "no server to test: pass --base-url URL (or set HONCHO_CONTRACT_BASE_URL) to run the "
    "contract tests"
)


def contract_config(config: pytest.Config) -> SuiteConfig | None:
    """The run's config; ``None`` when no server is named (the contract tests then skip);
    a bad option is pytest's usage error, one line."""
    flags = {
        _dest(flag).removeprefix("contract_"): config.getoption(_dest(flag), default=None)
        for flag, _ in _OPTIONS
    }
    if flags["base_url"] is None:
        flags["base_url"] = config.getoption("base_url", default=None)
    try:
        return resolve_config(flags)
    except UsageError as exc:
        if "no server to test" in exc.what:
            return None
        raise pytest.UsageError(f"honcho-contract: {exc}") from None


def pytest_configure(config: pytest.Config) -> None:
    contract_config(config)  # a bad option: one line from pytest, before any collection


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    # An xdist controller runs no test: a worker's pytest.exit would reach it as a crash.
    if not session.config.pluginmanager.has_plugin("dsession"):
        return
    config = contract_config(session.config)
    if config is not None:
        _open_session(config).close()


# --rate-limit under pytest-xdist: one bucket for every worker, in a file the controller
# makes and hands to each worker it starts (see TokenBucket.in_file).
_PACE_FILE = "honcho_contract_pace_file"
_pace_file = pytest.StashKey[Path]()


@pytest.hookimpl(optionalhook=True)  # pytest-xdist's, on the controller, for each worker
def pytest_configure_node(node: Any) -> None:
    config = contract_config(node.config)
    if config is None or config.rate_limit is None or sys.platform == "win32":
        return
    stash = node.config.stash
    if _pace_file not in stash:
        handle, name = tempfile.mkstemp(prefix="honcho-contract-pace-")
        os.close(handle)
        stash[_pace_file] = Path(name)
    node.workerinput[_PACE_FILE] = str(stash[_pace_file])


def pytest_unconfigure(config: pytest.Config) -> None:
    if _pace_file in config.stash:
        config.stash[_pace_file].unlink(missing_ok=True)


def _worker_pace(pytest_config: pytest.Config, config: SuiteConfig) -> TokenBucket | None:
    """The bucket every xdist worker shares, if this is one and the run has a rate limit."""
    shared = getattr(pytest_config, "workerinput", {}).get(_PACE_FILE)
    if shared is None or config.rate_limit is None:
        return None
    return TokenBucket.in_file(config.rate_limit.interval, Path(shared))


def _open_session(config: SuiteConfig, pace: TokenBucket | None = None) -> Session:
    """A session that has sent its first request; no server that lets a request through
    ends pytest with one line."""
    session = Session(config, pace=pace)
    try:
        session.auth_findings = session.detect_auth()
    except KitError as exc:  # no server there, or none that lets a request through
        session.close()
        pytest.exit(f"honcho-contract: error: {exc}", returncode=2)
    return session


# The tests --shard shares out, by their place in each group: the first request's verdict
# is runner 1's to report, as in ``run --shard``.
_SHARED = {
    "test_auth_expectations": "auth",
    "test_hostile_probe": "probes",
    "test_token": "probes",
    "test_golden_case": "golden",
}


@pytest.hookimpl(tryfirst=True)  # before -k and -m: positions do not depend on them
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    suite = contract_config(config)
    if suite is None or suite.shard is None:
        return
    kept = shard_items(suite.shard, items)
    kept_ids = {id(item) for item in kept}
    dropped = [item for item in items if id(item) not in kept_ids]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def shard_items(shard: Shard, items: list[pytest.Item]) -> list[pytest.Item]:
    """This runner's share of the contract tests: the probes (hostile, then tokens) and the
    golden cases by their place in the collection, each to one runner, as ``run --shard``
    shares them; the generated-cases test runs on every runner, sending the cases whose
    hash is this runner's, and any other test is kept."""
    seen: Counter[str] = Counter()
    kept = []
    for item in items:
        module = getattr(getattr(item, "module", None), "__name__", "")
        group = _SHARED.get(getattr(item, "originalname", "")) if module == _TESTS else None
        if group is None or keeps_index(shard, seen[group]):
            kept.append(item)
        if group is not None:
            seen[group] += 1
    return kept


_TESTS = f"{__package__}.test_contract"


@pytest.fixture(scope="session")
def contract_session(request: pytest.FixtureRequest) -> Any:
    config = contract_config(request.config)
    if config is None:
        pytest.skip(NO_SERVER)
    session = _open_session(config, _worker_pace(request.config, config))
    yield session
    session.close()


_STOPPED: list[Finding] = []  # the server_down that ended the run, once it is gone


def check_probe(session: Session, probe: Probe, fixture: FixtureProbe | None = None) -> None:
    """Send ``probe`` and report its findings; a server gone for good fails this test with
    ``server_down`` and skips the tests after it."""
    skip_if_stopped()
    try:
        findings = session.check(probe, fixture)
    except ServerDown as exc:
        findings = [stopped(session, exc)]
    report_findings(findings)


def skip_if_stopped() -> None:
    if _STOPPED:
        pytest.skip(f"the server stopped answering at {_STOPPED[0].location}: see server_down")


def stopped(session: Session, exc: ServerDown) -> Finding:
    """The ``server_down`` finding of ``exc``; the tests after this one skip."""
    finding = exc.outage.finding(session.curl)
    _STOPPED.append(finding)
    return finding


def report_findings(findings: list[Finding]) -> None:
    """Fail with every distinct failure; keep warnings for the terminal summary."""
    distinct = list({finding.key: finding for finding in reversed(findings)}.values())[::-1]
    _PENDING.extend(f for f in distinct if f.severity is Severity.WARNING)
    failures = [f for f in distinct if f.severity is Severity.FAILURE]
    if failures:
        pytest.fail("\n".join(_describe(f) for f in failures), pytrace=False)


def _describe(finding: Finding) -> str:
    text = f"{finding.check} [{finding.status}] at {finding.location}: {finding.message}"
    return text + (f"\n  reproduce: {finding.reproducer}" if finding.reproducer else "")


# Warnings go with the report of the test that found them, as an attribute pytest-xdist
# carries from a worker to the controller (it serializes a report's attributes).
_PENDING: list[Finding] = []  # found by the test running in this process
_WARNINGS: dict[tuple[Any, ...], str] = {}  # every test's, the first of each key


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if _PENDING:
        report.honcho_contract_warnings = [[*f.key, _describe(f)] for f in _PENDING]
        _PENDING.clear()
    return report


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    for *key, text in getattr(report, "honcho_contract_warnings", ()):
        _WARNINGS.setdefault(tuple(key), text)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _WARNINGS:
        return
    terminalreporter.section("honcho-contract warnings")
    for warning in _WARNINGS.values():
        terminalreporter.write_line("WARN " + warning)
