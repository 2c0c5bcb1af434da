"""``honcho-contract diff``: the same requests to two servers, every disagreement reported.

Against real servers: the mock beside the oracle (FastAPI itself), beside Prism's mock and
beside broken implementations from the gallery.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from contract_tests.cases.model import Expect, Probe, Reply
from contract_tests.cli import main
from contract_tests.diff.compare import Answer, differences
from contract_tests.diff.judge import check_context, verdicts
from contract_tests.diff.requests import generated_requests
from honcho_spec import default_document_path
from mock_server import BackgroundServer, MockSettings

from cli_process import console_script
from gallery import CASES, Case, Request
from gallery import Answer as GalleryAnswer
from oracle import FRAMEWORK_DEFECTS, oracle_server
from raw_server import Answer as RawAnswer
from raw_server import raw_server

ROOT = Path(__file__).resolve().parent.parent
PRISM = ROOT / "node_modules" / ".bin" / "prism"
QUIET = MockSettings(port=0, log_level="critical")
PLACEHOLDER_422 = {"detail": [{"loc": ["string"], "msg": "string", "type": "string"}]}
# Prism 5.16.0 beside the mock, Prism given a bearer token (kind, header, mock, Prism).
PRISM_DIFFERENCES = {
    # A JSON body Prism cannot parse (NaN, a BOM, UTF-16, bytes that are not UTF-8, a
    # truncated document): Prism never answers. It waits for the request to end again.
    ("status", None, 422, None), ("status", None, 204, None), ("status", None, 400, None),
    ("status", None, 400, 500),  # nesting 100,000 deep: Prism's own 500
    ("status", None, 400, 422),  # bytes that are not UTF-8: 400 here, a placeholder 422
    ("status", None, 204, 422),  # no content-type: Prism refuses the body
    ("status", None, 404, 204),  # an encoded slash in the workspace id is routed
    ("status", None, 404, 422),  # an empty workspace id is routed, then refused
    ("status", None, 307, 404),  # a trailing slash: no redirect
    ("status", None, 204, 413),  # a body past 10 MiB: Prism's own limit
    ("status", None, 400, 204),  # a body in gzip: Prism undoes the coding, Honcho does not
    ("content-type", None, 204, 204),  # no content-type on Prism's 204
    ("content-type", None, 405, 405), ("content-type", None, 404, 404),  # problem+json
    ("body", None, 422, 422),  # the placeholder 422 body
    ("verdict", "error_locations", 422, 422),  # its item's loc ["string"] names no place
    ("body", None, 405, 405), ("body", None, 404, 404),  # problem+json bodies
    ("framing", "content-length", 405, 405),  # HEAD's: the length of its problem+json
    ("header", "allow", 405, 405),  # no allow header
    ("verdict", "method_not_allowed", 405, 405),  # which RFC 9110 wants on a 405
}  # fmt: skip

Key = tuple[str, str | None, int | None, int | None]


def diff(a: str, b: str, tmp_path: Path, *args: str) -> tuple[int, dict[str, Any]]:
    report = tmp_path / "diff.json"
    code = main(["diff", "--a", a, "--b", b, "--report-json", str(report), *args])
    return code, json.loads(report.read_text(encoding="utf-8"))


def key_of(disagreement: dict[str, Any]) -> Key:
    # the subject: a header's or framing's header, a verdict's check
    subject = disagreement["header"] or disagreement["check"]
    return disagreement["kind"], subject, disagreement["status_a"], disagreement["status_b"]


def keys(report: dict[str, Any]) -> set[Key]:
    return {key_of(d) for d in report["disagreements"]}


def places(report: dict[str, Any], key: Key) -> list[str]:
    (found,) = [d for d in report["disagreements"] if key_of(d) == key]
    return list(found["locations"])


# --- comparison, without servers --------------------------------------------------------


def _json(status: int, body: bytes, content_type: str = "application/json") -> Answer:
    return Answer.of(Reply(status, (("content-type", content_type),), body), "127.0.0.1:1")


CONTEXT = check_context(default_document_path())
VALID = Probe("a valid body", "body", "POST", "/v2/workspaces/w/trigger_dream",
              b'{"observer":"a","dream_type":"agent"}', expect=Expect.ACCEPT)  # fmt: skip
SHAPED_422 = b'{"detail":[{"loc":["body","observer"],"msg":"m","type":"t"}]}'


def _judged(
    status: int,
    *headers: tuple[str, str],
    body: bytes = b"",
    method: str = "POST",
    head: bool = False,
) -> Answer:
    """An answer to a valid request (to HEAD, or ``method``) as a diff judges it."""
    undeclared = head or method != "POST"
    probe = replace(VALID, method="HEAD" if head else method,
                    expect=Expect.METHOD if undeclared else Expect.ACCEPT)  # fmt: skip
    reply = Reply(status, (("content-type", "application/json"), *headers), body)
    return Answer.of(reply, "127.0.0.1:1", head=head, verdicts=verdicts(probe, reply, CONTEXT))


@pytest.mark.parametrize(
    ("a", "b", "ignored", "expected"),
    [
        pytest.param(_json(422, b'{"a": [1, 2]}'), _json(422, b'{"a":[1,2]}'), (), [],
                     id="whitespace-is-not-a-difference"),
        pytest.param(_json(422, b'{"a":"\\u00e9"}'), _json(422, '{"a":"é"}'.encode()), (), [],
                     id="escaping-is-not-a-difference"),
        pytest.param(_json(422, b'{"a":1,"b":2}'), _json(422, b'{"b":2,"a":1}'), (), ["body"],
                     id="key-order-is"),
        pytest.param(_json(422, b'{"a":true}'), _json(422, b'{"a":1}'), (), ["body"],
                     id="true-is-not-1"),
        pytest.param(_json(400, b"a b"), _json(400, b"a  b"), (), ["body"],
                     id="text-byte-for-byte"),
        pytest.param(_json(422, b"{}"), _json(400, b"[]", "text/plain"), (), ["status"],
                     id="status-alone"),
        pytest.param(_json(204, b""), Answer.missing("no answer (timed out)"), (), ["status"],
                     id="no-answer"),
        pytest.param(_json(204, b"", "application/json; charset=utf-8"),
                     _json(204, b"", "Application/JSON;charset=UTF-8"), (), [],
                     id="content-type-case-and-spaces"),
        pytest.param(_json(422, b"{}"), _json(422, b"{}", "application/problem+json"), (),
                     ["content-type"], id="content-type"),
        pytest.param(_json(422, b"{}"), _json(422, b"{}", "application/problem+json"),
                     ("content-type",), [], id="content-type-ignored"),
        pytest.param(Answer(405, (("allow", "POST"),)), Answer(405, (("allow", "GET, POST"),)),
                     (), ["header:allow"], id="allow"),
        pytest.param(Answer(405, (("allow", "POST"),)), Answer(405), ("allow",), [],
                     id="allow-ignored"),
        # what the run judges: the checks each answer fails
        pytest.param(_judged(204, ("content-length", "19")), _judged(204), (),
                     ["verdict:empty_204", "framing:content-length"], id="204-with-a-length"),
        pytest.param(_judged(204, ("content-length", "0")), _judged(204), (),
                     ["framing:content-length"], id="204-with-length-0"),
        pytest.param(_judged(204, ("transfer-encoding", "chunked")), _judged(204), (),
                     ["framing:transfer-encoding"], id="204-chunked"),
        pytest.param(_judged(422, ("transfer-encoding", "chunked"), body=SHAPED_422),
                     _judged(422, ("content-length", str(len(SHAPED_422))), body=SHAPED_422), (),
                     [], id="a-body-chunked-or-not"),
        pytest.param(_judged(405, ("content-length", "31"), head=True), _judged(405, head=True),
                     (), [], id="head-length-left-out"),
        pytest.param(_judged(405, ("content-length", "31"), head=True),
                     _judged(405, ("content-length", "40"), head=True), (),
                     ["framing:content-length"], id="head-lengths"),
        pytest.param(_judged(422, body=b'{"detail":[{"loc":["string"],"msg":"m","type":"t"}]}'),
                     _judged(422, body=SHAPED_422), (),
                     ["verdict:error_locations", "body"], id="placeholder-locs"),
        pytest.param(_judged(405, method="GET"), _judged(405, ("allow", "POST"), method="GET"),
                     ("allow",), [], id="allow-verdict-ignored"),
        pytest.param(_judged(405, method="GET"), _judged(405, ("allow", "POST"), method="GET"),
                     (), ["verdict:method_not_allowed", "header:allow"], id="allow-verdict"),
        pytest.param(Answer.missing("answer_too_large: past 8 MiB", "answer_too_large"),
                     Answer.missing("malformed_answer: two lengths", "malformed_answer"), (),
                     ["verdict:answer_too_large", "verdict:malformed_answer"],
                     id="two-broken-answers"),
        pytest.param(Answer.missing("answer_too_slow: 1 byte in", "answer_too_slow"),
                     Answer.missing("answer_too_slow: 4 bytes in", "answer_too_slow"), (), [],
                     id="two-answers-broken-alike"),
    ],
)  # fmt: skip
def test_differences(a: Answer, b: Answer, ignored: tuple[str, ...], expected: list[str]) -> None:
    found = differences(a, b, frozenset(ignored))
    assert [f"{d.kind}:{d.subject}" if d.subject else d.kind for d in found] == expected


def test_location_names_each_server_by_its_own_host() -> None:
    path = "/v2/workspaces/ws-1/trigger_dream"
    a = Answer.of(Reply(307, (("location", f"http://127.0.0.1:1/{path}"),), b""), "127.0.0.1:1")
    b = Answer.of(Reply(307, (("location", f"http://127.0.0.1:2/{path}"),), b""), "127.0.0.1:2")
    c = Answer.of(Reply(307, (("location", f"http://other:2/{path}"),), b""), "127.0.0.1:2")
    assert differences(a, b) == []
    assert [d.subject for d in differences(a, c)] == ["location"]


@pytest.mark.slow
def test_same_seed_same_generated_requests() -> None:
    document = default_document_path()
    first = generated_requests(document, seed=7, max_examples=15)
    assert first == generated_requests(document, seed=7, max_examples=15)
    assert first != generated_requests(document, seed=8, max_examples=15)
    assert {p.name for p in first} == {"generated positive case", "generated negative case"}


# --- the mock beside the oracle ---------------------------------------------------------


@pytest.mark.pinned_runtime
@pytest.mark.slow
def test_mock_and_oracle_disagree_only_where_the_framework_crashes(
    mock_url: str, tmp_path: Path
) -> None:
    with oracle_server() as oracle:
        code, report = diff(mock_url, oracle.url, tmp_path)
    assert code == 1
    assert keys(report) == {("status", None, 422, 500)}
    assert set(places(report, ("status", None, 422, 500))) == FRAMEWORK_DEFECTS
    assert report["requests"] > 300


# --- the mock beside Prism's mock -------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def prism_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Prism's mock on the same document, in its own process group, killed at the end."""
    if not PRISM.exists():
        pytest.skip("Prism is not installed (no node_modules/.bin/prism): run npm ci")
    port = _free_port()
    log = tmp_path_factory.mktemp("prism") / "prism.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(PRISM), "mock", "-h", "127.0.0.1", "-p", str(port),
             str(default_document_path())],
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while "Prism is listening on" not in log.read_text(errors="replace"):
            assert process.poll() is None, log.read_text(errors="replace")[-2000:]
            assert time.monotonic() < deadline, "Prism did not start in 60 s"
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


