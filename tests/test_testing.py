"""``HonchoMock`` and the pytest plugin's fixtures, as a client's test suite uses them."""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import Any

import httpx
import pytest

from mock_server.testing import HonchoMock, MockUsageError

PATH = "/v2/workspaces/ws-1/trigger_dream"
VALID = {"observer": "alice", "dream_type": "agent"}


def test_plugin_is_registered_for_pytest() -> None:
    (plugin,) = [ep for ep in entry_points(group="pytest11") if ep.name == "honcho_mock"]
    assert plugin.value == "mock_server.pytest_plugin"


def test_honcho_mock_starts_each_test_with_an_empty_journal(honcho_mock: HonchoMock) -> None:
    assert honcho_mock.requests == honcho_mock.dreams == []
    httpx.post(honcho_mock.url + PATH, json=VALID)
    assert len(honcho_mock.requests) == 1


def test_and_again(honcho_mock: HonchoMock) -> None:
    assert honcho_mock.requests == []
    with pytest.raises(MockUsageError, match="auth off"):
        honcho_mock.token()


@pytest.mark.parametrize(
    ("scope", "workspace", "status"),
    [
        pytest.param({}, "ws-1", 204, id="admin-by-default"),
        pytest.param({"admin": True}, "ws-9", 204, id="admin"),
        pytest.param({"workspace": "ws-1"}, "ws-1", 204, id="own-workspace"),
        pytest.param({"workspace": "ws-1"}, "ws-2", 401, id="other-workspace"),
    ],
)
def test_token(
    honcho_mock_factory: Any, scope: dict[str, Any], workspace: str, status: int
) -> None:
    mock = honcho_mock_factory(auth_jwt_secret="a-secret")
    token = mock.token(**scope)
    response = httpx.post(
        f"{mock.url}/v2/workspaces/{workspace}/trigger_dream",
        json=VALID,
        headers={"authorization": f"Bearer {token}"},
    )
    assert response.status_code == status


def test_factory_takes_settings_as_flags_do(honcho_mock_factory: Any) -> None:
    mock = honcho_mock_factory(allow_faults="true", fault_rate="1:503", seed="3")
    assert httpx.post(mock.url + PATH, json=VALID).status_code == 503
    assert mock.settings.seed == 3


def test_factory_refuses_unknown_settings(honcho_mock_factory: Any) -> None:
    with pytest.raises(MockUsageError, match="unknown setting latencyy; use one of host, port"):
        honcho_mock_factory(latencyy="50ms")


def test_factory_ignores_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HONCHO_MOCK_AUTH_JWT_SECRET", "from-the-environment")
    with HonchoMock.from_options() as mock:
        assert httpx.post(mock.url + PATH, json=VALID).status_code == 204


def test_reset_empties_the_journal(honcho_mock: HonchoMock) -> None:
    httpx.post(honcho_mock.url + PATH, json=VALID)
    honcho_mock.reset()
    assert honcho_mock.requests == honcho_mock.dreams == []
