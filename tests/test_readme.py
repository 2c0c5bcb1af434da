"""Every console example of the README and of docs/ runs here (the installs run in
test_packaging)."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from contract_tests.prism.driver import free_port
from mock_server import BackgroundServer, MockSettings

from cli_process import MockProcess, console_script
from readme import (
    Example,
    console_blocks,
    example_blocks,
    javascript_test_files,
    page,
    python_test_files,
    setup_commands,
    url_install,
)

# What the examples print follows the pinned versions; each behaviour they show has a test of
# its own that tox -e latest runs.
pytestmark = pytest.mark.once
ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
README_URL = "http://127.0.0.1:8000"

# ``honcho-contract proxy`` listens on README_PROXY_URL; its clients' examples name that URL.
README_PROXY_URL = "http://127.0.0.1:4010"
PROXY_EXAMPLES = [
    ex
    for block in example_blocks()
    for ex in block
    if ex.command.startswith("honcho-contract proxy ")
]
PROXY_CLIENTS = [ex for block in example_blocks() for ex in block if README_PROXY_URL in ex.command]
# A block opening with ``honcho-mock [FLAGS] &`` runs against a mock of its own.
SERVE = re.compile(r"^honcho-mock((?: --?[\w-]+(?: [^-&\s]\S*)?)*) &$")
SERVED_BLOCKS = [b for b in example_blocks() if b and SERVE.match(b[0].command)]
MOCK_EXAMPLES = [
    ex
    for block in example_blocks()
    if block not in SERVED_BLOCKS
    for ex in block
    if "curl" in ex.command and ex not in PROXY_CLIENTS
]
TOKEN_EXAMPLES = [ex for block in console_blocks() for ex in block if " token " in ex.command]
# ``honcho-contract diff`` examples compare README_URL with README_B_URL.
README_B_URL = "http://127.0.0.1:8001"
DIFF_EXAMPLES = [
    ex
    for block in example_blocks()
    for ex in block
    if ex.command.startswith("honcho-contract diff ")
]
# A block that merges shards' reports runs in order, in one directory.
MERGE_BLOCKS = [
    block
    for block in example_blocks()
    if any(ex.command.startswith("honcho-contract merge ") for ex in block)
]
# The block that makes the development page's tables of the test command's costs.
COSTS_BLOCK = next(
    (b for b in example_blocks() if any("tests/costs.py" in ex.command for ex in b)), []
)
SUITE_EXAMPLES = [
    ex
    for block in example_blocks()
    if block not in MERGE_BLOCKS + SERVED_BLOCKS
    for ex in block
    if ex.command.startswith(("honcho-contract ", "pytest --pyargs"))
    and ex not in DIFF_EXAMPLES + PROXY_EXAMPLES
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
    covered = {install_run.command, install_test.command, url_install().command}
    covered |= {ex.command for ex in MOCK_EXAMPLES + TOKEN_EXAMPLES + SUITE_EXAMPLES}
    covered |= {ex.command for block in SERVED_BLOCKS for ex in block}
    covered |= {ex.command for ex in DIFF_EXAMPLES}
    covered |= {ex.command for block in MERGE_BLOCKS for ex in block}
    covered |= {ex.command for ex in PROXY_EXAMPLES + PROXY_CLIENTS}
    covered |= {ex.command for ex in COSTS_BLOCK}
    listed = {ex.command for block in console_blocks() for ex in block}
    assert listed == covered
    assert len(MOCK_EXAMPLES) >= 3
    assert len(SERVED_BLOCKS) >= 3


def test_ci_runs_the_readme_test_command() -> None:
    _, install_test = setup_commands()
    ci_lines = (ROOT / ".ci" / "run").read_text().splitlines()
    assert any(line.endswith(install_test.command) for line in ci_lines)
    assert install_test.command == (
        "python3 -m venv .venv && . .venv/bin/activate && pip install tox && python3 -m tox"
    )


def test_the_costs_example_reads_the_test_commands_log(tmp_path: Path) -> None:
    tox, costs = COSTS_BLOCK
    _, install_test = setup_commands()
    test_command = install_test.command.split("&&")[-1].strip()  # python3 -m tox
    assert tox.command == f"{test_command} -- --durations=0 2>&1 | tee tox.log"
    log = Path(__file__).parent / "data_costs_tox.log"  # the one tests/test_costs.py reads
    table = run(costs.command.replace("tox.log", str(log)), cwd=ROOT)
    development = page("development.md")
    headers = [line for line in table.splitlines() if line.startswith("| env |")
               or line.startswith("| test file |")]  # fmt: skip
    assert len(headers) == 2
    assert all(f"\n{header}\n" in development for header in headers)


@pytest.mark.parametrize("example", MOCK_EXAMPLES, ids=lambda ex: ex.output[0][:40])
def test_mock_example(example: Example, mock_url: str) -> None:
    output = run(example.command.replace(README_URL, mock_url))
    assert example.matches(output), output


@pytest.mark.parametrize("example", TOKEN_EXAMPLES, ids=["token"])
@pytest.mark.slow
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
@pytest.mark.slow
def test_contract_suite_example(example: Example, mock_url: str, tmp_path: Path) -> None:
    output = run(example.command.replace(README_URL, mock_url), cwd=tmp_path)
    assert example.matches(output.replace(mock_url, README_URL)), output


@pytest.mark.parametrize("block", MERGE_BLOCKS, ids=lambda block: str(len(block)))
@pytest.mark.slow
def test_shards_example(block: list[Example], mock_url: str, tmp_path: Path) -> None:
    for example in block:
        output = run(example.command.replace(README_URL, mock_url), cwd=tmp_path)
        assert example.matches(output.replace(mock_url, README_URL)), (example.command, output)
    assert len(json.loads((tmp_path / "all.json").read_text())["places"]) > 10


@pytest.mark.parametrize("example", DIFF_EXAMPLES, ids=lambda ex: ex.command.split()[1])
@pytest.mark.pinned_runtime
@pytest.mark.slow
def test_diff_example(example: Example, mock_url: str, auth_mock_url: str, tmp_path: Path) -> None:
    # The second server runs with auth on, as in the docs; the servers disagree: exit 1.
    command = example.command.replace(README_B_URL, auth_mock_url).replace(README_URL, mock_url)
    done = subprocess.run(
        ["bash", "-c", command], capture_output=True, text=True, timeout=300,
        env={"PATH": f"{BIN}:/usr/bin:/bin"}, cwd=tmp_path, check=False,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    output = done.stdout.replace(mock_url, README_URL).replace(auth_mock_url, README_B_URL)
    assert example.matches(output), output


@pytest.mark.parametrize("block", SERVED_BLOCKS, ids=lambda block: block[0].command[:-2])
@pytest.mark.slow
def test_example_with_its_own_mock(block: list[Example], tmp_path: Path) -> None:
    start, *examples = block
    match = SERVE.match(start.command)
    assert match is not None
    command = [console_script("honcho-mock"), *shlex.split(match.group(1))]
    mock = MockProcess(command, cwd=tmp_path, env={"HONCHO_MOCK_PORT": "0"})
    url = mock.wait_listening()
    try:
        assert start.matches(f"listening on {url}".replace(url, README_URL))
        for example in examples:
            output = run(example.command.replace(README_URL, url)).replace(url, README_URL)
            assert example.matches(output), f"{example.command}\n{output}"
    finally:
        code, err = mock.stop(signal.SIGTERM)
    assert code == 0, err


@pytest.mark.parametrize(
    ("name", "source"), python_test_files(), ids=[name for name, _ in python_test_files()]
)
@pytest.mark.slow
def test_python_example_passes_under_pytest(name: str, source: str, tmp_path: Path) -> None:
    (tmp_path / name).write_text(source, encoding="utf-8")
    command = f"{sys.executable} -m pytest -q -p no:cacheprovider {name}"
    output = run(command, cwd=tmp_path)
    tests = source.count("\ndef test_")
    assert f"{tests} passed" in output, output


@pytest.mark.parametrize(
    ("name", "source"), javascript_test_files(), ids=[name for name, _ in javascript_test_files()]
)
@pytest.mark.slow
def test_javascript_example_passes_under_node(
    name: str, source: str, tmp_path: Path, honcho_mock_factory: Any
) -> None:
    # A mock of its own, as the example's comment starts one; the SDK from the checkout's npm ci.
    node = shutil.which("node")
    modules = ROOT / "node_modules"
    if node is None or not (modules / "@honcho-ai" / "core").is_dir():
        if os.environ.get("CI"):
            pytest.fail("node and @honcho-ai/core are needed: install Node.js 18+, run npm ci")
        pytest.skip("node or @honcho-ai/core missing: install Node.js 18+ and run npm ci")
    mock = honcho_mock_factory(allow_faults=True)
    (tmp_path / name).write_text(source, encoding="utf-8")
    done = subprocess.run(
        [node, "--test", name], capture_output=True, text=True, timeout=120, cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "HONCHO_MOCK_URL": mock.url, "NODE_PATH": str(modules)},
        check=False,
    )  # fmt: skip
    tests = source.count("\ntest(")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"# pass {tests}\n" in done.stdout, done.stdout


def test_the_docs_have_their_javascript_example() -> None:
    assert [name for name, _ in javascript_test_files()] == ["retry.test.js"]


@pytest.mark.parametrize("example", PROXY_EXAMPLES, ids=["proxy"])
@pytest.mark.slow
def test_proxy_example(example: Example, mock_url: str) -> None:
    # The proxy runs until SIGINT, in front of the mock; the clients' examples go through it.
    port = free_port()
    proxy_url = f"http://127.0.0.1:{port}"
    command = example.command.replace(README_URL, mock_url).replace(
        f"--port {README_PROXY_URL.rsplit(':', 1)[1]}", f"--port {port}"
    )
    proxy = subprocess.Popen(
        ["bash", "-c", f"exec {command}"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, cwd=ROOT, start_new_session=True,
        env={**os.environ, "PATH": f"{BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}"},
    )  # fmt: skip
    assert proxy.stdout is not None
    try:
        first = proxy.stdout.readline()
        for client in PROXY_CLIENTS:
            output = run(client.command.replace(README_PROXY_URL, proxy_url))
            assert client.matches(output), f"{client.command}\n{output}"
        time.sleep(0.3)  # Prism logs a request just after answering it
        os.killpg(proxy.pid, signal.SIGINT)
        rest, err = proxy.communicate(timeout=30)
    finally:
        if proxy.poll() is None:
            os.killpg(proxy.pid, signal.SIGTERM)
            proxy.communicate(timeout=30)
    assert proxy.returncode == 1, err
    output = (first + rest).replace(proxy_url, README_PROXY_URL).replace(mock_url, README_URL)
    assert example.matches(output), output
