"""The suite's pure parts: each check on hand-made exchanges, locating, reproducers."""

from __future__ import annotations

import json

import pytest

from contract_tests.cases.facts import ContractFacts
from contract_tests.cases.locate import locate
from contract_tests.cases.model import Exchange, Expect, Framing, Probe, Reply, Severity
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
    # RFC 9110 §8.6: no Content-Length in a 204, but a length of nothing frames it right
    pytest.param(probe(Expect.ACCEPT), reply(204, None, (*JSON, ("content-length", "0"))),
                 [("empty_204", WARN)], id="204-content-type-and-zero-length"),
    pytest.param(probe(Expect.ACCEPT), reply(204, None, JSON), [], id="204-content-type"),
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


def method(name: str) -> Probe:
    return Probe(f"method {name}", f"method {name}", name, "/v2/workspaces/w/trigger_dream",
                 b"{}", JSON, Expect.METHOD)  # fmt: skip


def engine_case(name: str) -> Probe:
    """A case of the engine's (its coverage phase sends methods the document lacks)."""
    return Probe("POST ... (coverage)", f"method {name}", name,
                 "/v2/workspaces/w/trigger_dream", b"{}", JSON, Expect.ACCEPT)  # fmt: skip


def sized(size: int, expect: Expect = Expect.ACCEPT) -> Probe:
    return Probe("p", "body.observer: long", "POST", "/v2/workspaces/w/trigger_dream",
                 b"x" * size, JSON, expect)  # fmt: skip


def framed(framing: Framing) -> Probe:
    return Probe(f"a valid body, {framing.name}", f"framing: {framing.name}", "POST",
                 "/v2/workspaces/w/trigger_dream", b"{}", JSON, Expect.ACCEPT,
                 framing=framing)  # fmt: skip


def targeted(octets: int) -> Probe:
    """A valid request to a path of ``octets`` octets."""
    prefix, suffix = "/v2/workspaces/", "/trigger_dream"
    segment = "w" * (octets - len(prefix) - len(suffix))
    return Probe("a long workspace id", "path: long", "POST", f"{prefix}{segment}{suffix}",
                 b"{}", JSON, Expect.ACCEPT)  # fmt: skip


