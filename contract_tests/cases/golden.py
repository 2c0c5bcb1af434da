"""The golden cases in fixtures/, as probes with what the contract expects of them.

A golden 204 must be a 204 and a golden 422 a 422 whose items name the same places
(:mod:`contract_tests.checks.fixtures`). Golden answers outside the contract (routing's
307/404/405, FastAPI's 400) only have to avoid a 5xx. Cases that need the server's JWT
secret run only when it is given.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from honcho_spec import GoldenCase, load_golden_cases

from .model import Expect, Probe

__all__ = ["FixtureProbe", "Replay", "fixture_probe", "fixture_probes"]

_GOLDEN_WORKSPACE = "ws-1"


@dataclass(frozen=True)
class FixtureProbe:
    probe: Probe
    locs: frozenset[tuple[object, ...]]
    case: GoldenCase
    expected_headers: Mapping[str, str]  # the case's, moved to the run's workspace


@dataclass(frozen=True)
class Replay:
    """How one run replays the golden cases."""

    workspace_id: str | None = None  # moves the cases' paths and their tokens' ``w`` claim
    auth_headers: tuple[tuple[str, str], ...] = ()
    jwt_secret: str | None = None
    auth_enforced: bool = False
    profile: str = "contract"


def fixture_probes(replay: Replay) -> Iterator[FixtureProbe]:
    """Each golden case of the run's profile as a probe; auth cases only against a server
    that enforces auth, when its secret is given."""
    for case in load_golden_cases():
        probe = fixture_probe(case, replay)
        if probe is not None:
            yield probe


def fixture_probe(case: GoldenCase, replay: Replay) -> FixtureProbe | None:
    """``case`` as a probe, or ``None`` when the run's profile or auth cannot take it."""
    if case.profile == "honcho" and replay.profile != "honcho":
        return None
    if case.settings.get("auth_jwt_secret") and not (replay.jwt_secret and replay.auth_enforced):
        return None
    return _fixture(case, replay)


def _fixture(case: GoldenCase, replay: Replay) -> FixtureProbe:
    path = _moved(case.path, replay)
    expected_headers = {
        name: _moved(value, replay) for name, value in case.expected_headers.items()
    }
    if case.settings.get("auth_jwt_secret"):
        token = case.token
        headers = dict(_retargeted(case, replay) if token else case.headers)
        credentials = case.status != 401
    else:
        headers = {**case.headers, **dict(replay.auth_headers)}
        credentials = bool(replay.auth_headers)
    expect = {204: Expect.ACCEPT, 422: Expect.REJECT}.get(case.status, Expect.ANY)
    if case.status == 401:
        expect = Expect.REFUSE
    locs: frozenset[tuple[object, ...]] = frozenset()
    if case.status == 422:
        locs = frozenset(tuple(item["loc"]) for item in json.loads(case.expected_body)["detail"])
    probe = Probe(
        name=f"fixture {case.name}",
        location=f"fixture: {case.name}",
        method=case.method,
        path=path,
        body=case.body,
        headers=tuple(headers.items()),
        expect=expect,
        credentials=credentials,
    )
    return FixtureProbe(probe, locs, case, expected_headers)


def _moved(text: str, replay: Replay) -> str:
    if replay.workspace_id is None:
        return text
    return text.replace(f"/workspaces/{_GOLDEN_WORKSPACE}/", f"/workspaces/{replay.workspace_id}/")


def _retargeted(case: GoldenCase, replay: Replay) -> dict[str, str]:
    # The golden token was minted with the golden secret for the golden workspace; mint it
    # with the server's secret, for the workspace the run's paths go to.
    token = dict(case.token or {})
    if "secret" not in token:
        token["secret"] = replay.jwt_secret or ""
    claims = dict(token.get("claims") or {})
    if replay.workspace_id is not None and claims.get("w") == _GOLDEN_WORKSPACE:
        claims["w"] = replay.workspace_id
    token["claims"] = claims
    retargeted = GoldenCase(**{**case.__dict__, "token": token})
    return retargeted.request_headers()
