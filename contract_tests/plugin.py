"""The pytest plugin behind ``pytest --pyargs contract_tests --base-url URL``.

Registered as a ``pytest11`` entry point, it is loaded by every pytest run in the
environment where the kit is installed, so it stays out of the way of other suites:

- ``--base-url`` is pytest-base-url's (a dependency: the ecosystem's flag, which
  pytest-playwright's users pass for their own app); every other flag of the kit is prefixed
  (``--contract-seed``, ``--contract-profile``, ...), the same as ``honcho-contract run``'s
  without the reports, which pytest writes itself with ``--junit-xml``;
- importing it imports pytest alone; the options and ``HONCHO_CONTRACT_*`` are read, and a
  server is contacted, only when the contract tests (:mod:`contract_tests.test_contract`)
  are collected. Another suite, whatever its ``--base-url``, never meets the kit.

Under pytest-xdist (``-n 4``) each worker process holds a session of its own and runs the
tests it is given; the controller checks the server once the workers have collected the
contract tests and before any runs, so an unreachable server is one line there too, and
gathers the workers' warnings from their reports. ``--contract-shard I/N`` keeps runner I's
share of N runners' tests (:func:`shard_items`).
"""

from __future__ import annotations

import os
import sys
import tempfile
import uuid
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .config import Shard, SuiteConfig

__all__ = ["NO_SERVER", "contract_config", "keep_warnings", "options", "shard_items"]

# (flag, the SuiteConfig field it sets, argparse's keywords); types are checked when the
# contract tests are collected (:func:`contract_config`), so a bad value costs other suites
# nothing.
_OPTIONS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("--contract-token", "token", {"metavar": "T", "help": "sent as 'Authorization: Bearer T'"}),
    ("--contract-header", "headers",
     {"metavar": "'NAME: VALUE'", "action": "append", "help": "sent with every request; "
      "repeatable"}),
    ("--contract-workspace-id", "workspace_id",
     {"metavar": "ID", "help": "pin the workspace_id path parameter"}),
    ("--contract-seed", "seed", {"metavar": "N", "help": "fixed by default"}),
    ("--contract-max-examples", "max_examples",
     {"metavar": "N", "help": "generated cases per phase"}),
    ("--contract-workers", "workers", {"metavar": "N", "help": "concurrent workers"}),
    ("--contract-max-time", "max_time",
     {"metavar": "S", "help": "send no request after S seconds; the tests left skip"}),
    ("--contract-rate-limit", "rate_limit",
     {"metavar": "N/s", "help": "at most N requests a second (or /m, /h)"}),
    ("--contract-shard", "shard",
     {"metavar": "I/N", "help": "runner I's share of N runners' tests"}),
    ("--contract-example-db", "example_db",
     {"metavar": "PATH|redis://HOST:PORT",
      "help": "keep failing cases: every later run sends them first"}),
    ("--contract-timeout", "timeout",
     {"metavar": "S", "help": "seconds for each whole answer (10)"}),
    ("--contract-max-answer-size", "max_answer_size",
     {"metavar": "SIZE", "help": "read at most SIZE of each answer (8MiB)"}),
    ("--contract-down-wait", "down_wait",
     {"metavar": "S", "help": "wait for a server gone down (10)"}),
    ("--contract-tls-verify", "tls_verify",
     {"metavar": "true|false|CA.pem", "help": "check the server's certificate, or not"}),
    ("--contract-cert", "cert", {"metavar": "PATH", "help": "a client certificate (PEM)"}),
    ("--contract-key", "key", {"metavar": "PATH", "help": "the client certificate's key"}),
    ("--contract-strict", "strict",
     {"action": "store_true", "default": None, "help": "warnings fail"}),
    ("--contract-profile", "profile", {"metavar": "NAME", "help": "contract (default) or honcho"}),
    ("--contract-checks", "checks",
     {"metavar": "NAMES", "help": "report only these checks (comma-separated)"}),
    ("--contract-exclude-checks", "exclude_checks",
     {"metavar": "NAMES", "help": "report none of these checks"}),
    ("--contract-auth", "auth", {"metavar": "MODE", "help": "auth expectations: auto (default), "
                                 "required or off"}),
    ("--contract-jwt-secret", "jwt_secret", {"metavar": "S", "help": "the server's JWT secret"}),
    ("--contract-show-secrets", "show_secrets",
     {"action": "store_true", "default": None, "help": "unmasked reproducers"}),
)  # fmt: skip


