"""A wrong set-up is named as such, before the run, exit 2 and one line: not a broken server.

A base URL with an extra ``/v2`` (or a ``--spec`` whose path the server lacks) gave 16 to 19
``expected_status [404]`` failures; a wrong ``--jwt-secret``, 13.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from mock_server import BackgroundServer, MockSettings

from cli_process import console_script
from raw_server import raw_server

CONTRACT = console_script("honcho-contract")
JSON = [("content-type", "application/json")]
Answer = tuple[int, list[tuple[str, str]], bytes]
pytestmark = pytest.mark.slow


def _run(url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CONTRACT, "run", "--base-url", url, "-q", "--max-examples", "5",
         "--report-json", str(tmp_path / "r.json"), *args],
        capture_output=True, text=True, timeout=300, check=False, cwd=tmp_path,
    )  # fmt: skip


def test_a_base_url_that_misses_the_operation_is_one_line(mock_url: str, tmp_path: Path) -> None:
    done = _run(f"{mock_url}/v2", tmp_path)
    assert done.returncode == 2, done.stdout
    (line,) = done.stderr.strip().splitlines()
    assert "answers 404 to the operation's requests, valid and invalid" in line
    assert "check that --base-url is the server's root" in line
    assert not (tmp_path / "r.json").exists()  # no report of a run that did not run


def test_a_404_for_a_valid_request_alone_is_the_servers_finding(tmp_path: Path) -> None:
    # The path is served (an invalid body gets its 422): the 404 is the server's bug.
    def unknown_workspaces_404(method: str, path: str, headers: dict[str, str],
                               body: bytes) -> Answer:  # fmt: skip
        if body == b"{}":
            return 422, JSON, b'{"detail":[{"loc":["body"],"msg":"m","type":"t"}]}'
        return 404, JSON, b'{"detail":"Not Found"}'

    with raw_server(unknown_workspaces_404) as url:
        done = _run(url, tmp_path)
    assert done.returncode == 1, done.stderr
    assert "expected_status [404]" in done.stdout


@pytest.mark.parametrize("given", ["wrong-secret", "s3cret"])
def test_tokens_of_another_secret_are_one_line(given: str, tmp_path: Path) -> None:
    settings = MockSettings(port=0, log_level="critical", auth_jwt_secret="s3cret")
    with BackgroundServer(settings) as server:
        done = _run(server.url, tmp_path, "--jwt-secret", given)
    if given == "s3cret":  # the server's own: the run goes on
        assert done.returncode == 0, done.stdout + done.stderr
        return
    assert done.returncode == 2, done.stdout
    (line,) = done.stderr.strip().splitlines()
    assert "tokens minted with --jwt-secret are refused (401)" in line
    assert "the secret does not match the server's" in line
