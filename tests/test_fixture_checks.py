"""A golden 422 beside the answer a server gives it (``fixture_locations``), through a
session's own check of each golden case, against servers on loopback."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from contract_tests.config import SuiteConfig
from contract_tests.run.session import Session

from gallery import decided
from raw_server import raw_server

OBSERVER, DREAM_TYPE = b'"loc":["body","observer"]', b'"loc":["body","dream_type"]'


def blames_the_other_field(method: str, path: str, headers: dict[str, str], body: bytes) -> Any:
    """The mock's decision, with each 422 item on observer or dream_type moved to the other
    (both declared fields: only the golden cases tell this from a faithful answer)."""
    status, out, answer = decided(method, path, headers, body)
    if status == 422:
        answer = answer.replace(OBSERVER, b"\0").replace(DREAM_TYPE, OBSERVER)
        answer = answer.replace(b"\0", DREAM_TYPE)
        out = [(k, str(len(answer)) if k == "content-length" else v) for k, v in out]
    return status, out, answer


def one_error_at_a_time(method: str, path: str, headers: dict[str, str], body: bytes) -> Any:
    """The mock's decision, with only the first item of each 422: the contract allows it,
    Honcho answers every item."""
    status, out, answer = decided(method, path, headers, body)
    if status == 422:
        detail = json.loads(answer)["detail"]
        answer = json.dumps({"detail": detail[:1]}, separators=(",", ":")).encode()
        out = [(k, str(len(answer)) if k == "content-length" else v) for k, v in out]
    return status, out, answer


Locs = frozenset[tuple[object, ...]]


def _several(locs: Locs, profile: str) -> bool:
    return profile == "honcho" and len(locs) > 1


def _changed_by_the_swap(locs: Locs, _profile: str) -> bool:
    """The golden places differ once observer and dream_type trade places (a case naming
    both keeps its places)."""
    other = {"observer": "dream_type", "dream_type": "observer"}
    swapped = {(*loc[:1], other.get(str(loc[1]), loc[1]), *loc[2:]) if len(loc) > 1 else loc
               for loc in locs}  # fmt: skip
    return swapped != set(locs)


@contextmanager
def _session(handler: Callable[..., Any], profile: str) -> Iterator[Session]:
    with raw_server(handler) as url:
        session = Session(SuiteConfig(base_url=url, profile=profile, timeout=5))
        try:
            yield session
        finally:
            session.close()


@pytest.mark.parametrize("profile", ["contract", "honcho"])
@pytest.mark.parametrize(
    ("handler", "flags"),
    [
        pytest.param(decided, lambda _locs, _profile: False, id="faithful"),
        pytest.param(blames_the_other_field, _changed_by_the_swap, id="blames-the-other-field"),
        pytest.param(one_error_at_a_time, _several, id="one-error-at-a-time"),
    ],
)
def test_fixture_locations(
    handler: Callable[..., Any], flags: Callable[[Locs, str], bool], profile: str
) -> None:
    with _session(handler, profile) as session:
        fixtures = session.fixtures()
        flagged = {
            fixture.case.name
            for fixture in fixtures
            for finding in session.check(fixture.probe, fixture)
            if finding.check == "fixture_locations"
        }
    assert flagged == {f.case.name for f in fixtures if flags(f.locs, profile)}