def options() -> tuple[tuple[str, str, str, str], ...]:
    """Each flag the plugin adds: the config field it sets, its metavar ("" for a switch)
    and its help (the documentation's reference is made from them)."""
    return tuple((flag, name, keywords.get("metavar", ""), keywords["help"])
                 for flag, name, keywords in _OPTIONS)  # fmt: skip


def _dest(flag: str) -> str:
    return flag[2:].replace("-", "_")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("honcho-contract", "trigger_dream contract suite (--base-url URL)")
    for flag, _, options in _OPTIONS:
        group.addoption(flag, dest=_dest(flag), **options)


NO_SERVER = (
    "no server to test: pass --base-url URL (or set HONCHO_CONTRACT_BASE_URL) to run the "
    "contract tests"
)

_config = pytest.StashKey["SuiteConfig | None"]()


def contract_config(config: pytest.Config) -> SuiteConfig | None:
    """The run's config from the flags, then ``HONCHO_CONTRACT_*``; ``None`` when no server
    is named (the contract tests then skip). A bad value is pytest's usage error, one line,
    which pytest shows as ``ERROR: honcho-contract: ...``. Read once per process, and only
    by the contract tests and the hooks that serve them."""
    if _config in config.stash:
        return config.stash[_config]
    from .config import resolve_config  # noqa: PLC0415 - other suites never pay for it
    from .errors import UsageError  # noqa: PLC0415

    try:
        flags = {name: _typed(name, flag, config.getoption(_dest(flag), default=None))
                 for flag, name, _ in _OPTIONS}  # fmt: skip
        # pytest-base-url's (its ini value too); "" when neither is given
        flags["base_url"] = config.getoption("base_url", default=None) or None
        resolved = resolve_config(flags)
    except UsageError as exc:
        if "no server to test" not in exc.what:
            raise pytest.UsageError(f"honcho-contract: {exc}") from None
        resolved = None
    config.stash[_config] = resolved
    return resolved


def _typed(name: str, flag: str, value: Any) -> Any:
    """A flag's text as ``resolve_config`` takes it, checked as its environment variable
    would be (``--contract-seed 'x' is not a number``)."""
    if value is None or isinstance(value, bool):
        return value
    from .config import convert_flag  # noqa: PLC0415

    if isinstance(value, list):  # a repeatable flag's values (--contract-header), each checked
        return tuple(item for text in value for item in convert_flag(name, flag, str(text)))
    return convert_flag(name, flag, str(value))


_TESTS_MODULE = f"{__package__}.test_contract"
# The contract tests' names, as an xdist controller sees them in node ids (it imports no test
# module): ``test_contract.py::test_golden_case[...]``, the path relative to where pytest
# found the package, which under --pyargs is not the rootdir.
_TEST_NAMES = frozenset({"test_auth_expectations", "test_hostile_probe", "test_token",
                         "test_golden_case", "test_generated_cases"})  # fmt: skip


def _names_contract_test(nodeid: str) -> bool:
    path, _, name = nodeid.partition("::")
    return path.endswith("test_contract.py") and name.split("[", 1)[0] in _TEST_NAMES


def _is_contract_test(item: pytest.Item) -> bool:
    return getattr(getattr(item, "module", None), "__name__", "") == _TESTS_MODULE