CHUNKED = Framing("chunked", chunks=(1 << 30,))
EXTENDED = Framing("chunked, with chunk extensions", chunks=(16,), extension=";kit=1")
TRAILED = Framing("chunked, with a trailer field", chunks=(1 << 30,), trailer=(("kit", "1"),))
CONTINUE = Framing("Expect: 100-continue", expect_continue=True)
ALLOW_POST = (*JSON, ("allow", "POST"))
ITEM = "item without list 'loc', string 'msg' and string 'type': {'loc': '"
FLOOR = 1 << 20  # 1 MiB, the smallest common framework limit
# The edges of each rule: a status or a size one step either side of where the verdict
# changes, and the profiles where they differ.
EDGES = [
    pytest.param(method("PUT"), reply(501, {"detail": "x"}), [], id="method-501"),
    pytest.param(method("PUT"), reply(500, {"detail": "x"}), [("server_error", FAIL)],
                 id="method-500"),
    pytest.param(method("PUT"), reply(502, b"x"), [("server_error", FAIL)], id="method-502"),
    pytest.param(method("PUT"), reply(405, None, ALLOW_POST), [], id="method-405"),
    pytest.param(method("PUT"), reply(404, {"detail": "x"}), [("expected_status", FAIL)],
                 id="method-404"),
    pytest.param(method("PUT"), reply(406, {"detail": "x"}), [("expected_status", FAIL)],
                 id="method-406"),
    pytest.param(method("PUT"), reply(200), [("expected_status", FAIL)], id="put-200"),
    pytest.param(method("OPTIONS"), reply(200), [], id="options-200"),
    pytest.param(method("OPTIONS"), reply(201), [], id="options-201"),
    pytest.param(method("OPTIONS"), reply(299), [], id="options-299"),
    pytest.param(method("OPTIONS"), reply(300), [("expected_status", FAIL)], id="options-300"),
    pytest.param(method("OPTIONS"), reply(199), [("expected_status", FAIL)], id="options-199"),
    pytest.param(method("OPTIONS"), reply(301), [("expected_status", FAIL)], id="options-301"),
    pytest.param(method("DELETE"), reply(200), [("expected_status", FAIL)], id="delete-200"),
    pytest.param(probe(Expect.ACCEPT), reply(200, {"queued": True}), [("expected_status", FAIL)],
                 id="200-with-a-body-is-no-204"),
    pytest.param(probe(Expect.EITHER), reply(422, DETAIL), [], id="either-422"),
    pytest.param(probe(Expect.REJECT), reply(422, DETAIL, ()), [("validation_error_shape", FAIL)],
                 id="422-without-content-type"),
    pytest.param(probe(Expect.REJECT), reply(422, b"{detail}"), [("validation_error_shape", FAIL)],
                 id="422-body-not-json"),
    pytest.param(probe(Expect.REJECT), reply(422, {"detail": [{"loc": ["body"], "type": "t"}]}),
                 [("validation_error_shape", FAIL)], id="422-item-without-msg"),
    pytest.param(probe(Expect.REJECT), reply(422, {"detail": [{"loc": ["body"], "msg": "m"}]}),
                 [("validation_error_shape", FAIL)], id="422-item-without-type"),
    pytest.param(probe(Expect.REJECT), reply(422, {"detail": [item()]}),
                 [("error_locations", FAIL)], id="empty-loc"),
    pytest.param(probe(Expect.REJECT), reply(422, {"detail": [item("path")]}),
                 [("error_locations", FAIL)], id="path-without-a-name"),
    pytest.param(probe(Expect.REJECT), reply(422, {"detail": [item("path", "workspace_id", 0)]}),
                 [], id="path-parameter-inside"),
    pytest.param(method("PUT"), reply(405, None, JSON), [("method_not_allowed", FAIL)],
                 id="405-without-allow"),
    pytest.param(sized(FLOOR), reply(413, {"detail": "x"}), [("body_limit", WARN)],
                 id="413-at-the-floor"),
    pytest.param(sized(FLOOR + 1), reply(413, {"detail": "x"}), [("body_limit", WARN)],
                 id="413-past-the-floor"),
    pytest.param(sized(FLOOR - 1), reply(413, {"detail": "x"}), [("expected_status", FAIL)],
                 id="413-below-the-floor"),
    pytest.param(sized(FLOOR), reply(412, {"detail": "x"}), [("expected_status", FAIL)],
                 id="412-large"),
    pytest.param(sized(FLOOR), reply(414, {"detail": "x"}), [("expected_status", FAIL)],
                 id="414-large"),
    pytest.param(sized(10, Expect.NOT_JSON), reply(400, {"detail": "x"}),
                 [("undocumented_status", WARN)], id="not-json-400"),
    pytest.param(sized(10, Expect.NOT_JSON), reply(499, {"detail": "x"}),
                 [("undocumented_status", WARN)], id="not-json-499"),
    pytest.param(sized(10, Expect.NOT_JSON), reply(399, {"detail": "x"}),
                 [("expected_status", FAIL)], id="not-json-399"),
    pytest.param(sized(10, Expect.NOT_JSON), reply(500, {"detail": "x"}),
                 [("server_error", FAIL)], id="not-json-500"),
    pytest.param(sized(10, Expect.NOT_JSON), reply(501, {"detail": "x"}),
                 [("server_error", FAIL)], id="not-json-501"),
    pytest.param(framed(CHUNKED), reply(411, b""), [("undocumented_status", WARN)],
                 id="chunked-411"),
    pytest.param(framed(CHUNKED), reply(400, b""), [("expected_status", FAIL)], id="chunked-400"),
    pytest.param(framed(CHUNKED), reply(417, b""), [("expected_status", FAIL)], id="chunked-417"),
    pytest.param(framed(CONTINUE), reply(417, b""), [("undocumented_status", WARN)],
                 id="continue-417"),
    pytest.param(framed(CONTINUE), reply(411, b""), [("expected_status", FAIL)],
                 id="continue-411"),
    pytest.param(sized(10), reply(411, b""), [("expected_status", FAIL)], id="length-411"),
    pytest.param(framed(EXTENDED), reply(400, b""), [("undocumented_status", WARN)],
                 id="chunk-extension-400"),
    pytest.param(framed(TRAILED), reply(400, b""), [("undocumented_status", WARN)],
                 id="trailer-400"),
    pytest.param(framed(EXTENDED), reply(422, DETAIL), [("expected_status", FAIL)],
                 id="chunk-extension-422"),
    pytest.param(framed(CHUNKED), reply(400, b""), [("expected_status", FAIL)],
                 id="chunked-400"),
    pytest.param(engine_case("QUERY"), reply(501, b"x"), [], id="engine-query-501"),
    pytest.param(engine_case("QUERY"), reply(500, b"x"), [("server_error", FAIL)],
                 id="engine-query-500"),
    pytest.param(probe(Expect.ACCEPT), reply(501, b"x"), [("server_error", FAIL)],
                 id="declared-501"),
    pytest.param(targeted(256), reply(414, b""), [("undocumented_status", WARN)],
                 id="414-past-the-floor"),
    pytest.param(targeted(255), reply(414, b""), [("expected_status", FAIL)],
                 id="414-at-the-floor"),
    pytest.param(targeted(4_030), reply(413, b""), [("expected_status", FAIL)],
                 id="long-target-413"),
    pytest.param(sized(10, Expect.UNTYPED), reply(422, DETAIL), [], id="untyped-422"),
    pytest.param(sized(10, Expect.UNTYPED), reply(423, {"detail": "x"}),
                 [("undocumented_status", WARN)], id="untyped-423"),
    pytest.param(probe(Expect.ACCEPT), reply(499, {"detail": "x"}), [("expected_status", FAIL)],
                 id="accept-499"),
    pytest.param(probe(Expect.REJECT, "body.observer"),
                 reply(422, {"detail": [item("body", "observer", 0)]}), [], id="names-inside"),
    pytest.param(probe(Expect.REJECT, "body.observer"), reply(422, {"detail": [item("body")]}),
                 [], id="contract-body-as-a-whole"),
    pytest.param(probe(Expect.REJECT, "body.observer"), reply(422, {"detail": [item("observer")]}),
                 [], id="contract-bare-field"),
    pytest.param(probe(Expect.REJECT, "body.observer"), reply(422, {"detail": [item("peer")]}),
                 [("error_locations", FAIL)], id="contract-bare-undeclared"),
    pytest.param(probe(Expect.REJECT, "body.observer"),
                 reply(422, DETAIL, (("content-type", "application/json; charset=utf-8"),)),
                 [], id="json-with-charset"),
]  # fmt: skip
HONCHO_EDGES = [
    pytest.param(probe(Expect.REJECT, "body.observer"), reply(422, {"detail": [item("body")]}),
                 [("error_locations", FAIL)], id="honcho-body-as-a-whole"),
    pytest.param(probe(Expect.REJECT, "body.observer"), reply(422, {"detail": [item("observer")]}),
                 [("error_locations", FAIL)], id="honcho-bare-field"),
    pytest.param(probe(Expect.REJECT, "body.observer"),
                 reply(422, {"detail": [item("body", "observer")]}), [], id="honcho-named"),
]  # fmt: skip


