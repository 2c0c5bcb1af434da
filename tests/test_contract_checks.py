"""The suite's pure parts: each check on hand-made exchanges, locating, reproducers."""

from __future__ import annotations

import json

import pytest

from contract_tests.cases.facts import ContractFacts
from contract_tests.cases.locate import locate
from contract_tests.cases.model import Exchange, Expect, Probe, Reply, Severity
from contract_tests.checks.answers import CheckContext, run_checks
from contract_tests.config import SuiteConfig, resolve_config
from contract_tests.errors import UsageError
from contract_tests.wire.reproduce import curl_command
from honcho_spec import load_document

FACTS = ContractFacts.from_document(load_document())
CTX = CheckContext(FACTS)
JSON = (("content-type", "application/json"),)


def item(*loc: object) -> dict[str, object]:
    return {"type": "t", "loc": list(loc), "msg": "m", "input": None}


def reply(status: int, body: object = None, headers: tuple[tuple[str, str], ...] = JSON) -> Reply:
    raw = body if isinstance(body, bytes) else b"" if body is None else json.dumps(body).encode()
    return Reply(status, headers, raw)


def probe(
    expect: Expect, location: str = "body", body: bytes = b"{}", creds: bool = False
) -> Probe:
    return Probe("p", location, "POST", "/v2/workspaces/w/trigger_dream", body, JSON, expect, creds)


def checks_of(p: Probe, r: Reply, *, strict: bool = False) -> list[tuple[str, Severity]]:
    ctx = CheckContext(FACTS, strict=strict)
    return [(f.check, f.severity) for f in run_checks(Exchange(p, r), ctx)]


FAIL, WARN = Severity.FAILURE, Severity.WARNING
DETAIL = {"detail": [item("body", "observer")]}

TABLE = [
    pytest.param(probe(Expect.ACCEPT), reply(204), [], id="accept-204"),
    pytest.param(probe(Expect.ACCEPT), reply(200), [("expected_status", FAIL)], id="accept-200"),
    pytest.param(probe(Expect.ACCEPT), reply(500, {"detail": "x"}), [("server_error", FAIL)],
                 id="accept-500"),
    pytest.param(probe(Expect.ACCEPT), reply(401, {"detail": "x"}), [], id="401-no-creds"),
    pytest.param(probe(Expect.ACCEPT, creds=True), reply(401, {"detail": "x"}),
                 [("expected_status", FAIL)], id="401-with-creds"),
    pytest.param(probe(Expect.ACCEPT), reply(204, b"{}"), [("empty_204", FAIL)], id="204-body"),
    pytest.param(probe(Expect.ACCEPT), reply(204, None, (("content-length", "2"),)),
                 [("empty_204", FAIL)], id="204-content-length"),
    pytest.param(probe(Expect.ACCEPT), reply(204, None, (*JSON, ("content-length", "0"))), [],
                 id="204-content-type-and-zero-length"),
    pytest.param(probe(Expect.REJECT, "body.observer"), reply(422, DETAIL), [],
                 id="reject-named"),
    pytest.param(probe(Expect.REJECT, "body.observer"), reply(422, {}),
                 [("validation_error_shape", FAIL)], id="422-without-detail"),
    pytest.param(probe(Expect.REJECT), reply(422, {"detail": []}),
                 [("validation_error_shape", FAIL)], id="422-empty-detail"),
    pytest.param(probe(Expect.REJECT), reply(422, {"detail": [{"loc": "body"}]}),
                 [("validation_error_shape", FAIL)], id="422-bad-item"),
    pytest.param(probe(Expect.REJECT), reply(422, DETAIL, (("content-type", "text/plain"),)),
                 [("validation_error_shape", FAIL)], id="422-not-json-content-type"),
    pytest.param(probe(Expect.REJECT, "body.observer"), reply(422, {"detail": [item("string")]}),
                 [("error_locations", FAIL)], id="placeholder-loc"),
    pytest.param(probe(Expect.REJECT), reply(422, {"detail": [item("body", "peer")]}),
                 [("error_locations", FAIL)], id="undeclared-field"),
    pytest.param(probe(Expect.REJECT, "body.dream_type"), reply(422, DETAIL),
                 [("error_locations", FAIL)], id="names-another-field"),
    pytest.param(probe(Expect.REJECT, "body: malformed", b"{"), reply(422, {"detail": [
                 item("body", 1)]}), [], id="offset-for-malformed"),
    pytest.param(probe(Expect.REJECT), reply(422, {"detail": [item("body", 1)]}),
                 [("error_locations", FAIL)], id="offset-for-valid-json"),
    pytest.param(probe(Expect.REJECT), reply(422, {"detail": [item("path", "workspace_id")]}), [],
                 id="declared-path-parameter"),
    pytest.param(probe(Expect.REJECT), reply(422, {"detail": [item("query", "q")]}),
                 [("error_locations", FAIL)], id="undeclared-query-parameter"),
    pytest.param(probe(Expect.REJECT), reply(400, {"detail": "x"}), [("expected_status", FAIL)],
                 id="reject-400"),
    pytest.param(probe(Expect.NOT_JSON, body=b"\xff"), reply(400, {"detail": "x"}),
                 [("undocumented_status", WARN)], id="not-json-400-warns"),
    pytest.param(probe(Expect.REFUSE), reply(204), [("expected_status", FAIL)], id="refuse-204"),
    pytest.param(probe(Expect.REFUSE), reply(403, {"detail": "x"}), [], id="refuse-403"),
    pytest.param(probe(Expect.ANY), reply(405, {"detail": "x"}), [], id="any-405"),
    pytest.param(probe(Expect.ANY), reply(503, b"down"), [("server_error", FAIL)], id="any-503"),
]  # fmt: skip


