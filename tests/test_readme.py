"""Every console example in the README runs here (the set-up install runs in test_packaging)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from mock_server import BackgroundServer, MockSettings

from readme import Example, console_blocks, setup_commands

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
README_URL = "http://127.0.0.1:8000"

MOCK_EXAMPLES = [ex for block in console_blocks()[2:] for ex in block if "curl" in ex.command]
TOKEN_EXAMPLES = [ex for block in console_blocks() for ex in block if " token " in ex.command]
SUITE_EXAMPLES = [
    ex
    for block in console_blocks()[2:]
    for ex in block
    if ex.command.startswith(("honcho-contract ", "pytest --pyargs"))
]


def run(command: str, cwd: Path | None = None) -> str:
    env = {"PATH": f"{BIN}:/usr/bin:/bin"}
    done = subprocess.run(
        ["bash", "-c", command], capture_output=True, text=True, timeout=300, env=env, cwd=cwd,
        check=True,
    )  # fmt: skip
    return done.stdout


def test_every_console_example_is_covered() -> None:
    install_run, install_test = setup_commands()
    covered = {install_run.command, install_test.command}
    covered |= {ex.command for ex in MOCK_EXAMPLES + TOKEN_EXAMPLES + SUITE_EXAMPLES}
    listed = {ex.command for block in console_blocks() for ex in block}
    assert listed == covered
    assert len(MOCK_EXAMPLES) >= 3


def test_ci_runs_the_readme_test_command() -> None:
    _, install_test = setup_commands()
    ci_lines = (ROOT / ".ci" / "run").read_text().splitlines()
    assert any(line.endswith(install_test.command) for line in ci_lines)
    assert install_test.command.startswith("python3 -m pip install tox")


@pytest.mark.parametrize("example", MOCK_EXAMPLES, ids=lambda ex: ex.output[0][:40])
def test_mock_example(example: Example, mock_url: str) -> None:
    output = run(example.command.replace(README_URL, mock_url))
    assert example.matches(output), output


@pytest.mark.parametrize("example", TOKEN_EXAMPLES, ids=["token"])
def test_token_example_gives_a_token_the_mock_accepts(example: Example) -> None:
    token = run(example.command).strip()
    assert example.matches(token)
    settings = MockSettings(port=0, log_level="warning", auth_jwt_secret="s3cret")
    with BackgroundServer(settings) as server:
        url = f"{server.url}/v2/workspaces/ws-1/trigger_dream"
        body = {"observer": "alice", "dream_type": "agent"}
        accepted = httpx.post(url, json=body, headers={"authorization": f"Bearer {token}"})
        other = httpx.post(
            url.replace("ws-1", "ws-2"), json=body, headers={"authorization": f"Bearer {token}"}
        )
    assert accepted.status_code == 204
    assert other.status_code == 401


@pytest.mark.parametrize("example", SUITE_EXAMPLES, ids=lambda ex: ex.command.split()[0])
def test_contract_suite_example(example: Example, mock_url: str, tmp_path: Path) -> None:
    output = run(example.command.replace(README_URL, mock_url), cwd=tmp_path)
    assert example.matches(output.replace(mock_url, README_URL)), output