# Prism never answers some requests: wait 2.5 s for each, 32 at a time.
PRISM_ARGS = ("--max-examples", "20", "--workers", "32", "--timeout", "2.5")


@pytest.mark.slow
@pytest.mark.once
def test_mock_and_prism_with_a_token_differ_as_listed(
    mock_url: str, prism_url: str, tmp_path: Path
) -> None:
    code, report = diff(mock_url, prism_url, tmp_path, "--token-b", "x", *PRISM_ARGS)
    assert code == 1
    assert keys(report) == PRISM_DIFFERENCES
    (placeholder,) = [d for d in report["disagreements"] if d["kind"] == "body"
                      and d["status_a"] == 422]  # fmt: skip
    assert json.loads(placeholder["b"]["body"]) == PLACEHOLDER_422
    assert "body.observer: integer" in placeholder["locations"]
    assert "body: malformed" in places(report, ("status", None, 422, None))


@pytest.mark.slow
@pytest.mark.once
def test_mock_and_prism_without_a_token_differ_by_401s(
    mock_url: str, prism_url: str, tmp_path: Path
) -> None:
    # Prism enforces the document's HTTPBearer; Honcho, with auth off by default, does not.
    code, report = diff(mock_url, prism_url, tmp_path, *PRISM_ARGS)
    assert code == 1
    assert {("status", None, 204, 401), ("status", None, 422, 401)} <= keys(report)
    assert ("body", None, 422, 422) not in keys(report)


