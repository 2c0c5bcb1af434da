"""Prism, driven by the kit: an oracle nobody here wrote for the mock, and a mock to judge.

Prism takes about 1.2 s to start, so each Prism process is shared by the module. Prism
never answers a body that does not parse as JSON under a JSON content-type, so each such
probe waits out the suite's timeout: the three contract runs go in parallel, as processes.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.types import ASGIApp, Receive, Scope, Send

from contract_tests.cases.locate import place_of
from contract_tests.errors import UnreachableError, UsageError
from contract_tests.prism.driver import Prism, PrismError, find_prism
from contract_tests.prism.install import MANIFEST, pinned_version
from contract_tests.prism.log import PrismLog, Violation
from contract_tests.prism.proxy import ProxyOptions, check_upstream
from honcho_spec import default_document_path
from mock_server import BackgroundServer, MockSettings

from cli_process import console_script
from gallery import CASES

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
PRISM = ROOT / "node_modules" / ".bin" / "prism"
CONTRACT = console_script("honcho-contract")
DOCUMENT = default_document_path()
QUIET = MockSettings(port=0, log_level="critical")
BEARER = {"authorization": "Bearer t"}
OPERATION = "/v2/workspaces/{}/trigger_dream"
# Prism answers in milliseconds; only the requests it never answers wait this long.
TIMEOUT = "1.5"
SENTINEL = "/kit-sentinel"
INFO = "\N{INFORMATION SOURCE}"  # Prism's mark on info lines


def pins(findings: list[dict[str, Any]]) -> set[tuple[str, str]]:
    """Each cause as (check, place), once for each place it was found at; ``flaky``
    warnings left out: a failure its re-send did not show again tells of the machine's load
    (Prism answering a 10 MiB body past the timeout on a busy machine), not of Prism."""
    return {(f["check"], place_of(location)) for f in findings if f["check"] != "flaky"
            for location in f["locations"]}  # fmt: skip


# --- the driver and the log reader, without a server --------------------------------------


def test_find_prism_prefers_the_explicit_path_then_the_environment(tmp_path: Path) -> None:
    fake = tmp_path / "prism"
    fake.write_text("#!/bin/sh\n")
    assert find_prism(fake, environ={}) == fake
    assert find_prism(environ={"HONCHO_CONTRACT_PRISM": str(fake)}) == fake


NODE = {"node": "/usr/bin/node", "npm": "/usr/bin/npm"}


@pytest.mark.parametrize(
    ("which", "found", "fragment"),
    [
        pytest.param({}, "script", "Node.js not found on PATH", id="no-node"),
        pytest.param({"node": "/usr/bin/node"}, None, "Prism is not installed", id="no-npm"),
        pytest.param(NODE, "/nowhere/prism", "/nowhere/prism: no Prism executable", id="bad-path"),
        pytest.param(NODE, None, "Prism is not installed", id="missing"),
    ],
)
def test_missing_prism_is_one_line_with_the_fix(
    which: dict[str, str],
    found: str | None,
    fragment: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("contract_tests.prism.driver.CHECKOUT", tmp_path)
    (tmp_path / "package.json").write_text("{}")
    if found == "script":  # installed by npm, a script for Node
        script = tmp_path / "node_modules" / ".bin" / "prism"
        script.parent.mkdir(parents=True)
        script.write_text("#!/usr/bin/env node\n")
    with pytest.raises(PrismError) as caught:
        find_prism(None if found == "script" else found, cwd=tmp_path, which=which.get,
                   environ={"HONCHO_CONTRACT_PRISM_HOME": str(tmp_path / "home")})  # fmt: skip
    message = str(caught.value)
    assert fragment in message
    assert message.endswith("run honcho-contract prism install, or pass --prism PATH")
    assert ("install Node.js 20+ with npm, then" in message) is (which != NODE)
    assert "\n" not in message


def test_find_prism_falls_back_to_the_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("contract_tests.prism.driver.CHECKOUT", tmp_path)
    which = {**NODE, "prism": "/opt/bin/prism"}.get
    environ = {"HONCHO_CONTRACT_PRISM_HOME": str(tmp_path / "home")}
    assert find_prism(cwd=tmp_path, which=which, environ=environ) == Path("/opt/bin/prism")


def test_find_prism_looks_where_prism_install_puts_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("contract_tests.prism.driver.CHECKOUT", tmp_path / "checkout")
    script = tmp_path / "home" / "node_modules" / ".bin" / "prism"
    script.parent.mkdir(parents=True)
    script.write_text("#!/usr/bin/env node\n")
    environ = {"HONCHO_CONTRACT_PRISM_HOME": str(tmp_path / "home")}
    assert find_prism(cwd=tmp_path, which=NODE.get, environ=environ) == script


def test_the_kit_pins_one_prism() -> None:
    # the checkout's package.json (tox's npm ci) and the manifest prism install uses
    root = Path(__file__).resolve().parent.parent
    pinned = json.loads((root / "package.json").read_text())["devDependencies"]
    assert pinned["@stoplight/prism-cli"] == pinned_version()
    lock = json.loads((MANIFEST / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/@stoplight/prism-cli"]["version"] == pinned_version()


def test_package_json_pins_the_prism_the_checkout_finds() -> None:
    # Installed as a wheel (as tox does), the kit finds Prism under the working directory.
    root = Path(__file__).resolve().parent.parent
    pinned = json.loads((root / "package.json").read_text())["devDependencies"]
    assert pinned["@stoplight/prism-cli"] == "5.16.0"
    assert find_prism(cwd=root) == root / "node_modules" / ".bin" / "prism"


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        pytest.param(
            [f'[PROXY] {INFO}  info      > Forwarding "post" request to http://u:1/v2/workspaces/w/'
             "trigger_dream...",
             f"[PROXY] {INFO}  info      The upstream call to /v2/workspaces/w/trigger_dream has "
             "returned 422",
             "[VALIDATOR] ✖  error     Violation: response.body.detail Response body property "
             "detail must be array"],
            Violation("error", "response.body.detail", "Response body property detail must be "
                      "array", "POST", "/v2/workspaces/w/trigger_dream", 422),
            id="response",
        ),
        pytest.param(
            [f"[HTTP SERVER] post /v2/workspaces/w/trigger_dream {INFO}  info  Request received",
             "[VALIDATOR] ✖  error     Violation: request.body.observer Request body property "
             "observer must be string"],
            Violation("error", "request.body.observer", "Request body property observer must "
                      "be string", "POST", "/v2/workspaces/w/trigger_dream"),
            id="request",
        ),
        pytest.param(
            ["[HTTP SERVER] get /x ✖  error     Request terminated with error: https://stoplight"
             ".io/prism/errors#NO_PATH_MATCHED_ERROR: Route not resolved, no path matched"],
            Violation("error", "request", "Route not resolved, no path matched (Prism answered "
                      "itself)", "GET", "/x"),
            id="refused",
        ),
        pytest.param(
            ["[HTTP SERVER] post /y ✖  error     Request terminated with error: FetchError: "
             "request to http://u:1/y failed, reason: connect ECONNREFUSED 127.0.0.1:1"],
            Violation("error", "upstream", "Prism could not forward the exchange (FetchError: "
                      "request to http://u:1/y failed, reason: connect ECONNREFUSED 127.0.0.1:1)",
                      "POST", "/y"),
            id="upstream-down",
        ),
    ],
)  # fmt: skip
def test_prism_log_lines_become_violations(lines: list[str], expected: Violation) -> None:
    log = PrismLog("http://u:1")
    found = [v for v in map(log.feed, lines) if v is not None]
    assert found == [expected]
    assert expected.line().endswith("]")


def test_lines_that_are_no_violation_give_nothing() -> None:
    log = PrismLog()
    assert log.feed("[CLI] ▶  start     Prism is listening on http://127.0.0.1:4010") is None
    assert log.feed("[VALIDATOR] ✖  error     Request body must be object") is None
    assert log.violations == []


@pytest.mark.parametrize(
    ("flags", "fragment"),
    [
        pytest.param({}, "pass --upstream URL", id="no-upstream"),
        pytest.param({"upstream": "localhost:8000"}, r"not an http\(s\) URL", id="no-scheme"),
        pytest.param({"upstream": "http://h", "port": 70000}, "out of range", id="port"),
    ],
)
def test_proxy_options_refuse_bad_values(flags: dict[str, Any], fragment: str) -> None:
    with pytest.raises(UsageError, match=fragment):
        ProxyOptions.resolve(flags, environ={})


def test_proxy_options_flag_beats_environment() -> None:
    env = {"HONCHO_CONTRACT_UPSTREAM": "http://a:1", "HONCHO_CONTRACT_PORT": "4999"}
    assert ProxyOptions.resolve({}, environ=env).port == 4999
    assert ProxyOptions.resolve({"upstream": "http://b:2"}, environ=env).upstream == "http://b:2"


def test_a_dead_upstream_is_refused_before_prism_starts() -> None:
    with pytest.raises(UnreachableError, match="cannot reach the upstream server"):
        check_upstream("http://127.0.0.1:9")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        pytest.param([], "pass --upstream URL", id="no-upstream"),
        pytest.param(["--upstream", "http://127.0.0.1:9"], "cannot reach", id="dead-upstream"),
        pytest.param(
            ["--upstream", "UPSTREAM", "--prism", "/nowhere/prism"],
            "no Prism executable",
            id="no-prism",
        ),
        pytest.param(
            ["--upstream", "UPSTREAM", "--spec", "/nowhere.yaml"], "no such file", id="no-document"
        ),
        pytest.param(["--port", "x"], "invalid int value", id="bad-port"),
    ],
)
@pytest.mark.once
def test_proxy_usage_errors_are_one_line(args: list[str], fragment: str, mock_url: str) -> None:
    args = [mock_url if arg == "UPSTREAM" else arg for arg in args]
    done = subprocess.run([CONTRACT, "proxy", *args], capture_output=True, text=True,
                          timeout=60, check=False)  # fmt: skip
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("honcho-contract: error: ")
    assert fragment in lines[0]


@pytest.mark.once
def test_a_document_prism_refuses_is_one_line(tmp_path: Path) -> None:
    document = tmp_path / "empty.yaml"
    document.write_text("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n")
    with pytest.raises(PrismError) as caught:
        Prism.mock(document, executable=PRISM, startup_timeout=20).start()
    assert "Prism did not start (No operations found in the current file.)" in str(caught.value)


# --- Prism in front of the mock: an independent oracle -----------------------------------


@pytest.fixture(scope="module")
def proxy(mock_url: str) -> Iterator[tuple[Prism, PrismLog]]:
    """Prism's proxy in front of the mock, passing traffic and logging every violation."""
    log = PrismLog(mock_url)
    with Prism.proxy(DOCUMENT, mock_url, executable=PRISM, on_line=log.feed) as prism:
        yield prism, log


