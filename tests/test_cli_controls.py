"""The controls' flags and environment variables, through ``honcho-mock`` as a process."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

import httpx
import pytest

from mock_server import MockSettings, resolve_settings
from mock_server.controls.chaos import FaultRate, Latency
from mock_server.settings import SettingsError

from cli_process import MockProcess, console_script

MOCK = console_script("honcho-mock")
PATH = "/v2/workspaces/ws-1/trigger_dream"
VALID = {"observer": "alice", "dream_type": "agent"}


def one_line_error(*args: str) -> str:
    done = subprocess.run([MOCK, *args], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("honcho-mock: error: ")
    return lines[0]


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        pytest.param(["--latency", "soon"], "--latency: 'soon' is not a duration", id="latency"),
        pytest.param(["--latency", "9ms-1ms"], "ends before it starts", id="latency-range"),
        pytest.param(
            ["--fault-rate", "0.1:500"],
            "--fault-rate 0.1:500 injects faults; add --allow-faults",
            id="fault-rate-without-allow-faults",
        ),
        pytest.param(
            ["--allow-faults", "--fault-rate", "2:500"], "is not a rate", id="fault-rate-bad"
        ),
        pytest.param(["--journal-size", "-1"], "journal size -1 is negative", id="journal"),
        pytest.param(["--seed", "x"], "invalid int value", id="seed"),
        pytest.param(
            ["--allowed-hosts", "localhost:8000"],
            "--allowed-hosts: 'localhost:8000' is not a host name (no scheme, port or path); "
            "write names alone",
            id="allowed-hosts",
        ),
    ],
)
@pytest.mark.slow
@pytest.mark.once
def test_bad_control_flags_are_one_line(args: list[str], fragment: str) -> None:
    assert fragment in one_line_error(*args)


@pytest.mark.slow
def test_document_reaching_the_control_paths_is_one_line(tmp_path: Path) -> None:
    spec = tmp_path / "spec.json"
    operation = {"get": {"responses": {"200": {"description": "ok"}}}}
    info = {"title": "t", "version": "1"}
    spec.write_text(
        json.dumps({"openapi": "3.1.0", "info": info, "paths": {"/{a}/dreams": operation}})
    )
    line = one_line_error("--spec", str(spec))
    assert f"{spec}: the document's path /{{a}}/dreams reaches the mock's control paths" in line
    assert line.endswith("serve it with --no-control")


@pytest.mark.parametrize(
    ("flags", "environ", "expected"),
    [
        pytest.param({}, {}, MockSettings(), id="defaults"),
        pytest.param(
            {},
            {
                "HONCHO_MOCK_CONTROL": "off",
                "HONCHO_MOCK_JOURNAL_SIZE": "5",
                "HONCHO_MOCK_LATENCY": "10ms-20ms",
                "HONCHO_MOCK_ALLOW_FAULTS": "true",
                "HONCHO_MOCK_FAULT_RATE": "0.5:reset",
                "HONCHO_MOCK_SEED": "9",
                "HONCHO_MOCK_CORS_ORIGINS": "https://a.example, https://b.example",
                "HONCHO_MOCK_RELOAD": "1",
                "HONCHO_MOCK_ALLOWED_HOSTS": "mock.internal,tunnel.example",
                "HONCHO_MOCK_JOURNAL_SECRETS": "yes",
            },
            MockSettings(
                control=False,
                journal_size=5,
                latency=Latency(0.01, 0.02),
                allow_faults=True,
                fault_rate=FaultRate(((0.5, "reset"),)),
                seed=9,
                cors_origins=("https://a.example", "https://b.example"),
                reload=True,
                allowed_hosts=("mock.internal", "tunnel.example"),
                journal_secrets=True,
            ),
            id="environment",
        ),
        pytest.param(
            {"control": True, "latency": "5ms", "cors_origins": "none"},
            {"HONCHO_MOCK_CONTROL": "0", "HONCHO_MOCK_LATENCY": "1s"},
            MockSettings(latency=Latency(0.005, 0.005), cors_origins=()),
            id="flags-beat-environment",
        ),
    ],
)
def test_settings_resolution(
    flags: dict[str, object], environ: dict[str, str], expected: MockSettings
) -> None:
    assert resolve_settings(flags, environ) == expected


def test_environment_boolean_must_be_one() -> None:
    message = "HONCHO_MOCK_ALLOW_FAULTS: 'maybe' is not true or false"
    with pytest.raises(SettingsError, match=message):
        resolve_settings({}, {"HONCHO_MOCK_ALLOW_FAULTS": "maybe"})


@pytest.mark.slow
def test_flags_reach_the_running_mock() -> None:
    args = ["--port", "0", "--log-level", "warning", "--allow-faults", "--latency", "1ms"]
    process = MockProcess([MOCK, *args, "--fault-rate", "1:503", "--cors-origins", "none"])
    url = process.wait_listening()
    faulted = httpx.post(url + PATH, json=VALID)
    journal = httpx.get(f"{url}/__mock__/requests").json()
    code, _ = process.stop(signal.SIGTERM)
    assert (faulted.status_code, code) == (503, 0)
    assert journal[0]["control"] == {"fault": "503", "delay_ms": 1.0}


@pytest.mark.slow
def test_no_control_flag() -> None:
    process = MockProcess([MOCK, "--port", "0", "--log-level", "warning", "--no-control"])
    url = process.wait_listening()
    forced = httpx.post(url + PATH, json=VALID, headers={"prefer": "code=422"})
    journal = httpx.get(f"{url}/__mock__/requests")
    process.stop(signal.SIGTERM)
    assert (forced.status_code, journal.status_code) == (204, 404)


ANY_ADDRESS_WARNING = (
    "honcho-mock: warning: --host 0.0.0.0: the journal (with what clients send) and the "
    "control paths /__mock__/... are reachable from the network; "
)


@pytest.mark.parametrize(
    ("args", "foreign_host_status", "warning"),
    [
        pytest.param([], 403, None, id="loopback"),
        pytest.param(
            ["--host", "0.0.0.0"],
            204,
            ANY_ADDRESS_WARNING + "any Host is answered (--allowed-hosts NAME,... limits it)",
            id="any-address",
        ),
        pytest.param(
            ["--host", "0.0.0.0", "--allowed-hosts", "mock.lan"],
            403,
            ANY_ADDRESS_WARNING + "Hosts answered: localhost, 127.0.0.1, [::1], 0.0.0.0, mock.lan",
            id="any-address-with-names",
        ),
        pytest.param(["--host", "0.0.0.0", "--no-control"], 204, None, id="no-control"),
    ],
)
@pytest.mark.slow
def test_bound_beyond_loopback_the_mock_warns_once(
    args: list[str], foreign_host_status: int, warning: str | None
) -> None:
    process = MockProcess([MOCK, "--port", "0", "--log-level", "warning", *args])
    url = process.wait_listening().replace("0.0.0.0", "127.0.0.1")  # sent on loopback only
    foreign = httpx.post(url + PATH, json=VALID, headers={"host": "evil.example"})
    local = httpx.post(url + PATH, json=VALID, headers={"host": "localhost"})
    code, err = process.stop(signal.SIGTERM)
    assert (foreign.status_code, local.status_code, code) == (foreign_host_status, 204, 0)
    assert err.splitlines() == ([] if warning is None else [warning])
