"""``--reload``: an edited document is served from the next request; a broken edit is not."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from honcho_spec import default_document_path
from mock_server import BackgroundServer, MockSettings

from cli_process import MockProcess, console_script

PATH = "/v2/workspaces/ws-1/trigger_dream"
SLEEP = {"observer": "alice", "dream_type": "sleep"}
ORIGINAL = default_document_path().read_text(encoding="utf-8")
WITH_SLEEP = ORIGINAL.replace("        - agent\n", "        - agent\n        - sleep\n")


def edit(spec: Path, text: str) -> None:
    before = spec.stat().st_mtime_ns
    spec.write_text(text, encoding="utf-8")
    os.utime(spec, ns=(before + 1_000_000, before + 1_000_000))  # a new mtime, however fast


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    path = tmp_path / "honcho.yaml"
    path.write_text(ORIGINAL, encoding="utf-8")
    return path


@pytest.fixture
def mock(spec: Path) -> Iterator[str]:
    settings = MockSettings(port=0, log_level="critical", spec_path=spec, reload=True)
    with BackgroundServer(settings) as server:
        yield server.url


@pytest.mark.slow
def test_edit_is_served_from_the_next_request(spec: Path, mock: str) -> None:
    assert WITH_SLEEP != ORIGINAL
    assert httpx.post(mock + PATH, json=SLEEP).status_code == 422
    edit(spec, WITH_SLEEP)
    assert httpx.post(mock + PATH, json=SLEEP).status_code == 204
    edit(spec, ORIGINAL)
    rejected = httpx.post(mock + PATH, json=SLEEP)
    assert rejected.json()["detail"][0]["msg"] == "Input should be 'consolidate' or 'agent'"
    journal = httpx.get(f"{mock}/__mock__/requests").json()
    assert [entry["status"] for entry in journal] == [422, 204, 422]  # kept across reloads


@pytest.mark.parametrize(
    ("broken", "fragment"),
    [
        pytest.param("openapi: [unclosed\n", "not valid YAML or JSON", id="invalid-yaml"),
        pytest.param(
            ORIGINAL.replace("'#/components/schemas/DreamType'", "'#/components/schemas/Nope'"),
            "points nowhere",
            id="broken-ref",
        ),
        pytest.param(
            ORIGINAL.replace("/v2/workspaces/{workspace_id}/trigger_dream:", "/__mock__/x:"),
            "reaches the mock's control paths",
            id="control-path",
        ),
    ],
)
@pytest.mark.slow
def test_broken_edit_keeps_the_document_and_logs_one_line(
    spec: Path, broken: str, fragment: str
) -> None:
    command = [console_script("honcho-mock"), "--port", "0", "--spec", str(spec), "--reload"]
    process = MockProcess([*command, "--log-level", "warning"])
    url = process.wait_listening()
    edit(spec, broken)
    answers = [httpx.post(url + PATH, json=SLEEP).status_code for _ in range(3)]
    edit(spec, WITH_SLEEP)
    fixed = httpx.post(url + PATH, json=SLEEP).status_code
    code, err = process.stop(signal.SIGTERM)
    assert (answers, fixed, code) == ([422, 422, 422], 204, 0)
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("WARNING:  reload failed, still serving the previous document: ")
    assert fragment in lines[0]


def test_missing_file_mid_save_keeps_the_document(spec: Path, mock: str) -> None:
    spec.unlink()
    assert httpx.post(mock + PATH, json=SLEEP).status_code == 422
    spec.write_text(WITH_SLEEP, encoding="utf-8")
    assert httpx.post(mock + PATH, json=SLEEP).status_code == 204