@pytest.fixture(scope="module")
def prism_mock() -> Iterator[Prism]:
    with Prism.mock(DOCUMENT, executable=PRISM) as prism:
        yield prism


@pytest.fixture(scope="module")
def runs(
    proxy: tuple[Prism, PrismLog], prism_mock: Prism, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, dict[str, Any]]:
    """``honcho-contract run`` through the proxy, and against Prism's mock without and with a
    token, side by side."""
    folder = tmp_path_factory.mktemp("prism-runs")
    targets = {
        "proxy": [proxy[0].url, "--profile", "honcho"],  # all of Honcho's answers, through it
        "mock": [prism_mock.url],
        "mock-token": [prism_mock.url, "--token", "x"],
    }
    # Without a token Prism refuses every valid request (401): nothing past auth is tested.
    exits = {"proxy": 1, "mock": 2, "mock-token": 1}
    errors: dict[str, str] = {}
    env = {**os.environ, "HONCHO_CONTRACT_TIMEOUT": TIMEOUT}
    running: dict[str, subprocess.Popen[str]] = {}
    try:
        for name, (url, *args) in targets.items():
            report = str(folder / f"{name}.json")
            command = [CONTRACT, "run", "--base-url", url, *args, "--max-examples", "20",
                       "--report-json", report]  # fmt: skip
            running[name] = subprocess.Popen(
                command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env
            )
        for name, process in running.items():
            _, err = process.communicate(timeout=300)
            assert process.returncode == exits[name], f"{name}: {err[-2000:]}"
            errors[name] = err
    finally:
        for process in running.values():
            if process.poll() is None:
                process.kill()
                process.wait()
    _flush(*proxy)
    return {
        name: json.loads((folder / f"{name}.json").read_text())
        if exits[name] == 1
        else {"stderr": errors[name]}
        for name in targets
    }


