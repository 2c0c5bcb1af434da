"""Honcho's auth rules: every 401 reason and every accepting claim, table-driven."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from honcho_spec import mint_token
from mock_server.answer.auth import EXPIRED, INVALID_JWT, NO_TOKEN, NOT_PERMITTED, BearerVerifier

from conftest import JWT_SECRET

WS = "ws-1"


def bearer(claims: dict[str, Any], *, secret: str = JWT_SECRET, algorithm: str = "HS256") -> str:
    return f"Bearer {mint_token(secret, claims, algorithm=algorithm)}"


HEADERS = [
    pytest.param(None, NO_TOKEN, id="no-header"),
    pytest.param("", NO_TOKEN, id="empty-header"),
    pytest.param("Bearer", NO_TOKEN, id="scheme-only"),
    pytest.param("Bearer ", NO_TOKEN, id="scheme-and-space"),
    pytest.param("Basic YWxpY2U6cHc=", NO_TOKEN, id="basic-scheme"),
    pytest.param("Token abc", NO_TOKEN, id="other-scheme"),
    pytest.param("Bearer garbage", INVALID_JWT, id="garbage"),
    pytest.param("Bearer a.b.c", INVALID_JWT, id="three-garbage-parts"),
    pytest.param(bearer({"ad": True}, secret="another"), INVALID_JWT, id="wrong-secret"),
    pytest.param(bearer({"ad": True}, algorithm="none"), INVALID_JWT, id="alg-none"),
    pytest.param(bearer({"ad": True}, algorithm="HS512"), INVALID_JWT, id="hs512"),
    pytest.param(bearer({"ad": True}, algorithm="HS384"), INVALID_JWT, id="hs384"),
    pytest.param(bearer({"ad": True, "exp": 946684800}), INVALID_JWT, id="expired"),
    pytest.param(bearer({"ad": True, "exp": "2099-01-01"}), INVALID_JWT, id="string-exp"),
    pytest.param(bearer({"ad": True, "nbf": time.time() + 3600}), INVALID_JWT, id="not-yet"),
    pytest.param(bearer({"ad": True, "exp": "1999010111200"}), EXPIRED, id="exp-past-iso-date"),
    pytest.param(bearer({"ad": True, "exp": "2999010111200"}), None, id="exp-future-iso-date"),
    pytest.param(bearer({"w": "ws-2"}), NOT_PERMITTED, id="other-workspace"),
    pytest.param(bearer({"w": 1}), NOT_PERMITTED, id="workspace-not-a-string"),
    pytest.param(bearer({"ad": False, "w": "ws-2"}), NOT_PERMITTED, id="admin-false"),
    pytest.param(bearer({"t": ""}), NOT_PERMITTED, id="no-scope"),
    pytest.param(bearer({"p": "alice"}), NOT_PERMITTED, id="peer-scope-only"),
    pytest.param(bearer({"ad": True}), None, id="admin"),
    pytest.param(bearer({"ad": 1}), None, id="admin-truthy"),
    pytest.param(bearer({"t": "", "w": WS}), None, id="this-workspace"),
    pytest.param(bearer({"ad": True, "exp": time.time() + 3600}), None, id="future-exp"),
    pytest.param("bearer " + bearer({"ad": True})[7:], None, id="lowercase-scheme"),
]


@pytest.mark.parametrize(("authorization", "refusal"), HEADERS)
def test_verifier(authorization: str | None, refusal: str | None) -> None:
    assert BearerVerifier(JWT_SECRET).refusal(authorization, WS) == refusal


def test_operation_without_workspace_accepts_any_valid_token() -> None:
    verifier = BearerVerifier(JWT_SECRET)
    assert verifier.refusal(bearer({"w": "ws-2"}), None) is None
    assert verifier.refusal(bearer({"w": "ws-2"}, secret="x"), None) == INVALID_JWT


@pytest.mark.parametrize(("authorization", "refusal"), HEADERS)
def test_mock_over_http(authorization: str | None, refusal: str | None, auth_mock_url: str) -> None:
    # HTTP strips a header value's trailing white space; "Bearer " arrives as "Bearer".
    headers = {"authorization": authorization.strip()} if authorization is not None else {}
    response = httpx.post(
        f"{auth_mock_url}/v2/workspaces/{WS}/trigger_dream",
        json={"observer": "alice", "dream_type": "agent"},
        headers=headers,
    )
    if refusal is None:
        assert response.status_code == 204
    else:
        assert response.status_code == 401
        assert response.content == b'{"detail":"' + refusal.encode() + b'"}'
        assert "www-authenticate" not in response.headers


ORDER = [
    pytest.param(b"{", None, 422, "json_invalid", id="malformed-json-before-auth"),
    pytest.param(b"\xff{", None, 400, None, id="undecodable-before-auth"),
    pytest.param(b'{"observer": 1}', None, 401, None, id="auth-before-validation"),
    pytest.param(b'{"observer": 1}', {"ad": True}, 422, "string_type", id="validation-after-auth"),
]


@pytest.mark.parametrize(("body", "claims", "status", "error_type"), ORDER)
def test_order_of_evaluation(
    body: bytes,
    claims: dict[str, Any] | None,
    status: int,
    error_type: str | None,
    auth_mock_url: str,
) -> None:
    headers = {"content-type": "application/json"}
    if claims is not None:
        headers["authorization"] = bearer(claims)
    response = httpx.post(
        f"{auth_mock_url}/v2/workspaces/{WS}/trigger_dream", content=body, headers=headers
    )
    assert response.status_code == status
    if error_type:
        assert response.json()["detail"][0]["type"] == error_type


def test_auth_off_ignores_the_header(mock_url: str) -> None:
    response = httpx.post(
        f"{mock_url}/v2/workspaces/{WS}/trigger_dream",
        json={"observer": "alice", "dream_type": "agent"},
        headers={"authorization": "Bearer garbage"},
    )
    assert response.status_code == 204
