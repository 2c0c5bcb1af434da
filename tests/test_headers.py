"""``-H/--header NAME: VALUE`` (``--contract-header`` under pytest): extra headers on every
request, the kit's probes and schemathesis's cases alike, and in the reproducers, credentials
masked."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from contract_tests.cases.model import Finding, Probe, Severity
from contract_tests.cli import main
from contract_tests.plugin import contract_config
from contract_tests.wire.reproduce import redacted

from gallery import crashes_on_nul
from raw_server import raw_server

DEAD = "http://127.0.0.1:9"  # refused before any request


@pytest.mark.parametrize(
    ("header", "fragment"),
    [
        pytest.param("X-Env staging", "'X-Env staging' is no header: no colon", id="no-colon"),
        pytest.param(": staging", "names no header before its colon", id="empty-name"),
        pytest.param("X Env: staging", "'X Env' is no header name", id="name-not-a-token"),
        pytest.param("X-Env:", "has no value a header may carry", id="empty-value"),
        pytest.param("X-Env: a\r\nX-Injected: 1", "has no value a header may carry", id="crlf"),
        pytest.param("X-Env: a\nb", "has no value a header may carry", id="lf"),
        pytest.param("X-Env: \u20ac", "has no value a header may carry", id="past-latin-1"),
        # the kit writes these per request: a -H would change what a probe tests
        pytest.param("Authorization: Bearer t", "pass --token T", id="authorization"),
        pytest.param("content-type: text/plain", "the kit sends each probe's own",
                     id="content-type"),
        pytest.param("Content-Length: 3", "'Content-Length' is a header the kit writes",
                     id="content-length"),
        pytest.param("Host: example.org", "it is --base-url's", id="host"),
    ],
)  # fmt: skip
def test_a_malformed_header_is_one_usage_line(
    header: str, fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "--base-url", DEAD, "-H", "X-Ok: 1", "-H", header]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("honcho-contract: error: argument -H/--header: "), line
    assert fragment in line


def test_a_probe_keeps_its_own_value_of_a_header_it_sets() -> None:
    probe = Probe("p", "body", "POST", "/", b"{}", (("Accept", "application/json"),))
    sent = probe.with_headers((("accept", "*/*"), ("X-Env", "staging")))
    assert sent.headers == (("Accept", "application/json"), ("X-Env", "staging"))


def test_generated_cases_reproducers_are_masked_by_the_runs_credential_headers() -> None:
    # schemathesis's cases come with the headers as sent: masked in the report by value
    sent = "curl -H 'authorization: Bearer tok' -H 'X-Api-Key: s3cret' -H 'X-Env: staging'"
    finding = Finding("server_error", Severity.FAILURE, 500, "body", "m", reproducer=sent)
    headers = (("authorization", "Bearer tok"), ("X-Api-Key", "s3cret"), ("X-Env", "staging"))
    (masked,) = redacted([finding], headers, show_secrets=False)
    assert masked.reproducer == ("curl -H 'authorization: Bearer [redacted]' "
                                 "-H 'X-Api-Key: [redacted]' -H 'X-Env: staging'")  # fmt: skip
    (shown,) = redacted([finding], headers, show_secrets=True)
    assert shown.reproducer == sent


class _PytestConfig:
    """What contract_config reads of pytest's config: the options as parsed, and a stash."""

    def __init__(self, **options: Any) -> None:
        self.stash = pytest.Stash()
        self._options = options

    def getoption(self, name: str, default: Any = None) -> Any:
        return self._options.get(name, default)


def test_pytest_mode_takes_repeated_headers_and_refuses_a_bad_one() -> None:
    base = {"base_url": "http://127.0.0.1:8000"}
    good = _PytestConfig(**base, contract_header=["X-Env: staging", "X-Team:  kit "])
    suite = contract_config(good)  # type: ignore[arg-type]
    assert suite is not None
    assert suite.headers == (("X-Env", "staging"), ("X-Team", "kit"))
    bad = _PytestConfig(**base, contract_header=["X-Env: staging\r\nX-Injected: 1"])
    with pytest.raises(pytest.UsageError, match="--contract-header 'X-Env: staging"):
        contract_config(bad)  # type: ignore[arg-type]


@pytest.mark.slow
def test_every_request_carries_the_headers_and_the_reproducers_mask_credentials(
    tmp_path: Path,
) -> None:
    seen: list[dict[str, str]] = []

    def record(method: str, path: str, headers: dict[str, str], body: bytes) -> Any:
        seen.append(headers)
        return crashes_on_nul(method, path, headers, body)

    report_path = tmp_path / "report.json"
    with raw_server(record) as url:
        code = main(["run", "--base-url", url, "-q", "--max-examples", "5", "-H", "X-Env: staging",
                     "-H", "X-Api-Key: s3cret", "--report-json", str(report_path)])  # fmt: skip
    report = json.loads(report_path.read_text())
    assert code == 1  # a NUL's 500: findings with reproducers
    # the kit's probes and schemathesis's cases (its own id header on each) alike
    assert any("x-schemathesis-testcaseid" in headers for headers in seen)
    assert any("x-schemathesis-testcaseid" not in headers for headers in seen)
    assert all((h.get("x-env"), h.get("x-api-key")) == ("staging", "s3cret") for h in seen)
    reproducers = [f["reproducer"] for f in report["failures"] + report["warnings"]
                   if f["reproducer"]]  # fmt: skip
    assert reproducers
    assert all("-H 'X-Env: staging' -H 'X-Api-Key: [redacted]'" in r for r in reproducers)
    assert "s3cret" not in report_path.read_text()
