"""Credentials as the journal shows them: scheme and last four characters, or all masked."""

from __future__ import annotations

import pytest

from mock_server.controls.credentials import mask_header

TOKEN = "sk-live-0123456789abcdef3f9a"


@pytest.mark.parametrize(
    ("name", "value", "shown"),
    [
        pytest.param("authorization", f"Bearer {TOKEN}", "Bearer ****3f9a", id="bearer"),
        pytest.param("authorization", "Basic YWxpY2U6czNjcmV0cGFzcw==", "Basic ****cw==",
                     id="basic"),
        pytest.param("authorization", "Bearer short", "Bearer ****", id="short-token"),
        pytest.param("authorization", "Bearer", "****", id="scheme-alone"),
        pytest.param("proxy-authorization", f"Bearer {TOKEN}", "Bearer ****3f9a", id="proxy"),
        pytest.param("cookie", f"session={TOKEN}; theme=dark", "session=****3f9a; theme=****",
                     id="cookie"),
        pytest.param("x-api-key", TOKEN, "****3f9a", id="x-api-key"),
        pytest.param("api_key", TOKEN, "****3f9a", id="api-key-underscore"),
        pytest.param("x-auth-token", TOKEN, "****3f9a", id="x-auth-token"),
        pytest.param("x-client-secret", TOKEN, "****3f9a", id="secret"),
        pytest.param("content-type", "application/json", "application/json", id="not-a-secret"),
        pytest.param("prefer", "code=422", "code=422", id="prefer"),
    ],
)  # fmt: skip
def test_mask_header(name: str, value: str, shown: str) -> None:
    assert mask_header(name, value) == shown