def _flush(prism: Prism, log: PrismLog) -> None:
    """Wait until Prism has logged everything sent so far: a last request, then its line."""
    httpx.get(prism.url + SENTINEL, timeout=10)
    deadline = time.monotonic() + 10
    while not any(v.path == SENTINEL for v in log.violations):
        assert time.monotonic() < deadline, "Prism did not log the sentinel request"
        time.sleep(0.02)


@pytest.mark.once
def test_prism_finds_no_fault_in_the_mock_answers(
    runs: dict[str, dict[str, Any]], proxy: tuple[Prism, PrismLog]
) -> None:
    log = proxy[1]
    answers = [v for v in log.violations if v.side == "response"]
    assert [v.line() for v in answers if v.severity == "error"] == []
    # Only warnings: for the 404 the real server answers for a workspace id it cannot route
    # (empty, an encoded slash): the document's template matches, the real router does not;
    # and for Honcho's 400 to bytes its json cannot decode (a content coding it does not undo)
    assert answers
    undocumented = "Unable to match the returned status code with those defined in the document"
    assert {(v.status, v.message) for v in answers} == {
        (404, f"{undocumented}: 204,422"), (400, f"{undocumented}: 204,422"),
    }  # fmt: skip
    unroutable = [v.path for v in answers if "%2F" in v.path or v.path.count("/") == 3]
    assert unroutable == [v.path for v in answers if v.status == 404]


