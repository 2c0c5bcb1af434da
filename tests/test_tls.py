"""TLS: ``--tls-verify true|false|CA.pem``, ``--cert`` and ``--key``, against the mock served
over TLS on loopback with self-signed certificates made here (``openssl``), asking for a
client certificate: the kit's connections and schemathesis's engine alike."""

from __future__ import annotations

import gc
import json
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from contract_tests.cli import main
from mock_server import MockSettings, create_app

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")
DEAD = "https://127.0.0.1:9"  # refused before any request


def _self_signed(folder: Path, name: str, subject: str, *extra: str) -> tuple[Path, Path]:
    cert, key = folder / f"{name}.pem", folder / f"{name}.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", subject,
                    "-keyout", str(key), "-out", str(cert), *extra],
                   check=True, capture_output=True, timeout=30)  # fmt: skip
    return cert, key


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The mock over TLS, its certificate its own CA, trusting one client certificate."""
    folder = tmp_path_factory.mktemp("tls")
    server_cert, server_key = _self_signed(folder, "server", "/CN=127.0.0.1",
                                           "-addext", "subjectAltName=IP:127.0.0.1")  # fmt: skip
    client_cert, client_key = _self_signed(folder, "client", "/CN=contract-kit")
    config = uvicorn.Config(create_app(settings=MockSettings()), log_level="critical",
                            lifespan="off", ssl_certfile=str(server_cert),
                            ssl_keyfile=str(server_key), ssl_ca_certs=str(client_cert),
                            ssl_cert_reqs=ssl.CERT_REQUIRED)  # fmt: skip
    server = uvicorn.Server(config)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started and thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert server.started
        yield {"url": f"https://127.0.0.1:{sock.getsockname()[1]}", "ca": str(server_cert),
               "client": ["--cert", str(client_cert), "--key", str(client_key)]}  # fmt: skip
        # schemathesis's sessions keep their TLS connections open until collected, and the
        # server's shutdown waits for each one's close: 10 s, not 0.3 s, without this
        gc.collect()
        server.should_exit = True
        thread.join(timeout=10)


def _refused(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["run", *args]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    return line


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        pytest.param(["--tls-verify", "missing.pem"], "--tls-verify missing.pem: no such file",
                     id="ca-bundle"),
        pytest.param(["--cert", "missing.pem"], "--cert missing.pem: no such file", id="cert"),
        pytest.param(["--tls-verify", ""], "'' is no CA bundle", id="empty"),
        pytest.param(["--key", __file__], "--key without --cert", id="key-alone"),
        pytest.param(["--tls-verify", __file__], "OpenSSL cannot read it", id="not-pem"),
    ],
)  # fmt: skip
def test_a_file_it_cannot_use_is_one_usage_line(
    args: list[str], fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert fragment in _refused(capsys, "--base-url", DEAD, *args)


@pytest.mark.slow
def test_an_untrusted_certificate_is_one_line_with_the_fix(
    tls: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    line = _refused(capsys, "--base-url", tls["url"], *tls["client"])
    assert "certificate verify failed" in line
    assert "pass --tls-verify CA.pem" in line


@pytest.mark.slow
def test_without_the_client_certificate_the_server_hangs_up(
    tls: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    line = _refused(capsys, "--base-url", tls["url"], "--tls-verify", tls["ca"])
    assert "does not answer a valid request" in line
    assert "pass --cert" in line


@pytest.mark.slow
@pytest.mark.parametrize("verify", ["ca", "false"])
def test_a_run_over_tls_passes_when_told_what_to_trust(
    tls: dict[str, Any], verify: str, tmp_path: Path
) -> None:
    report_path = tmp_path / "report.json"
    code = main(["run", "--base-url", tls["url"], "-q", "--max-examples", "5",
                 "--tls-verify", tls.get(verify, verify), *tls["client"],
                 "--report-json", str(report_path)])  # fmt: skip
    report = json.loads(report_path.read_text())
    # schemathesis's engine too: without the certificate its cases go unanswered (no_answer)
    assert (code, report["failures"], report["errors"]) == (0, [], [])
