"""Who may reach the mock, as plain functions: the Host allow-list, the control paths'
same-origin rule, the warning for a mock bound beyond loopback, and their settings."""

from __future__ import annotations

import pytest

from mock_server import MockSettings, resolve_settings
from mock_server.controls.exposure import (
    exposure_warning,
    foreign_origin,
    host_guard,
    host_name,
    is_loopback,
)
from mock_server.settings import SettingsError


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        pytest.param("127.0.0.1", True, id="ipv4"),
        pytest.param("127.1.2.3", True, id="ipv4-range"),
        pytest.param("::1", True, id="ipv6"),
        pytest.param("[::1]", True, id="ipv6-brackets"),
        pytest.param("LocalHost", True, id="localhost"),
        pytest.param("0.0.0.0", False, id="any-ipv4"),
        pytest.param("::", False, id="any-ipv6"),
        pytest.param("192.168.1.5", False, id="lan"),
        pytest.param("mock.lan", False, id="name"),
    ],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        pytest.param(b"localhost:8000", b"localhost", id="port"),
        pytest.param(b"LOCALHOST", b"localhost", id="case"),
        pytest.param(b"localhost.:8000", b"localhost", id="trailing-dot"),
        pytest.param(b"[::1]:8000", b"[::1]", id="ipv6-port"),
        pytest.param(b"[::1]", b"[::1]", id="ipv6"),
        pytest.param(b"[::1", b"[::1", id="ipv6-unclosed"),
        pytest.param(b"::1", b"", id="ipv6-bare"),
        pytest.param(b"", b"", id="empty"),
    ],
)
def test_host_name(raw: bytes, name: bytes) -> None:
    assert host_name(raw) == name


LOOPBACK = host_guard("127.0.0.1", ())


@pytest.mark.parametrize(
    ("raw", "allowed"),
    [
        pytest.param(b"127.0.0.1:8000", True, id="bound-address"),
        pytest.param(b"localhost:1234", True, id="localhost-any-port"),
        pytest.param(b"localhost", True, id="no-port"),
        pytest.param(b"[::1]:8000", True, id="ipv6-loopback"),
        pytest.param(b"LocalHost:8000", True, id="case"),
        pytest.param(b"evil.example", False, id="foreign"),
        pytest.param(b"evil.example:8000", False, id="foreign-port"),
        pytest.param(b"localhost.evil.example", False, id="suffix"),
        pytest.param(b"127.0.0.1.nip.io:8000", False, id="rebinding-name"),
        pytest.param(b"127.0.0.2:8000", False, id="other-loopback-address"),
        pytest.param(b"", False, id="empty"),
    ],
)
def test_loopback_guard(raw: bytes, allowed: bool) -> None:
    assert LOOPBACK is not None
    assert LOOPBACK.allows(raw) is allowed
    assert LOOPBACK.allows(raw) is allowed  # the second time from the remembered values
    assert (raw in LOOPBACK.seen) is allowed


@pytest.mark.parametrize(
    ("bind", "allowed_hosts", "names"),
    [
        pytest.param("127.0.0.1", (), ("localhost", "127.0.0.1", "[::1]"), id="loopback"),
        pytest.param("::1", (), ("localhost", "127.0.0.1", "[::1]"), id="ipv6-loopback"),
        pytest.param(
            "127.0.0.2", (), ("localhost", "127.0.0.1", "[::1]", "127.0.0.2"), id="bound-name"
        ),
        pytest.param(
            "mock.lan", (), ("localhost", "127.0.0.1", "[::1]", "mock.lan"), id="bound-host-name"
        ),
        pytest.param(
            "127.0.0.1",
            ("mock.internal", "tunnel.example"),
            ("localhost", "127.0.0.1", "[::1]", "mock.internal", "tunnel.example"),
            id="allowed-hosts",
        ),
        pytest.param("0.0.0.0", (), None, id="any-address-off"),
        pytest.param("192.168.1.5", (), None, id="lan-address-off"),
        pytest.param(
            "0.0.0.0",
            ("mock.lan",),
            ("localhost", "127.0.0.1", "[::1]", "0.0.0.0", "mock.lan"),
            id="any-address-with-names",
        ),
        pytest.param("127.0.0.1", ("*",), None, id="star-off"),
    ],
)
def test_host_guard_for_the_bound_address(
    bind: str, allowed_hosts: tuple[str, ...], names: tuple[str, ...] | None
) -> None:
    guard = host_guard(bind, allowed_hosts)
    assert (guard.names if guard is not None else None) == names


