"""The golden cases in fixtures/, as probes with what the contract expects of them.

A golden 204 must be a 204 and a golden 422 a 422 whose items name the same places
(:mod:`contract_tests.checks.fixtures`). Golden answers outside the contract (routing's
307/404/405, FastAPI's 400) only have to avoid a 5xx. Cases that need the server's JWT
secret run only when it is given.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from honcho_spec import GoldenCase, load_golden_cases

from .model import Expect, Probe

__all__ = ["FixtureProbe", "fixture_probe", "fixture_probes"]

_GOLDEN_WORKSPACE = "/workspaces/ws-1/"


@dataclass(frozen=True)
class FixtureProbe:
    probe: Probe
    locs: frozenset[tuple[object, ...]]


def fixture_probes(
    *,
    workspace_id: str | None,
    auth_headers: tuple[tuple[str, str], ...],
    jwt_secret: str | None,
    auth_enforced: bool,
) -> Iterator[FixtureProbe]:
    """Each golden case as a probe; auth cases only against a server that enforces auth."""
    for case in load_golden_cases():
        probe = fixture_probe(case, workspace_id, auth_headers, jwt_secret, auth_enforced)
        if probe is not None:
            yield probe


def fixture_probe(
    case: GoldenCase,
    workspace_id: str | None,
    auth_headers: tuple[tuple[str, str], ...],
    jwt_secret: str | None,
    auth_enforced: bool,
) -> FixtureProbe | None:
    """``case`` as a probe, or ``None`` when it needs auth the run cannot give it."""
    if case.settings.get("auth_jwt_secret") and not (jwt_secret and auth_enforced):
        return None
    return _fixture(case, workspace_id, auth_headers, jwt_secret)


def _fixture(
    case: GoldenCase,
    workspace_id: str | None,
    auth_headers: tuple[tuple[str, str], ...],
    jwt_secret: str | None,
) -> FixtureProbe:
    path = case.path
    if workspace_id is not None:
        path = path.replace(_GOLDEN_WORKSPACE, f"/workspaces/{workspace_id}/")
    if case.settings.get("auth_jwt_secret"):
        token = case.token
        headers = dict(_retargeted(case, jwt_secret or "") if token else case.headers)
        credentials = case.status != 401
    else:
        headers = {**case.headers, **dict(auth_headers)}
        credentials = bool(auth_headers)
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
    return FixtureProbe(probe, locs)


def _retargeted(case: GoldenCase, secret: str) -> dict[str, str]:
    # The golden token was minted with the golden secret; mint it with the server's.
    token = dict(case.token or {})
    if "secret" not in token:
        token["secret"] = secret
    retargeted = GoldenCase(**{**case.__dict__, "token": token})
    return retargeted.request_headers()