@pytest.mark.once
def test_prism_saw_the_suite_invalid_requests_as_such(
    runs: dict[str, dict[str, Any]], proxy: tuple[Prism, PrismLog]
) -> None:
    requests = {v.location for v in proxy[1].violations if v.side == "request"}
    assert {"request.body.observer", "request.body.observed", "request.body.dream_type",
            "request.body", "request"} <= requests  # fmt: skip
    # The one answer Prism cannot pass on: an empty 405 to HEAD, typed application/json.
    failed = {(v.method, v.message.split(":")[0]) for v in proxy[1].violations
              if v.side == "upstream"}  # fmt: skip
    assert failed == {("HEAD", "Prism could not forward the exchange (FetchError")}


# What the suite sees through Prism's proxy: each finding is Prism's doing, as the mock alone
# keeps the contract (test_contract_suite.py).
THROUGH_THE_PROXY = {
    # Prism adds content-length: 2 to every 204 that carries content-type: application/json.
    ("empty_204", "body"), ("empty_204", "body.observer"), ("empty_204", "body.observed"),
    ("empty_204", "header.authorization"), ("empty_204", "header.content-type"),
    ("empty_204", "path"), ("empty_204", "fixture"),
    # It never answers a JSON-typed body JSON.parse refuses (NaN, malformed, BOM, UTF-16).
    ("no_answer", "body"), ("no_answer", "body.observer"), ("no_answer", "body.observed"),
    ("no_answer", "body.dream_type"), ("no_answer", "fixture"),
    # It forwards re-serialised bodies: 1e999 becomes null (valid), a JSON string loses its
    # quotes, a body without content-type goes as text/plain.
    ("expected_status", "body.observed"), ("expected_status", "header.content-type"),
    ("expected_status", "fixture"), ("error_locations", "body"), ("error_locations", "fixture"),
    # It follows the 307, answers the 400 for bytes that are not UTF-8 itself, and 500 for HEAD.
    ("golden_answer", "fixture"),
    # 500 for JSON nested 100,000 deep; its 501 for the methods the engine sends that the
    # document does not declare (QUERY, TRACE) is RFC 9110's answer, no failure.
    ("server_error", "body"), ("server_error", "fixture"),
    # It reads bytes that are not UTF-8 as U+FFFD and forwards what it read (valid: a 204).
    ("expected_status", "body"), ("expected_status", "body.observer"),
    # It refuses a chunked body (400), never answers a gzip one, and adds its content-length
    # to the 204 of a body framed otherwise too.
    ("expected_status", "framing"), ("no_answer", "framing"), ("empty_204", "framing"),
}  # fmt: skip


