"""Reproducers run with ``sh`` from an empty directory and send the probe's bytes again."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from contract_tests.cases.builder import DEFAULT_WORKSPACE, ProbeSet
from contract_tests.cases.facts import ContractFacts
from contract_tests.cases.probes import build_probes
from contract_tests.cli import main
from contract_tests.wire.reproduce import curl_command, long_bodies, write_bodies
from honcho_spec import load_document
from mock_server import BackgroundServer, MockSettings

from gallery import CASES, SERVER_ERROR, crashes_on_nul, decided
from raw_server import raw_server

pytestmark = [pytest.mark.slow, pytest.mark.once]

STATUS_LINE = re.compile(rb"^HTTP/[\d.]+ (\d{3})", re.MULTILINE)


def replay(command: str, folder: Path) -> int | None:
    done = subprocess.run(["sh", "-c", command], capture_output=True, timeout=60, cwd=folder,
                          check=False)  # fmt: skip
    found = STATUS_LINE.findall(done.stdout)
    return int(found[-1]) if found else None


def probes() -> list[Any]:
    document = load_document()
    facts = ContractFacts.from_document(document)
    credentials = (("authorization", "Bearer t\u00e9"),)  # a byte past ASCII, sent as is
    return build_probes(ProbeSet(facts, document, DEFAULT_WORKSPACE, auth_headers=credentials))


def test_every_probe_reproducer_sends_the_same_bytes(tmp_path: Path) -> None:
    received: list[tuple[str, str, dict[str, str], bytes]] = []

    def record(method: str, path: str, headers: dict[str, str], body: bytes) -> Any:
        received.append((method, path, headers, body))
        return 204, [], b""

    empty = tmp_path / "empty"
    empty.mkdir()
    sent = probes()
    with raw_server(record) as url:
        for probe in sent:
            command = curl_command(url, probe, show_secrets=True, bodies=tmp_path / "bodies")
            write_bodies(tmp_path / "bodies", long_bodies([probe]))  # as a run does for those shown
            assert replay(command, empty) == 204, command[:300]
    assert len(received) == len(sent)
    for probe, (method, path, headers, body) in zip(sent, received, strict=True):
        assert (method, path) == (probe.method, probe.path)
        assert body == (probe.body or b""), probe.name
        wanted = {name.lower(): value for name, value in probe.headers}
        # a header the probe does not carry is not sent (curl's own content-type above all)
        assert headers.get("content-type") == wanted.get("content-type"), probe.name
        assert headers.get("authorization") == wanted["authorization"], probe.name


@pytest.mark.parametrize(
    "server",
    ["crashes on NUL, hangs up after a 500", "accepts an unknown dream type", "the mock"],
)
def test_every_reproducer_of_a_run_replays_to_the_same_status(server: str, tmp_path: Path) -> None:
    report_path = tmp_path / "report" / "report.json"
    report_path.parent.mkdir()
    empty = tmp_path / "empty"
    empty.mkdir()
    if server == "the mock":
        context: Any = BackgroundServer(MockSettings(port=0, log_level="critical"))
    elif server.startswith("crashes"):
        context = raw_server(crashes_on_nul, hang_up_after={500})
    else:
        (case,) = [c for c in CASES if c.name == server]
        context = BackgroundServer(MockSettings(port=0, log_level="critical"), app=case.app())
    with context as running:
        url = running if isinstance(running, str) else running.url
        main(["run", "--base-url", url, "--report-json", str(report_path)])
        report = json.loads(report_path.read_text())
        findings = [f for f in report["failures"] + report["warnings"]
                    if f["reproducer"] and f["status"] is not None]  # fmt: skip
        assert findings
        for finding in findings:
            assert replay(finding["reproducer"], empty) == finding["status"], finding
    assert list(empty.iterdir()) == []  # nothing needed from the working directory


def _long_bodies_fail(method: str, path: str, headers: dict[str, str], body: bytes) -> Any:
    """The mock's decision, but one 500 for every body too long for a reproducer's line
    (up to 100 kB: the megabytes sent again to confirm each would only cost time)."""
    if 2_000 < len(body) < 100_000:
        return SERVER_ERROR[0], list(SERVER_ERROR[1].items()), SERVER_ERROR[2]
    return decided(method, path, headers, body)


def test_a_run_writes_the_body_files_its_report_references_and_no_more(tmp_path: Path) -> None:
    report_path = tmp_path / "report.json"
    with raw_server(_long_bodies_fail) as url:
        main(["run", "--base-url", url, "-q", "--max-examples", "5", "--report-json",
              str(report_path)])  # fmt: skip
    report = json.loads(report_path.read_text())
    reproducers = [f["reproducer"] for f in report["failures"] + report["warnings"]]
    referenced = {Path(path) for r in reproducers for path in re.findall(r"@(/\S+\.bin)", r)}
    # a cause that many long bodies showed, its reproducer sending one of them from a file
    assert any(f["cases"] > 1 and "@/" in f["reproducer"] for f in report["failures"])
    assert set((tmp_path / "reproducers").iterdir()) == referenced