# --- the mock beside broken implementations ---------------------------------------------


def _on_405(change: dict[str, str]) -> Any:
    def after(_request: Request, answer: GalleryAnswer) -> GalleryAnswer:
        return (answer[0], {**answer[1], **change}, answer[2]) if answer[0] == 405 else answer

    return after


def _moved(_request: Request, answer: GalleryAnswer) -> GalleryAnswer:
    if answer[0] != 307:
        return answer
    location = answer[1]["location"].replace("localhost:8000", "elsewhere.test")
    return answer[0], {**answer[1], "location": location}, answer[2]


MUTANTS = {case.name: case for case in CASES} | {
    "allow lists GET": Case("allow lists GET", after=_on_405({"allow": "GET, POST"})),
    "redirects elsewhere": Case("redirects elsewhere", after=_moved),
}


@pytest.mark.parametrize(
    ("mutant", "key", "place"),
    [
        pytest.param("200 instead of 204", ("status", None, 204, 200), "body", id="200"),
        pytest.param("accepts an unknown dream type", ("status", None, 422, 204),
                     "body.dream_type: unknown", id="unknown-dream-type"),
        pytest.param("coerces numbers to strings", ("status", None, 422, 204),
                     "body.observer: integer", id="coercion"),
        pytest.param("refuses an explicit null observed", ("status", None, 204, 422),
                     "body.observed", id="null-observed"),
        pytest.param("500 for NUL in a peer name", ("status", None, 204, 500),
                     "body.observer: NUL", id="nul"),
        pytest.param("400 for malformed JSON (as Prism answers)", ("status", None, 422, 400),
                     "body: malformed", id="malformed-400"),
        pytest.param("200 for GET", ("status", None, 405, 200), "method GET", id="get-200"),
        pytest.param("placeholder 422 items (as Prism answers)", ("body", None, 422, 422),
                     "body.observer: integer", id="placeholder-422"),
        pytest.param("422 as text/plain", ("content-type", None, 422, 422), "body.observer",
                     id="422-text-plain"),
        pytest.param("allow lists GET", ("header", "allow", 405, 405), "method GET",
                     id="allow"),
        pytest.param("redirects elsewhere", ("header", "location", 307, 307),
                     "fixture: trigger_dream/errors/trailing-slash", id="location"),
    ],
)  # fmt: skip
@pytest.mark.slow
def test_each_planted_difference_is_found(
    mutant: str, key: Key, place: str, mock_url: str, tmp_path: Path
) -> None:
    with BackgroundServer(QUIET, app=MUTANTS[mutant].app()) as server:
        code, report = diff(mock_url, server.url, tmp_path, "--max-examples", "10")
    assert code == 1
    assert key in keys(report)
    assert place in places(report, key)


