"""A bad environment value is one line on stderr naming the variable, and exit 2: every
numeric, boolean and enum variable of ``honcho-mock`` and ``honcho-contract run``."""

from __future__ import annotations

import os
import subprocess

import pytest

from contract_tests.cli import main

from cli_process import console_script

MOCK = console_script("honcho-mock")
DEAD = "http://127.0.0.1:9"  # refused before any request, or the line names the server


def _clean_environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("HONCHO_")}


@pytest.mark.parametrize(
    ("name", "value", "fragment"),
    [
        pytest.param("PORT", "abc", "'abc' is not a number", id="port-not-a-number"),
        pytest.param("PORT", "99999", "port 99999 is out of range", id="port-out-of-range"),
        pytest.param("JOURNAL_SIZE", "many", "'many' is not a number", id="journal-size"),
        pytest.param("JOURNAL_SIZE", "-3", "journal size -3 is negative", id="journal-negative"),
        pytest.param("SEED", "1.5", "'1.5' is not a number", id="seed"),
        pytest.param("LOG_LEVEL", "loud", "unknown log level 'loud'", id="log-level"),
        pytest.param("CONTROL", "maybe", "'maybe' is not true or false", id="control"),
        pytest.param("ALLOW_FAULTS", "maybe", "'maybe' is not true or false", id="allow-faults"),
        pytest.param("RELOAD", "sometimes", "is not true or false", id="reload"),
        pytest.param("JOURNAL_SECRETS", "maybe", "is not true or false", id="journal-secrets"),
        pytest.param("LATENCY", "fast", "'fast' is not a duration", id="latency"),
        pytest.param("FAULT_RATE", "2:500", "'2' is not a rate from 0 to 1", id="fault-rate"),
    ],
)  # fmt: skip
@pytest.mark.slow
@pytest.mark.once
def test_mock_environment_errors_are_one_line(name: str, value: str, fragment: str) -> None:
    variable = f"HONCHO_MOCK_{name}"
    done = subprocess.run([MOCK], capture_output=True, text=True, timeout=30, check=False,
                          env={**_clean_environment(), variable: value})  # fmt: skip
    lines = done.stderr.strip().splitlines()
    assert (done.returncode, len(lines)) == (2, 1), done.stderr
    assert lines[0].startswith(f"honcho-mock: error: {variable}: "), lines[0]
    assert fragment in lines[0]


@pytest.mark.parametrize(
    ("name", "value", "fragment"),
    [
        pytest.param("SEED", "x", "is not a number", id="seed"),
        pytest.param("MAX_EXAMPLES", "ten", "is not a number", id="max-examples"),
        pytest.param("MAX_EXAMPLES", "0", "must be at least 1", id="max-examples-zero"),
        pytest.param("WORKERS", "1.5", "is not a number", id="workers"),
        pytest.param("WORKERS", "-2", "must be at least 1", id="workers-negative"),
        pytest.param("MAX_TIME", "soon", "is not a number", id="max-time"),
        pytest.param("MAX_TIME", "nan", "is not a positive number of seconds", id="max-time-nan"),
        pytest.param("MAX_TIME", "inf", "is not a positive number of seconds", id="max-time-inf"),
        pytest.param("MAX_TIME", "-1", "is not a positive number of seconds", id="max-time-neg"),
        pytest.param("TIMEOUT", "nan", "is not a positive number of seconds", id="timeout-nan"),
        pytest.param("TIMEOUT", "inf", "is not a positive number of seconds", id="timeout-inf"),
        pytest.param("TIMEOUT", "0", "is not a positive number of seconds", id="timeout-zero"),
        pytest.param("DOWN_WAIT", "-1", "is not a number of seconds, 0 or more", id="down-wait"),
        pytest.param("DOWN_WAIT", "nan", "is not a number of seconds, 0 or more",
                     id="down-wait-nan"),
        pytest.param("RATE_LIMIT", "fast", "is not a rate", id="rate-limit"),
        pytest.param("DURATION", "soon", "HONCHO_CONTRACT_DURATION='soon' is not a duration",
                     id="duration"),
        pytest.param("SHARD", "5/4", "HONCHO_CONTRACT_SHARD='5/4' is not a shard", id="shard"),
        pytest.param("MAX_FAILURES", "0", "must be at least 1", id="max-failures"),
        pytest.param("MAX_FAILURES", "x", "is not a number", id="max-failures"),
        pytest.param("MAX_FAILURES", "0", "must be at least 1", id="max-failures-zero"),
        pytest.param("DURATION", "nan", "is not a duration", id="duration"),
        pytest.param("SHARD", "3/2", "is not a shard", id="shard"),
        pytest.param("AUTH", "strict", "is not one of auto, required, off", id="auth"),
        pytest.param("PROFILE", "fastapi", "is not one of contract, honcho", id="profile"),
        pytest.param("STRICT", "maybe", "is not true or false", id="strict"),
        pytest.param("SHOW_SECRETS", "please", "is not true or false", id="show-secrets"),
        pytest.param("CHECKS", " , ", "names nothing", id="checks"),
        pytest.param("HEADERS", "X-Env staging", "is no header: no colon", id="headers"),
    ],
)  # fmt: skip
def test_contract_environment_errors_are_one_line(
    name: str,
    value: str,
    fragment: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    variable = f"HONCHO_CONTRACT_{name}"
    monkeypatch.setenv(variable, value)
    assert main(["run", "--base-url", DEAD]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"honcho-contract: error: {variable}={value!r} "), line
    assert fragment in line


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["--timeout", "nan"], id="timeout-nan"),
        pytest.param(["--timeout", "inf"], id="timeout-inf"),
        pytest.param(["--max-time", "nan"], id="max-time-nan"),
        pytest.param(["--max-time", "inf"], id="max-time-inf"),
    ],
)
def test_contract_flags_that_are_no_number_of_seconds(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "--base-url", DEAD, *args]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line == f"honcho-contract: error: {args[0]} must be a positive number of seconds"