@pytest.mark.parametrize(("sent", "answer", "expected"), EDGES)
def test_edges(sent: Probe, answer: Reply, expected: list[tuple[str, Severity]]) -> None:
    assert checks_of(sent, answer) == expected


@pytest.mark.parametrize(("sent", "answer", "expected"), HONCHO_EDGES)
def test_honcho_edges(sent: Probe, answer: Reply, expected: list[tuple[str, Severity]]) -> None:
    ctx = CheckContext(FACTS, profile="honcho")
    assert [(f.check, f.severity) for f in run_checks(Exchange(sent, answer), ctx)] == expected


def test_lenient_probes_may_blame_anything_in_the_body() -> None:
    lenient = Probe("p", "body.observer: NaN", "POST", "/", b"{", JSON, Expect.REJECT,
                    lenient=True)  # fmt: skip
    assert checks_of(lenient, reply(422, {"detail": [item("body", "dream_type")]})) == []
    strict = Probe("p", "body.observer: NaN", "POST", "/", b"{", JSON, Expect.REJECT)
    found = checks_of(strict, reply(422, {"detail": [item("body", "dream_type")]}))
    assert found == [("error_locations", FAIL)]


def test_strict_makes_a_body_limit_a_failure() -> None:
    found = checks_of(sized(FLOOR), reply(413, {"detail": "x"}), strict=True)
    assert found == [("body_limit", FAIL)]


def test_strict_makes_a_target_limit_a_failure() -> None:
    found = checks_of(targeted(4_030), reply(414, b""), strict=True)
    assert found == [("undocumented_status", FAIL)]


@pytest.mark.parametrize(
    ("sent", "answer", "fragment"),
    [
        pytest.param(probe(Expect.ACCEPT), reply(500, b"x" * 200), "x" * 200 + "\n",
                     id="excerpt-whole"),
        pytest.param(probe(Expect.ACCEPT), reply(500, b"x" * 201), "x" * 200 + "...\n",
                     id="excerpt-cut"),
        pytest.param(probe(Expect.ACCEPT), reply(500, b""), "(empty body)\n", id="excerpt-empty"),
        pytest.param(probe(Expect.REJECT), reply(422, {"detail": [item("body", "peer")]}),
                     "does not declare ('peer')", id="undeclared-field-named"),
        pytest.param(method("PUT"), reply(405, None, (*JSON, ("allow", "GET"))),
                     "405 with allow: GET; RFC 9110 wants allow: POST", id="allow-shown"),
        pytest.param(method("PUT"), reply(405, None, JSON),
                     "405 with no allow header", id="allow-missing"),
        pytest.param(probe(Expect.ACCEPT), reply(500, b"short"), ": short\n", id="excerpt-short"),
        pytest.param(probe(Expect.REJECT), reply(422, DETAIL, ()), "content-type '(none)'",
                     id="no-content-type-named"),
        pytest.param(probe(Expect.REJECT), reply(422, {"detail": [item("query", "q")]}),
                     "names no declared query parameter", id="undeclared-parameter-named"),
        pytest.param(probe(Expect.REJECT), reply(422, {"detail": [item("body", True)]}),
                     "does not declare (True)", id="a-boolean-is-no-offset"),
        pytest.param(probe(Expect.REJECT), reply(422, {"detail": [{"loc": "x" * 400}]}),
                     ITEM + "x" * (300 - len(ITEM)) + "\n", id="item-cut-at-300"),
    ],
)  # fmt: skip
def test_messages(sent: Probe, answer: Reply, fragment: str) -> None:
    messages = [f.message for f in run_checks(Exchange(sent, answer), CTX)]
    assert fragment in "\n".join(messages) + "\n"


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