@pytest.hookimpl(tryfirst=True)  # before -k and -m: positions do not depend on them
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not any(_is_contract_test(item) for item in items):
        return
    suite = contract_config(config)  # a bad option ends the run here, before any test
    if suite is None or suite.shard is None:
        return
    kept = shard_items(suite.shard, items)
    kept_ids = {id(item) for item in kept}
    dropped = [item for item in items if id(item) not in kept_ids]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


_checked = pytest.StashKey[bool]()


@pytest.hookimpl(optionalhook=True)  # pytest-xdist's, on the controller, for each worker
def pytest_xdist_node_collection_finished(node: Any, ids: list[str]) -> None:
    """Once a worker has collected the contract tests, and before any of them runs: the
    server is checked here, so that an unreachable one is one line, not a crash per worker."""
    config = node.config
    if config.stash.get(_checked, False) or not any(_names_contract_test(i) for i in ids):
        return
    config.stash[_checked] = True
    suite = contract_config(config)
    if suite is not None:
        from .pytest_mode import open_session  # noqa: PLC0415

        open_session(suite).close()


# --contract-rate-limit under pytest-xdist: one bucket for every worker, in a file whose
# name the controller hands each worker it starts (a worker that needs it creates it: see
# TokenBucket.in_file); the controller removes it at the end.
_PACE_FILE = "honcho_contract_pace_file"
_pace_file = pytest.StashKey[Path]()


@pytest.hookimpl(optionalhook=True)  # pytest-xdist's, on the controller, for each worker
def pytest_configure_node(node: Any) -> None:
    if sys.platform == "win32":
        return
    stash = node.config.stash
    if _pace_file not in stash:
        name = f"honcho-contract-pace-{os.getpid()}-{uuid.uuid4().hex[:12]}"
        stash[_pace_file] = Path(tempfile.gettempdir()) / name
    node.workerinput[_PACE_FILE] = str(stash[_pace_file])


def pytest_unconfigure(config: pytest.Config) -> None:
    if _pace_file in config.stash:
        config.stash[_pace_file].unlink(missing_ok=True)


def worker_pace_file(config: pytest.Config) -> Path | None:
    """The file every xdist worker's bucket shares, if this process is a worker."""
    shared = getattr(config, "workerinput", {}).get(_PACE_FILE)
    return Path(shared) if shared is not None else None


# The tests --contract-shard shares out, by their place in each group: the first request's
# verdict is runner 1's to report, as in ``run --shard``.
_SHARED = {
    "test_auth_expectations": "auth",
    "test_hostile_probe": "probes",
    "test_token": "probes",
    "test_golden_case": "golden",
}


def shard_items(shard: Shard, items: list[pytest.Item]) -> list[pytest.Item]:
    """This runner's share of the contract tests: the probes (hostile, then tokens) and the
    golden cases by their place in the collection, each to one runner, as ``run --shard``
    shares them; the generated-cases test runs on every runner, sending the cases whose
    hash is this runner's, and any other test is kept."""
    from .run.shard import keeps_index  # noqa: PLC0415

    seen: Counter[str] = Counter()
    kept = []
    for item in items:
        shared = _is_contract_test(item)
        group = _SHARED.get(getattr(item, "originalname", "")) if shared else None
        if group is None or keeps_index(shard, seen[group]):
            kept.append(item)
        if group is not None:
            seen[group] += 1
    return kept


# Warnings go with the report of the test that found them, as an attribute pytest-xdist
# carries from a worker to the controller (it serializes a report's attributes).
_PENDING: list[list[Any]] = []  # [*key, text] of what the test running in this process found
_WARNINGS: dict[tuple[Any, ...], str] = {}  # every test's, the first of each key


def keep_warnings(warnings: list[tuple[tuple[Any, ...], str]]) -> None:
    """Warnings (key, text) of the running test, for the terminal summary."""
    _PENDING.extend([*key, text] for key, text in warnings)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if _PENDING:
        report.honcho_contract_warnings = list(_PENDING)
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