@pytest.mark.once
def test_what_the_suite_sees_through_the_proxy(runs: dict[str, dict[str, Any]]) -> None:
    report = runs["proxy"]
    assert pins(report["failures"]) == THROUGH_THE_PROXY
    assert pins(report["warnings"]) == {
        ("credentials_not_enforced", "header.authorization"),
        ("body_limit", "body.observer"), ("body_limit", "body.observed"),  # past 10 MiB: 413
        # its 400 for a chunked body with an extension or a trailer: a parser's refusal
        ("undocumented_status", "framing"),
    }  # fmt: skip
    bodies = {f["message"].split(": ", 1)[-1] for f in report["failures"]
              if f["check"] == "empty_204"}  # fmt: skip
    assert bodies == {"204 with a body (0 bytes, content-length 2)"}
    never = {loc for f in report["failures"] if f["check"] == "no_answer" for loc in f["locations"]}
    assert never == NEVER_ANSWERED_HONCHO
    assert report["cases"] > 150


# --- the suite against `prism mock` --------------------------------------------------------

# Requests Prism never answers: a JSON-typed body that JSON.parse refuses.
NEVER_ANSWERED = {
    *(f"body.{field}: {literal}" for field in ("observer", "observed", "dream_type")
      for literal in ("NaN", "Infinity", "-Infinity")),
    "body: malformed", "body: non-finite", "body: BOM", "body: UTF-16", "body: UTF-32",
    "body: not UTF-8", "framing: content-encoding gzip",
    "fixture: trigger_dream/invalid/json-garbage",
    "fixture: trigger_dream/invalid/json-trailing-comma",
    "fixture: trigger_dream/invalid/json-truncated",
}  # fmt: skip
# And, replayed under --profile honcho (through the proxy), the golden cases of the same kind.
NEVER_ANSWERED_HONCHO = NEVER_ANSWERED | {
    "fixture: trigger_dream/defects/nan-echo", "fixture: trigger_dream/valid/bom",
    "fixture: trigger_dream/valid/utf16",
}  # fmt: skip
PRISM_MOCK = {
    ("no_answer", location.split(":")[0]) for location in NEVER_ANSWERED
} | {
    ("server_error", "body"),  # 500 for JSON nested 100,000 deep
    # 405 without an allow header, at each undeclared method (schemathesis's QUERY too)
    *(("method_not_allowed", f"method {method}")
      for method in ("GET", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "QUERY")),
}  # fmt: skip


@pytest.mark.once
def test_prism_mock_without_a_token_tests_nothing(runs: dict[str, dict[str, Any]]) -> None:
    # Prism enforces the document's HTTPBearer: a run without a token would test nothing.
    (line,) = runs["mock"]["stderr"].strip().splitlines()
    assert "refuses a valid request without credentials (401)" in line
    assert "pass --token T" in line


@pytest.mark.once
def test_prism_mock_with_a_token_answers_placeholders(runs: dict[str, dict[str, Any]]) -> None:
    report = runs["mock-token"]
    assert pins(report["warnings"]) == {("body_limit", "body.observer"),
                                        ("body_limit", "body.observed")}  # fmt: skip
    assert pins(report["failures"]) == PRISM_MOCK | {
        # Every 422 is {"detail":[{"loc":["string"],"msg":"string","type":"string"}]}.
        ("error_locations", "body"), ("error_locations", "body.observer"),
        ("error_locations", "body.observed"), ("error_locations", "body.dream_type"),
        ("error_locations", "header.content-type"), ("error_locations", "fixture"),
        ("error_locations", "framing"), ("error_locations", "query"),
        # bytes that are not UTF-8 read as U+FFFD: a valid body (204)
        ("expected_status", "body"), ("expected_status", "body.observer"),
        # any token passes (a mock knows none), and its /^Bearer\s.+$/ refuses the scheme
        # in lower case (RFC 9110 §11.1: a case-insensitive token)
        ("expected_status", "header.authorization"),
    }  # fmt: skip
    spoilt = {location for f in report["failures"] for location in f["locations"]
              if location.startswith("header.authorization")}  # fmt: skip
    assert spoilt == {"header.authorization: another token",
                      "header.authorization: the token, the scheme in lower case"}  # fmt: skip
    placeholders = {f["message"] for f in report["failures"] if f["check"] == "error_locations"}
    assert placeholders == {
        "loc ['string']: does not start with one of body, path, query, header, cookie"
    }
    never = {loc for f in report["failures"] if f["check"] == "no_answer" for loc in f["locations"]}
    assert never == NEVER_ANSWERED


