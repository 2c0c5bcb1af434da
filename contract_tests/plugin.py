"""The pytest plugin behind ``pytest --pyargs contract_tests --base-url URL``.

Registered as a ``pytest11`` entry point, so the options exist wherever the kit is
installed: the same as ``honcho-contract run`` (without the reports, which pytest writes
itself with ``--junit-xml``). A flag another plugin already has (``--base-url`` of
pytest-base-url) is shared, not redefined.
"""

from __future__ import annotations

from typing import Any

import pytest

from honcho_spec import KitError

from .cases.golden import FixtureProbe
from .cases.model import Finding, Probe, Severity
from .config import AUTH_MODES, PROFILES, SuiteConfig, rate_flag, resolve_config
from .errors import UsageError
from .run.session import Session
from .wire.outage import ServerDown

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


_WARNINGS: list[Finding] = []


@pytest.fixture(scope="session")
def contract_session(request: pytest.FixtureRequest) -> Any:
    config = contract_config(request.config)
    if config is None:
        pytest.skip(NO_SERVER)
    session = Session(config)
    try:
        session.auth_findings = session.detect_auth()
    except KitError as exc:  # no server there, or none that lets a request through
        session.close()
        pytest.exit(f"honcho-contract: error: {exc}", returncode=2)
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
    _WARNINGS.extend(f for f in distinct if f.severity is Severity.WARNING)
    failures = [f for f in distinct if f.severity is Severity.FAILURE]
    if failures:
        pytest.fail("\n".join(_describe(f) for f in failures), pytrace=False)


def _describe(finding: Finding) -> str:
    text = f"{finding.check} [{finding.status}] at {finding.location}: {finding.message}"
    return text + (f"\n  reproduce: {finding.reproducer}" if finding.reproducer else "")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _WARNINGS:
        return
    terminalreporter.section("honcho-contract warnings")
    seen = set()
    for finding in _WARNINGS:
        if finding.key not in seen:
            seen.add(finding.key)
            terminalreporter.write_line("WARN " + _describe(finding))
