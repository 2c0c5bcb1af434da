"""The real Honcho SDKs against the mock: ``honcho-core`` 1.8.0 (PyPI) and
``@honcho-ai/core`` 1.8.0 (npm, driven with node by ``tests/js/trigger_dream.js``).

Each SDK's errors come from the mock's answers: ``UnprocessableEntityError`` for a 422,
``AuthenticationError`` for a 401, and for a 500 the retries both SDKs document (two,
with backoff), which the journal shows by the ``x-stainless-retry-count`` header; a
queued sequence of two faults is retried through to the faithful 204.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from honcho_core import (
    APIConnectionError,
    AuthenticationError,
    Honcho,
    InternalServerError,
    UnprocessableEntityError,
)
from honcho_core.resources.workspaces import WorkspacesResource

from mock_server.testing import HonchoMock

from conftest import ENUM_ERROR

ROOT = Path(__file__).resolve().parent.parent
NODE_SCRIPT = ROOT / "tests" / "js" / "trigger_dream.js"
SECRET = "sdk-test-secret"
ALICE = {"workspace_id": "ws-1", "observer": "alice", "observed": "alice", "dream_type": "agent"}


@contextlib.contextmanager
def dreams_api(mock: HonchoMock, api_key: str | None = None) -> Iterator[WorkspacesResource]:
    with Honcho(base_url=mock.url, api_key=api_key) as client:
        yield client.workspaces


def sent(mock: HonchoMock, header: str) -> list[tuple[int | None, str | None]]:
    return [(e["status"], e["headers"].get(header)) for e in mock.requests]


def test_python_valid_call(honcho_mock: HonchoMock) -> None:
    with dreams_api(honcho_mock) as api:
        result = api.trigger_dream("ws-1", observer="alice", dream_type="agent")
    assert result is None
    assert sent(honcho_mock, "user-agent") == [(204, "Honcho/Python 1.8.0")]
    assert honcho_mock.dreams == [ALICE]


@pytest.mark.parametrize(
    ("call", "detail"),
    [
        pytest.param({"dream_type": "sleep"}, [ENUM_ERROR], id="invalid-dream-type"),
        pytest.param(
            {"dream_type": "agent", "extra_headers": {"Prefer": "code=422"}},
            [
                {  # the SDK sends dream_type first; the forced error drops the first key
                    "type": "missing",
                    "loc": ["body", "dream_type"],
                    "msg": "Field required",
                    "input": {"observer": "alice"},
                }
            ],
            id="forced-422",
        ),
    ],
)
def test_python_422_raises(honcho_mock: HonchoMock, call: dict[str, Any], detail: Any) -> None:
    with dreams_api(honcho_mock) as api, pytest.raises(UnprocessableEntityError) as raised:
        api.trigger_dream("ws-1", observer="alice", **call)
    assert raised.value.status_code == 422
    assert raised.value.body == {"detail": detail}
    assert [e["status"] for e in honcho_mock.requests] == [422]  # no retry
    assert honcho_mock.dreams == []


@pytest.mark.parametrize(
    ("token", "workspace", "detail"),
    [
        pytest.param("ws-1", "ws-1", None, id="minted-token"),
        pytest.param("wrong", "ws-1", "Invalid JWT", id="wrong-token"),
        pytest.param("ws-1", "ws-2", "JWT not permissioned for this resource", id="other-ws"),
        pytest.param(None, "ws-1", "No access token provided", id="no-token"),
    ],
)
def test_python_auth(
    honcho_mock_factory: Any, token: str | None, workspace: str, detail: str | None
) -> None:
    mock = honcho_mock_factory(auth_jwt_secret=SECRET)
    api_key = mock.token(token) if token and token.startswith("ws-") else token
    with dreams_api(mock, api_key) as api:
        if detail is None:
            api.trigger_dream(workspace, observer="alice", dream_type="agent")
            assert mock.dreams == [ALICE]
            return
        with pytest.raises(AuthenticationError) as raised:
            api.trigger_dream(workspace, observer="alice", dream_type="agent")
    assert raised.value.body == {"detail": detail}
    assert [e["status"] for e in mock.requests] == [401]


@pytest.mark.parametrize(
    ("fault", "error", "status"),
    [
        pytest.param("500", InternalServerError, 500, id="500"),
        pytest.param("reset", APIConnectionError, None, id="reset"),
    ],
)
@pytest.mark.slow
def test_python_retries_faults_as_documented(
    honcho_mock_factory: Any, fault: str, error: type[Exception], status: int | None
) -> None:
    mock = honcho_mock_factory(allow_faults=True)
    with dreams_api(mock) as api, pytest.raises(error):
        api.trigger_dream(
            "ws-1", observer="alice", dream_type="agent", extra_headers={"Prefer": f"fault={fault}"}
        )
    # honcho-core's DEFAULT_MAX_RETRIES is 2: three attempts, numbered by the SDK.
    assert sent(mock, "x-stainless-retry-count") == [(status, "0"), (status, "1"), (status, "2")]
    assert mock.dreams == []


@pytest.mark.slow
def test_python_retries_through_a_sequence(honcho_mock_factory: Any) -> None:
    mock = honcho_mock_factory(allow_faults=True)
    mock.queue("fault=503", "fault=reset")
    mock.expect(observer="alice", dream_type="agent", times=3)
    mock.strict = True
    with dreams_api(mock) as api:
        assert api.trigger_dream("ws-1", observer="alice", dream_type="agent") is None
    assert sent(mock, "x-stainless-retry-count") == [(503, "0"), (None, "1"), (204, "2")]
    assert mock.dreams == [ALICE]


def node() -> str:
    found = shutil.which("node")
    if found is None or not (ROOT / "node_modules" / "@honcho-ai" / "core").is_dir():
        if os.environ.get("CI"):
            pytest.fail("node and @honcho-ai/core are needed: install Node.js 18+, run npm ci")
        pytest.skip("node or @honcho-ai/core missing: install Node.js 18+ and run npm ci")
    return found


def run_node(calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
    done = subprocess.run(
        [node(), str(NODE_SCRIPT), json.dumps(calls)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


@pytest.mark.slow
def test_npm_sdk(honcho_mock_factory: Any) -> None:
    mock = honcho_mock_factory(auth_jwt_secret=SECRET, allow_faults=True)
    base = {"baseURL": mock.url, "workspace": "ws-1", "apiKey": mock.token("ws-1")}
    valid = {"observer": "alice", "dream_type": "agent"}
    results = run_node(
        [
            {**base, "body": valid},
            {**base, "body": {**valid, "dream_type": "sleep"}},
            {**base, "body": valid, "apiKey": "wrong"},
            {**base, "body": valid, "headers": {"Prefer": "fault=500"}},
        ]
    )
    assert results == [
        {"ok": True},
        {
            "ok": False,
            "name": "UnprocessableEntityError",
            "status": 422,
            "error": {"detail": [ENUM_ERROR]},
        },
        {
            "ok": False,
            "name": "AuthenticationError",
            "status": 401,
            "error": {"detail": "Invalid JWT"},
        },
        {
            "ok": False,
            "name": "InternalServerError",
            "status": 500,
            "error": {"detail": "Internal Server Error"},
        },
    ]
    assert sent(mock, "x-stainless-retry-count") == [
        (204, "0"),
        (422, "0"),
        (401, "0"),
        (500, "0"),
        (500, "1"),
        (500, "2"),
    ]
    assert {e["headers"]["user-agent"] for e in mock.requests} == {"Honcho/JS 1.8.0"}
    assert mock.dreams == [ALICE]


@pytest.mark.slow
def test_npm_sdk_retries_through_a_sequence(honcho_mock_factory: Any) -> None:
    mock = honcho_mock_factory(allow_faults=True)
    mock.queue("fault=reset", "fault=503", observer="alice")
    call = {"baseURL": mock.url, "workspace": "ws-1"}
    results = run_node(
        [
            {**call, "body": {"observer": "bob", "dream_type": "agent"}},
            {**call, "body": {"observer": "alice", "dream_type": "agent"}},
        ]
    )
    assert results == [{"ok": True}, {"ok": True}]
    assert sent(mock, "x-stainless-retry-count") == [
        (204, "0"),
        (None, "0"),
        (503, "1"),
        (204, "2"),
    ]
    assert [e["control"] and e["control"]["queued"]["answer"] for e in mock.requests] == [
        None,
        1,
        2,
        None,
    ]
