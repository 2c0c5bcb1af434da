"""Shared fixtures: real uvicorn servers on loopback ports; Hypothesis profiles."""

from __future__ import annotations

import os
from collections.abc import Iterator

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
    "test_diff.py", "test_example_db.py", "test_examples.py",
)  # fmt: skip


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: place for place, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: else as found


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
