"""``honcho-mock`` as users run it: a real process, real signals, one-line errors."""

from __future__ import annotations

import signal
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import jwt
import pytest

from cli_process import MockProcess, console_script

MOCK = console_script("honcho-mock")
VALID = {"observer": "alice", "dream_type": "agent"}


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [MOCK, *args], capture_output=True, text=True, timeout=60, env=env, check=False
    )


def assert_one_line_error(done: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("honcho-mock: error: ")
    assert "Traceback" not in done.stderr
    for fragment in fragments:
        assert fragment in lines[0]


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
@pytest.mark.slow
def test_serves_then_stops_cleanly_on_signal(sig: int, tmp_path: Path) -> None:
    mock = MockProcess([MOCK, "--port", "0", "--log-level", "warning"], cwd=tmp_path)
    url = mock.wait_listening()
    assert url.startswith("http://127.0.0.1:")
    response = httpx.post(f"{url}/v2/workspaces/ws-1/trigger_dream", json=VALID)
    assert response.status_code == 204
    code, err = mock.stop(sig)
    assert code == 0
    assert "Traceback" not in err


@pytest.mark.slow
def test_environment_sets_what_flags_do_not(tmp_path: Path) -> None:
    mock = MockProcess(
        [MOCK, "--log-level", "warning"],
        cwd=tmp_path,
        env={"HONCHO_MOCK_PORT": "0", "HONCHO_MOCK_AUTH_JWT_SECRET": "env-secret"},
    )
    url = mock.wait_listening()
    response = httpx.post(f"{url}/v2/workspaces/ws-1/trigger_dream", json=VALID)
    mock.stop(signal.SIGTERM)
    assert response.status_code == 401


@pytest.mark.slow
def test_spec_flag_serves_another_document(tmp_path: Path) -> None:
    spec = tmp_path / "other.json"
    spec.write_text(
        '{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {"/ping": {"get":'
        ' {"responses": {"200": {"description": "ok", "content": {"application/json":'
        ' {"schema": {"type": "object", "properties": {"ok": {"type": "boolean"}}}}}}}}}}}'
    )
    mock = MockProcess([MOCK, "--port", "0", "--spec", str(spec), "--log-level", "warning"])
    url = mock.wait_listening()
    ping = httpx.get(f"{url}/ping")
    dream = httpx.post(f"{url}/v2/workspaces/ws-1/trigger_dream", json=VALID)
    mock.stop(signal.SIGTERM)
    assert (ping.status_code, ping.json()) == (200, {"ok": True})
    assert dream.status_code == 404


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        pytest.param(["--bogus"], "unrecognized arguments: --bogus", id="unknown-flag"),
        pytest.param(["--port", "many"], "invalid int value", id="port-not-a-number"),
        pytest.param(["--port", "70000"], "port 70000 is out of range", id="port-out-of-range"),
        pytest.param(["--log-level", "loud"], "invalid choice", id="bad-log-level"),
        pytest.param(["--spec", "/nonexistent/spec.yaml"], "no such file", id="missing-spec"),
        pytest.param(["token", "--secret", "s"], "one of the arguments", id="token-no-scope"),
        pytest.param(["token", "--admin"], "--secret", id="token-no-secret"),
        pytest.param(["--host", "10.255.255.1", "--port", "0"],
                     "--host 10.255.255.1 is not an address of this machine", id="foreign-host"),
    ],
)  # fmt: skip
@pytest.mark.slow
@pytest.mark.once
def test_usage_errors_are_one_line(args: list[str], fragment: str) -> None:
    assert_one_line_error(run_cli(*args), fragment)


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        pytest.param("openapi: [unclosed", "not valid YAML or JSON", id="not-yaml"),
        pytest.param("swagger: '2.0'\npaths: {}\n", "unsupported 'openapi' version", id="v2"),
        pytest.param("openapi: 3.1.0\npaths: {}\n", "declares no paths", id="no-paths"),
        pytest.param("- a list\n", "not a mapping", id="not-a-mapping"),
    ],
)
@pytest.mark.slow
@pytest.mark.once
def test_invalid_documents_are_one_line(content: str, fragment: str, tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(content)
    assert_one_line_error(run_cli("--spec", str(spec)), fragment, str(spec))


@pytest.mark.slow
@pytest.mark.once
def test_busy_port_is_one_line(busy_port: int) -> None:
    assert_one_line_error(run_cli("--port", str(busy_port)), f"127.0.0.1:{busy_port}", "--port")


@pytest.mark.parametrize(
    ("args", "claims"),
    [
        pytest.param(["--admin"], {"ad": True}, id="admin"),
        pytest.param(["--workspace", "ws-9"], {"w": "ws-9"}, id="workspace"),
    ],
)
def test_token_prints_a_signed_jwt(args: list[str], claims: dict[str, object]) -> None:
    done = run_cli("token", "--secret", "a-secret-of-32-bytes-or-more!!!!", *args)
    assert done.returncode == 0, done.stderr
    decoded = jwt.decode(
        done.stdout.strip(), "a-secret-of-32-bytes-or-more!!!!", algorithms=["HS256"]
    )
    assert claims.items() <= decoded.items()
    assert "t" in decoded


def test_help_exits_zero() -> None:
    done = run_cli("--help")
    assert done.returncode == 0
    assert "--auth-jwt-secret" in done.stdout