def test_the_remembered_hosts_are_capped() -> None:
    guard = host_guard("127.0.0.1", ())
    assert guard is not None
    for port in range(1000):
        assert guard.allows(b"localhost:%d" % port)
    assert len(guard.seen) == 64


@pytest.mark.parametrize(
    ("origin", "host", "refused"),
    [
        pytest.param(b"http://127.0.0.1:8000", b"127.0.0.1:8000", False, id="own"),
        pytest.param(b"HTTP://LocalHost:8000", b"localhost:8000", False, id="own-any-case"),
        pytest.param(b"https://tunnel.example", b"tunnel.example", False, id="own-behind-tls"),
        pytest.param(b"https://evil.example", b"127.0.0.1:8000", True, id="foreign"),
        pytest.param(b"http://127.0.0.1:9999", b"127.0.0.1:8000", True, id="other-port"),
        pytest.param(b"http://localhost:8000", b"127.0.0.1:8000", True, id="other-name"),
        pytest.param(b"null", b"127.0.0.1:8000", True, id="null"),
        pytest.param(b"http://127.0.0.1:8000", None, True, id="no-host"),
    ],
)
def test_foreign_origin(origin: bytes, host: bytes | None, refused: bool) -> None:
    reason = foreign_origin(origin, host)
    assert (reason is not None) is refused
    if reason is not None:
        assert "\n" not in reason
        assert reason.startswith("the mock's control paths answer no cross-origin request")


@pytest.mark.parametrize(
    ("bind", "allowed_hosts", "control", "fragment"),
    [
        pytest.param("127.0.0.1", (), True, None, id="loopback"),
        pytest.param("localhost", (), True, None, id="localhost"),
        pytest.param("0.0.0.0", (), False, None, id="no-control"),
        pytest.param("0.0.0.0", (), True, "any Host is answered", id="any-address"),
        pytest.param(
            "0.0.0.0",
            ("mock.lan",),
            True,
            "Hosts answered: localhost, 127.0.0.1, [::1], 0.0.0.0, mock.lan",
            id="with-names",
        ),
        pytest.param("192.168.1.5", (), True, "any Host is answered", id="lan"),
    ],
)
def test_exposure_warning(
    bind: str, allowed_hosts: tuple[str, ...], control: bool, fragment: str | None
) -> None:
    warning = exposure_warning(bind, allowed_hosts, control=control)
    if fragment is None:
        assert warning is None
        return
    assert warning is not None
    assert "\n" not in warning
    assert f"--host {bind}: the journal" in warning
    assert "reachable from the network" in warning
    assert fragment in warning


@pytest.mark.parametrize(
    ("value", "hosts"),
    [
        pytest.param(
            "mock.internal, Tunnel.Example", ("mock.internal", "tunnel.example"), id="two"
        ),
        pytest.param("::1,[fd00::1]", ("[::1]", "[fd00::1]"), id="ipv6"),
        pytest.param("*", ("*",), id="any"),
        pytest.param("", (), id="empty"),
    ],
)
def test_allowed_hosts_setting(value: str, hosts: tuple[str, ...]) -> None:
    settings = resolve_settings({}, {"HONCHO_MOCK_ALLOWED_HOSTS": value})
    assert settings.allowed_hosts == hosts


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("http://mock.internal", id="scheme"),
        pytest.param("mock.internal:8000", id="port"),
        pytest.param("[::1]:8000", id="ipv6-port"),
        pytest.param("mock.internal/path", id="path"),
    ],
)
def test_allowed_hosts_are_names_alone(value: str) -> None:
    with pytest.raises(SettingsError) as raised:
        resolve_settings({"allowed_hosts": value}, {})
    message = str(raised.value)
    assert message.startswith(f"--allowed-hosts: {value!r} is not a host name")
    assert "\n" not in message


def test_journal_secrets_setting() -> None:
    assert resolve_settings({}, {}) == MockSettings()
    assert resolve_settings({}, {"HONCHO_MOCK_JOURNAL_SECRETS": "true"}).journal_secrets