# --- what Prism's proxy catches of the gallery's broken servers -----------------------------


class _ByWorkspace:
    """One app per workspace id, so each request's path names the server that answered."""

    def __init__(self, apps: dict[str, ASGIApp]) -> None:
        self._apps = apps

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        workspace = scope.get("path", "").split("/")[3:4] or [""]
        await self._apps[workspace[0] if workspace[0] in self._apps else ""](scope, receive, send)


VALID = {"observer": "alice", "dream_type": "agent"}
INVALID = {"observer": 42, "dream_type": "agent"}
# A broken server, the request that shows it, and what Prism reports beside the request
# (empty: Prism sees nothing wrong with the answer).
GALLERY = [
    # An empty body typed application/json: Prism cannot read it and answers 500 itself.
    ("200 instead of 204", VALID, {"upstream error"}),
    ("422 as text/plain", INVALID, {"response error"}),
    # An undocumented status is only a warning to Prism, a 5xx included.
    ("500 when observed is given", {**VALID, "observed": "bob"}, {"response warning"}),
    ("500 for NUL in a peer name", {**VALID, "observer": "a\x00b"}, {"response warning"}),
    # The document's HTTPValidationError requires nothing and names no field.
    ("a 422 without detail", INVALID, set()),
    ("placeholder 422 items (as Prism answers)", INVALID, set()),
    ("422 items naming an undeclared field", INVALID, set()),
    # Prism flags the request; that the server accepted it is no violation to Prism.
    ("accepts an unknown dream type", {**VALID, "dream_type": "kit-not-a-member"}, set()),
]


@pytest.fixture(scope="module")
def gallery_verdicts() -> dict[str, set[str]]:
    by_name = {case.name: case for case in CASES}
    apps: dict[str, ASGIApp] = {f"case-{i}": by_name[name].app()
                                for i, (name, _, _) in enumerate(GALLERY)}  # fmt: skip
    apps[""] = by_name[GALLERY[0][0]].app()
    with BackgroundServer(QUIET, app=_ByWorkspace(apps)) as server:
        log = PrismLog(server.url)
        with Prism.proxy(DOCUMENT, server.url, executable=PRISM, on_line=log.feed) as prism:
            for i, (_, body, _) in enumerate(GALLERY):
                url = prism.url + OPERATION.format(f"case-{i}")
                httpx.post(url, json=body, headers=BEARER, timeout=10)
            _flush(prism, log)
    return {
        name: {f"{v.side} {v.severity}" for v in log.violations
               if v.side != "request" and v.path == OPERATION.format(f"case-{i}")}
        for i, (name, _, _) in enumerate(GALLERY)
    }  # fmt: skip


@pytest.mark.parametrize(("name", "severities"), [(n, s) for n, _, s in GALLERY],
                         ids=[n for n, _, _ in GALLERY])  # fmt: skip
def test_what_prism_proxy_reports_of_a_broken_server(
    name: str, severities: set[str], gallery_verdicts: dict[str, set[str]]
) -> None:
    assert gallery_verdicts[name] == severities


# --- the driver against a live Prism ------------------------------------------------------


def test_errors_mode_answers_invalid_requests_itself_and_stop_ends_the_group(
    mock_url: str,
) -> None:
    with Prism.proxy(DOCUMENT, mock_url, errors=True, executable=PRISM) as prism:
        url = prism.url + OPERATION.format("ws-1")
        refused = httpx.post(url, json=INVALID, headers=BEARER, timeout=10)
        passed = httpx.post(url, json=VALID, headers=BEARER, timeout=10)
        group = prism.pid
        assert prism.running
    assert (refused.status_code, refused.headers["content-type"]) == (
        422, "application/problem+json")  # fmt: skip
    assert "stoplight.io/prism/errors#UNPROCESSABLE_ENTITY" in refused.text
    assert passed.status_code == 204
    assert any("Prism is listening on" in line for line in prism.log)
    assert group is not None
    with pytest.raises(ProcessLookupError):
        os.killpg(group, 0)