@pytest.mark.slow
def test_an_ignored_header_is_not_compared(mock_url: str, tmp_path: Path) -> None:
    with BackgroundServer(QUIET, app=MUTANTS["allow lists GET"].app()) as server:
        args = ("--max-examples", "5", "--ignore-header", "allow")
        code, report = diff(mock_url, server.url, tmp_path, *args)
    assert (code, report["disagreements"], report["ignored_headers"]) == (0, [], ["allow"])


@pytest.mark.slow
def test_same_seed_same_report(mock_url: str, tmp_path: Path) -> None:
    with BackgroundServer(QUIET, app=MUTANTS["500 for NUL in a peer name"].app()) as server:
        first = diff(mock_url, server.url, tmp_path, "--seed", "7", "--max-examples", "10")[1]
        second = diff(mock_url, server.url, tmp_path, "--seed", "7", "--max-examples", "10")[1]
    for report in (first, second):
        report.pop("duration_s")
        report.pop("summary")
    assert first == second


def _204s(length: str | None) -> Any:
    """A server that answers 204 to everything, with ``content-length: length`` if given."""

    def handler(_method: str, _path: str, _headers: dict[str, str], _body: bytes) -> RawAnswer:
        return 204, [("content-length", length)] if length is not None else [], b""

    return handler