@pytest.mark.parametrize(("sent", "answer", "expected"), TABLE)
def test_checks(sent: Probe, answer: Reply, expected: list[tuple[str, Severity]]) -> None:
    assert checks_of(sent, answer) == expected


def test_strict_makes_the_warning_a_failure() -> None:
    found = checks_of(
        probe(Expect.NOT_JSON, body=b"\xff"), reply(400, {"detail": "x"}), strict=True
    )
    assert found == [("undocumented_status", FAIL)]


@pytest.mark.parametrize(
    ("body", "where"),
    [
        pytest.param(None, "body: empty", id="none"),
        pytest.param(b"\xff", "body: not UTF-8", id="not-utf8"),
        pytest.param(b"{", "body: malformed", id="malformed"),
        pytest.param(b"[" * 5000 + b"]" * 5000, "body: deep nesting", id="deep"),
        pytest.param(b'{"observer": "a\\u0000"}', "body.observer: NUL", id="nul"),
        pytest.param(b'{"observed": "\\ud800"}', "body.observed: lone surrogate", id="surrogate"),
        pytest.param(b'{"observer": NaN}', "body.observer: NaN", id="nan"),
        pytest.param(b'{"dream_type": 1e999}', "body.dream_type: Infinity", id="inf"),
        pytest.param(b'{"observer": "' + b"x" * 1000 + b'"}', "body.observer: long", id="long"),
        pytest.param(b'{"observer": "a"}', "body", id="plain"),
        pytest.param(b"[1]", "body", id="array"),
    ],
)
def test_locate(body: bytes | None, where: str) -> None:
    assert locate(body) == where


def test_curl_masks_credentials_and_escapes_bytes() -> None:
    sent = Probe("n", "l", "POST", "/p", b"a'\xff%", (("authorization", "Bearer tok"),))
    command = curl_command("http://h", sent, show_secrets=False)
    assert "tok" not in command
    assert "Bearer [redacted]" in command
    assert "\\047" in command  # POSIX printf's octal escapes, not bash's \\xNN
    assert "\\377" in command
    assert "%%" in command
    assert "tok" in curl_command("http://h", sent, show_secrets=True)


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        pytest.param({}, "no server to test", id="no-url"),
        pytest.param({"base_url": "localhost:8000"}, r"not an http\(s\) URL", id="no-scheme"),
        pytest.param({"base_url": "http://h", "auth": "maybe"}, "unknown", id="bad-auth"),
        pytest.param({"base_url": "http://h", "max_time": -1.0}, "positive", id="bad-time"),
        pytest.param({"base_url": "http://h", "workspace_id": ""}, "empty", id="empty-ws"),
    ],
)
def test_config_errors(flags: dict[str, object], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        resolve_config(flags, environ={})


def test_flag_beats_environment_beats_default() -> None:
    env = {"HONCHO_CONTRACT_BASE_URL": "http://env", "HONCHO_CONTRACT_SEED": "5"}
    assert resolve_config({"base_url": "http://flag"}, env).base_url == "http://flag"
    assert resolve_config({}, env) == SuiteConfig(base_url="http://env", seed=5)
    with pytest.raises(UsageError, match="not a number"):
        resolve_config({}, {**env, "HONCHO_CONTRACT_SEED": "five"})
