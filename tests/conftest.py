"""Shared fixtures: real uvicorn servers on loopback ports; Hypothesis profiles."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from mock_server import BackgroundServer, MockSettings

settings.register_profile(
    "dev", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "ci",
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile(
    "deep", max_examples=3000, deadline=None, suppress_health_check=list(HealthCheck)
)
# ``HYPOTHESIS_PROFILE=deep pytest`` explores harder; tox sets ``ci``.
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
print(f"hypothesis profile: {settings.get_current_profile_name()}")

# Under ``pytest -n N --dist loadfile`` (tox) each module runs whole on one worker, in the
# order collected: the longest go first, so that none is left running alone at the end.
LONGEST_FIRST = (
    "test_stacks.py", "test_contract_suite.py", "test_gallery.py", "test_prism.py",
    "test_readme.py", "test_packaging.py", "test_pytest_scaling.py", "test_campaign.py",
    "test_hostile_answers.py", "test_diff.py", "test_example_db.py", "test_examples.py",
)  # fmt: skip


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: place for place, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: else as found


# The suite leaves the checkout as it found it: a test that runs the kit in the checkout
# writes its reports and reproducer bodies there (a honcho-contract-reproducers/ folder
# appeared twice). What git does not track, ignored files too, is compared before and after,
# once, in the process that runs the session (an xdist controller, or pytest alone), but
# for what running Python code makes (bytecode) and Hypothesis's own folder (the dev
# profile's example database).
CHECKOUT = Path(__file__).resolve().parent.parent
_EXPECTED = ("__pycache__/", ".hypothesis/")
_untracked_before = pytest.StashKey[set[str] | None]()


def _untracked() -> set[str] | None:
    """Paths git does not track in the checkout (a folder once), and the top-level entries
    (git shows no empty folder); None outside a git checkout."""
    try:
        done = subprocess.run(
            ["git", "status", "--porcelain", "--ignored", "--untracked-files=normal"],
            cwd=CHECKOUT, capture_output=True, text=True, check=True, timeout=60,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    lines = [line[3:] for line in done.stdout.splitlines() if line[:2] in ("??", "!!")]
    top = [f"{entry.name}/" if entry.is_dir() else entry.name for entry in CHECKOUT.iterdir()]
    return {path for path in (*lines, *top) if not path.endswith(_EXPECTED)}


def pytest_sessionstart(session: pytest.Session) -> None:
    if not hasattr(session.config, "workerinput"):
        session.config.stash[_untracked_before] = _untracked()


def pytest_sessionfinish(session: pytest.Session) -> None:
    before = session.config.stash.get(_untracked_before, None)
    after = _untracked() if before is not None else None
    if before is None or after is None or after <= before:
        return
    left = ", ".join(sorted(after - before))
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(f"ERROR: the tests left files in the checkout: {left}", red=True)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED


JWT_SECRET = "kit-test-secret"
# The 422 item FastAPI writes for dream_type "sleep", as the real server answers it.
ENUM_ERROR = {
    "type": "enum",
    "loc": ["body", "dream_type"],
    "msg": "Input should be 'consolidate' or 'agent'",
    "input": "sleep",
    "ctx": {"expected": "'consolidate' or 'agent'"},
}


@pytest.fixture(scope="session")
def mock_url() -> Iterator[str]:
    """The mock on its embedded document, auth off, on a free loopback port."""
    with BackgroundServer(MockSettings(port=0, log_level="warning")) as server:
        yield server.url


@pytest.fixture(scope="session")
def auth_mock_url() -> Iterator[str]:
    """The mock with auth on (``--auth-jwt-secret JWT_SECRET``)."""
    settings_ = MockSettings(port=0, log_level="warning", auth_jwt_secret=JWT_SECRET)
    with BackgroundServer(settings_) as server:
        yield server.url