def _422s(chunked: bool) -> Any:
    """A server that answers one well-formed 422 to everything, chunked or with a length."""

    def handler(method: str, _path: str, _headers: dict[str, str], _body: bytes) -> RawAnswer:
        length = ("content-length", str(len(SHAPED_422)))
        framing = ("transfer-encoding", "chunked") if chunked else length
        chunks = f"{len(SHAPED_422):x}\r\n".encode() + SHAPED_422 + b"\r\n0\r\n\r\n"
        content = b"" if method == "HEAD" else chunks if chunked else SHAPED_422
        return 422, [("content-type", "application/json"), framing], content

    return handler


@pytest.mark.slow
def test_a_204_with_a_length_on_one_side_disagrees_as_the_run_judges_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with raw_server(_204s("19")) as a, raw_server(_204s(None)) as b:
        code, report = diff(a, b, tmp_path, "--max-examples", "1")
    assert code == 1
    assert keys(report) == {("verdict", "empty_204", 204, 204),
                            ("framing", "content-length", 204, 204)}  # fmt: skip
    (verdict,) = [d for d in report["disagreements"] if d["kind"] == "verdict"]
    assert verdict["a"]["verdicts"] == {"empty_204": "204 with a body (0 bytes, content-length 19)"}
    assert (verdict["b"]["verdicts"], verdict["a"]["framing"]) == ({}, {"content-length": "19"})
    lines = capsys.readouterr().out.splitlines()
    at = lines.index("verdict: 1 disagreement")
    assert lines[at + 1].startswith("  verdict empty_204 [204] at ")
    assert lines[at + 3] == ("    a: 204 content-length: 19 (empty body); fails empty_204: 204 "
                             "with a body (0 bytes, content-length 19)")  # fmt: skip
    assert lines[at + 4] == "    b: 204 (empty body)"


@pytest.mark.slow
def test_a_body_chunked_on_one_side_and_measured_on_the_other_agrees(tmp_path: Path) -> None:
    # two frameworks' ways with the same bytes (and HEAD's length, which a server may leave out)
    with raw_server(_422s(chunked=True)) as a, raw_server(_422s(chunked=False)) as b:
        code, report = diff(a, b, tmp_path, "--max-examples", "1")
    assert (code, report["disagreements"]) == (0, [])
    assert report["requests"] > 100


@pytest.mark.slow
@pytest.mark.once  # the diff's own rule: the engine it sends through is held on latest above
def test_max_time_used_up_by_the_set_up_still_compares_the_first_request(
    mock_url: str, tmp_path: Path
) -> None:
    # as a run's first request always goes: a diff of nothing would agree, exit 0
    code, report = diff(mock_url, mock_url, tmp_path, "--max-time", "0.001", "--max-examples", "1")
    assert (code, report["requests"]) == (0, 1)
    assert report["stopped"] == "--max-time 0.001 s reached: the diff stopped after 1 requests"


# --- the command line -------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.once
def test_text_groups_by_kind_with_a_masked_reproducer(
    mock_url: str, auth_mock_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    token = "kit-secret-token"
    code, report = diff(mock_url, auth_mock_url, tmp_path, "--token-a", token,
                        "--max-examples", "5")  # fmt: skip
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert code == 1
    assert lines[0].startswith(f"honcho-contract diff: a {mock_url}, b {auth_mock_url}")
    assert lines[1] == "status: 2 disagreements"
    assert lines[2].startswith("  status [204 vs 401] at body, ")
    assert "-H 'authorization: Bearer [redacted]'" in lines[3]
    assert lines[4] == "    a: 204 content-type: application/json (empty body)"
    assert lines[5].startswith('    b: 401 content-type: application/json {"detail":')
    assert lines[-1].startswith(f"2 disagreements in {report['requests']} requests (")
    assert token not in out + json.dumps(report)


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        pytest.param(["--a", "http://127.0.0.1:8000"], "required: --b", id="no-b"),
        pytest.param(["--a", "ftp://x", "--b", "http://x"], "--a 'ftp://x' is not an http(s)",
                     id="bad-url"),
        pytest.param(["--a", "http://x", "--b", "http://y", "--ignore-header", "etag"],
                     "--ignore-header 'etag' is not compared", id="unknown-header"),
        pytest.param(["--a", "http://x", "--b", "http://y", "--max-examples", "0"],
                     "at least 1", id="max-examples"),
        pytest.param(["--a", "http://x", "--b", "http://y", "--timeout", "0"],
                     "--timeout must be a positive number of seconds", id="timeout"),
        pytest.param(["--a", "http://x", "--b", "http://y", "--timeout", "nan"],
                     "--timeout must be a positive number of seconds", id="timeout-nan"),
        pytest.param(["--a", "http://x", "--b", "http://y", "--down-wait", "inf"],
                     "--down-wait must be a number of seconds", id="down-wait-inf"),
        pytest.param(["--a", "http://127.0.0.1:9", "--b", "http://127.0.0.1:9"],
                     "cannot reach the server", id="dead-a"),
    ],
)  # fmt: skip
@pytest.mark.slow
@pytest.mark.once
def test_usage_errors_exit_2(
    args: list[str], fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["diff", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("honcho-contract: error: ")
    assert fragment in err


@pytest.mark.slow
def test_dead_server_is_one_line_naming_its_flag(mock_url: str) -> None:
    done = subprocess.run(
        [console_script("honcho-contract"), "diff", "--a", mock_url, "--b", "http://127.0.0.1:9"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("honcho-contract: error: http://127.0.0.1:9: cannot reach")
    assert "check --b" in lines[0]


@pytest.mark.slow
@pytest.mark.once
def test_unwritable_report_exits_2(
    mock_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["diff", "--a", mock_url, "--b", mock_url, "--max-examples", "1"]
    (tmp_path / "a-file").write_text("not a folder")
    report = tmp_path / "a-file" / "diff.json"
    assert main([*args, "--report-json", str(report)]) == 2
    err = capsys.readouterr().err
    assert f"cannot write {report}" in err
    assert "requests" not in err  # refused before the diff ran
    made = tmp_path / "reports" / "diff.json"  # a missing folder is made
    assert main([*args, "--report-json", str(made)]) == 0
    assert json.loads(made.read_text())["disagreements"] == []
