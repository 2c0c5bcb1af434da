"""Fuzz the mock: no 5xx, and every answer stays inside the contract.

schemathesis generates requests from the OpenAPI document (examples, coverage and fuzzing
phases; positive and negative data); Hypothesis throws raw bytes, JSON-ish soup, odd
methods, paths and headers at both mocks; a table of hostile probes pins exact statuses.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple
from urllib.parse import quote

import httpx
import pytest
import schemathesis
from hypothesis import given
from hypothesis import strategies as st
from schemathesis import checks

from honcho_spec import default_document_path, load_document, mint_token

from conftest import JWT_SECRET

TIMEOUT = 30.0
DOCUMENT = load_document(default_document_path())
OPERATION = DOCUMENT.operations[0]
BODY_SCHEMA = DOCUMENT.resolve(OPERATION.request_body.json_schema)  # type: ignore[union-attr]
FIELDS = tuple(BODY_SCHEMA["properties"])
_FIELD_SCHEMAS = {name: DOCUMENT.resolve(BODY_SCHEMA["properties"][name]) for name in FIELDS}
ENUM_FIELDS = frozenset(name for name, schema in _FIELD_SCHEMAS.items() if "enum" in schema)
VALID = {name: _FIELD_SCHEMAS[name].get("enum", ["peer-1"])[0] for name in BODY_SCHEMA["required"]}
ADMIN = f"Bearer {mint_token(JWT_SECRET, {'ad': True})}"
NON_FINITE = ("NaN", "Infinity", "-Infinity", "1e999")
Servers = dict[bool, str]  # auth on -> base URL


def _path(workspace_id: str) -> str:
    return OPERATION.path.replace("{workspace_id}", workspace_id)


def _body(**raw: str) -> bytes:
    """The valid body as JSON text, members replaced or added as raw JSON text."""
    members = {name: json.dumps(value) for name, value in VALID.items()} | raw
    return ("{" + ",".join(f"{json.dumps(k)}:{v}" for k, v in members.items()) + "}").encode()


def _schema(*, security: bool, rejection: list[int]) -> Any:
    config = schemathesis.Config.from_dict(
        {
            "seed": 2501,
            "cache": {"enabled": False},
            "generation": {"mode": "all", "database": "none", "with-security-parameters": security},
            "phases": {phase: {"enabled": True} for phase in ("examples", "coverage", "fuzzing")},
            "checks": {  # the defaults pass 404/5xx as acceptance and 400/5xx as rejection
                "positive_data_acceptance": {"expected-statuses": [204]},
                "negative_data_rejection": {"expected-statuses": rejection},
            },
        }
    )
    return schemathesis.openapi.from_path(default_document_path(), config=config)


# Auth off: the mock ignores credentials, so none are generated or removed.
SCHEMA = _schema(security=False, rejection=[422])
# Auth on: generated Authorization values are junk, never valid credentials.
AUTH_SCHEMA = _schema(security=True, rejection=[401, 422])
_TEXT = _body().decode()


def _unparseable(body: bytes | str | None) -> bool:
    """Bytes that are not UTF-8/16/32 text, or nest too deeply: the mock's 400."""
    try:
        json.loads(body or b"null")
    except (UnicodeDecodeError, RecursionError):
        return True
    except ValueError:
        pass
    return False


def _assert_shape(status: int, content: bytes, content_type: str | None) -> None:
    assert status < 500, f"server error {status}: {content[:300]!r}"
    assert status != 204 or content == b"", f"204 with a body: {content[:300]!r}"
    if not content:
        return
    assert (content_type or "").startswith("application/json"), content_type
    payload = json.loads(content)
    detail = payload.get("detail") if isinstance(payload, dict) else None
    if status != 422:
        assert isinstance(detail, str), payload
        assert status != 400 or detail == "There was an error parsing the body", payload
        return
    assert isinstance(detail, list), payload
    assert detail, payload
    for item in detail:
        assert (type(item["loc"]), type(item["msg"]), type(item["type"])) == (list, str, str), item
        assert all(isinstance(part, str | int) for part in item["loc"]), item


@contextlib.contextmanager
def _reproducer(describe: Callable[[], str]) -> Iterator[None]:
    try:
        yield
    except AssertionError as exc:
        raise AssertionError(f"{exc}\nReproduce with: {describe()}") from None


def _run_case(case: Any, base_url: str, allowed: set[int], excluded: list[Any]) -> None:
    response = case.call(base_url=base_url, timeout=TIMEOUT)
    status, content_type = response.status_code, (response.headers.get("content-type") or [None])[0]
    with _reproducer(lambda: case.as_curl_command(base_url=base_url)):
        _assert_shape(status, response.content, content_type)
        host = response.request.headers.get("host")
        if host is not None and host.split(":")[0] not in ("127.0.0.1", "localhost"):
            # a Host the mock is not reached by (an empty one, as a case may send): the
            # mock's allow-list refuses it, whatever the request (mock_server.controls)
            assert status == 403, status
            return
        if case.method.upper() != OPERATION.method:  # coverage's undeclared-method probes
            assert status == 405, status
        else:
            assert status in allowed or (status == 400 and _unparseable(response.request.body))
    if status == 400:
        # Negative data sent as raw non-UTF-8 bytes gets FastAPI's 400, which the spec
        # does not document: a known divergence, reported, not a failure of these checks.
        excluded = [*excluded, checks.status_code_conformance, checks.negative_data_rejection]
    case.validate_response(response, excluded_checks=excluded)


@SCHEMA.parametrize()
@pytest.mark.slow
def test_schemathesis_cases(case: Any, mock_url: str) -> None:
    # ignored_auth: the spec declares HTTPBearer, but with auth off the mock (like Honcho's
    # default AUTH_USE_AUTH=false) lets every request through, by design.
    _run_case(case, mock_url, {204, 422}, [checks.ignored_auth])


@AUTH_SCHEMA.parametrize()
@pytest.mark.slow
def test_schemathesis_cases_without_credentials(case: Any, auth_mock_url: str) -> None:
    # No valid credentials: valid data is refused (positive_data_acceptance) with a 401 the
    # spec does not document (status_code_conformance). Both are right for this server.
    excluded = [checks.positive_data_acceptance, checks.status_code_conformance]
    _run_case(case, auth_mock_url, {401, 422}, excluded)


class RawRequest:
    """One drawn request; its repr stays short, however large the body."""

    def __init__(
        self, method: str, path: str, ctype: str | None, auth: str | None, body: bytes | None
    ) -> None:
        headers = {"content-type": ctype, "authorization": auth}
        self.headers = {k: v for k, v in headers.items() if v is not None}
        self.method, self.path, self.body = method, path, body

    def __repr__(self) -> str:
        return f"<{self.method} {self.path!r:.200} {self.headers!r:.300} {self.body!r:.300}>"


def _weighted(*choices: tuple[int, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    return st.sampled_from([s for n, s in choices for _ in range(n)]).flatmap(lambda s: s)


_HEADER = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=60).map(str.strip)
_ATOMS = [*NON_FINITE, "null", "true", "1", "[[[[", "{}", '"', '"a\x00"', '"\\u0000"']
_ATOMS += ['"\\ud800"', '"\\udc00x"', "[" * 3000 + "]" * 3000]
_VALUES = st.one_of(
    st.sampled_from([*map(json.dumps, VALID.values()), *_ATOMS]),
    st.integers(0, 100_000).map(lambda n: json.dumps("x" * n)),
    st.text(max_size=20).map(json.dumps),
)
_KEYS = st.sampled_from([*map(json.dumps, FIELDS), '"extra"', '""', '"\\ud800"'])
_MEMBERS = st.lists(st.tuples(_KEYS, _VALUES), max_size=5).map(
    lambda members: "".join(f",{key}:{value}" for key, value in members)
)
_NEAR_VALID = _MEMBERS.map(lambda tail: _TEXT[:-1] + tail + "}")  # later duplicates win
_FRAGMENTS = st.sampled_from([*"{}[],: ", '"observer"', "NaN", "1e999", "\\u0000", "[[[["])
_SOUP = st.lists(st.one_of(_FRAGMENTS, _VALUES, st.text(max_size=4)), max_size=25).map("".join)
_TEXTS = _weighted((3, _NEAR_VALID), (1, _MEMBERS.map(lambda tail: f"{{{tail[1:]}}}")), (2, _SOUP))
_CODECS = st.sampled_from(["utf-8"] * 4 + ["utf-8-sig", "utf-16", "utf-16-be", "utf-32"])
_ENCODED = st.builds(lambda text, codec: text.encode(codec, "surrogatepass"), _TEXTS, _CODECS)
BODIES = _weighted((6, _ENCODED), (1, st.binary(max_size=300)), (1, st.none()))
_MEDIA = ["application/json; charset=utf-16", "application/x+json", "", 'application/json; a="']
_MEDIA += ["text/plain", "multipart/form-data", "application/x-www-form-urlencoded", "application/"]
_JSON = st.sampled_from([None, "application/json"])
CONTENT_TYPES = _weighted((6, _JSON), (1, st.sampled_from(_MEDIA)), (1, _HEADER))
PARSER_REFUSAL = (400, b"Invalid HTTP request received.")  # uvicorn's own
_OTHER = ["GET", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "TRACE", "QUERY"]
_TOKENS = st.from_regex(r"[A-Z]{1,12}", fullmatch=True).filter(lambda m: m != "CONNECT")
METHODS = _weighted((6, st.just(OPERATION.method)), (1, st.sampled_from(_OTHER)), (1, _TOKENS))
_PIECES = st.one_of(
    st.text(min_size=1, max_size=20).map(lambda s: quote(s, safe="")),
    st.sampled_from(["%2F", "%2f", "%00", "%25", "%", "%zz", "%C3%28", "%ED%A0%80", "..", "%20"]),
)
_IDS = _weighted(  # at most 4,000 characters: httpx refuses URLs over 64 kB once encoded
    (4, st.text(min_size=1, max_size=40).map(lambda s: quote(s, safe=""))),
    (2, st.lists(_PIECES, max_size=4).map("".join)),
    (
        1,
        st.builds(
            lambda c, n: quote(c * n, safe=""), st.characters(codec="utf-8"), st.integers(1, 4000)
        ),
    ),
)
PATHS = st.builds(lambda wid, slash: _path(wid) + slash, _IDS, st.sampled_from([""] * 7 + ["/"]))
_BEARERS = _HEADER.map("Bearer {}".format).map(str.strip)
AUTHORIZATIONS = _weighted((2, st.sampled_from([ADMIN, None])), (1, _HEADER), (1, _BEARERS))
RAW_REQUESTS = st.builds(RawRequest, METHODS, PATHS, CONTENT_TYPES, AUTHORIZATIONS, BODIES)


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=TIMEOUT) as session:
        yield session


@pytest.fixture(scope="module")
def servers(mock_url: str, auth_mock_url: str) -> Servers:
    return {False: mock_url, True: auth_mock_url}


@pytest.mark.parametrize("auth", [False, True], ids=["auth-off", "auth-on"])
@given(raw=RAW_REQUESTS)
@pytest.mark.slow
def test_raw_requests(client: httpx.Client, servers: Servers, auth: bool, raw: RawRequest) -> None:
    url = servers[auth] + raw.path
    response = client.request(raw.method, url, content=raw.body, headers=raw.headers)
    status = response.status_code
    allowed = {204, 404, 405, 422}
    allowed |= {307} if raw.path.endswith("/") else set()
    allowed |= {401} if auth and raw.headers.get("authorization") != ADMIN else set()
    allowed |= {400} if _unparseable(raw.body) else set()
    with _reproducer(lambda: f"{raw!r} (and the @reproduce_failure blob)"):
        if (status, response.content) == PARSER_REFUSAL:
            # httptools (the real server's parser, uvicorn[standard]) knows a fixed set of
            # methods and refuses any other token before an app sees the request.
            assert raw.method not in {OPERATION.method, *_OTHER}, raw.method
            return
        assert status in allowed, f"{status}: {response.content[:300]!r}"
        assert status != 405 or raw.method != OPERATION.method, response.content
        _assert_shape(status, response.content, response.headers.get("content-type"))


class Probe(NamedTuple):
    body: bytes | None
    status: int
    first_type: str | None = None
    content_type: str | None = None
    path: str = _path("ws-1")


def _probe(id_: str, body: bytes | None, status: int, *rest: str | None) -> Any:
    return pytest.param(Probe(body, status, *rest), id=id_)


def _field_probes() -> Iterator[Any]:
    for name in FIELDS:
        text_status, text_type = (422, "enum") if name in ENUM_FIELDS else (204, None)
        not_text = "enum" if name in ENUM_FIELDS else "string_type"
        yield _probe(f"nul-in-{name}", _body(**{name: '"\\u0000"'}), text_status, text_type)
        yield _probe(f"lone-surrogate-in-{name}", _body(**{name: '"\\ud800"'}), text_status)
        big = _body(**{name: json.dumps("o" * 1_000_000)})
        yield _probe(f"1M-chars-in-{name}", big, text_status, text_type)
        for raw in NON_FINITE:
            yield _probe(f"{raw}-in-{name}", _body(**{name: raw}), 422, not_text)


_FIRST, _DEEP = json.dumps(FIELDS[0]), "[" * 100_000 + "]" * 100_000
_SCALARS = ("[]", '"s"', "42", "true", f"[{_TEXT}]")
PROBES = [
    _probe("valid", _body(), 204),
    _probe("nesting-100000-body", _DEEP.encode(), 400),
    _probe("nesting-100000-in-field", _body(**{FIELDS[0]: _DEEP}), 400),
    _probe("nesting-500-echoed", _body(**{FIELDS[0]: "[" * 500 + "]" * 500}), 422, "string_type"),
    *_field_probes(),
    *(_probe(f"{raw}-as-extra-key", _body(extra=raw), 204) for raw in NON_FINITE),
    _probe("duplicate-key-last-valid", f"{{{_FIRST}:1,{_TEXT[1:]}".encode(), 204),
    _probe("duplicate-key-last-invalid", f"{_TEXT[:-1]},{_FIRST}:1}}".encode(), 422, "string_type"),
    _probe("raw-nul-byte", _body(**{FIELDS[0]: '"a\x00"'}), 422, "json_invalid"),
    *(_probe(c, _TEXT.encode(c), 204) for c in ("utf-8-sig", "utf-16", "utf-16-be", "utf-32")),
    _probe("not-utf-8", _body().replace(b"{", b'{"x":"\xff",', 1), 400),
    _probe("empty-body", b"", 422, "missing"),
    _probe("absent-body", None, 422, "missing"),
    _probe("json-null", b"null", 422, "missing"),
    *(_probe(f"json-{raw}", raw.encode(), 422, "model_attributes_type") for raw in _SCALARS),
    _probe("truncated", b"{", 422, "json_invalid"),
    _probe("text-plain", _body(), 422, "model_attributes_type", "text/plain"),
    _probe("plus-json", _body(), 204, None, "Application/Vnd.X+JSON; q=1"),
    _probe("path-nul", _body(), 204, None, None, _path("%00")),
    _probe("path-encoded-surrogate", _body(), 204, None, None, _path("%ED%A0%80")),
    _probe("path-10k-chars", _body(), 204, None, None, _path("w" * 10_000)),
    _probe("path-encoded-slash", _body(), 404, None, None, _path("%2F")),
    _probe("path-empty-id", _body(), 404, None, None, _path("")),
    _probe("path-double-slash", _body(), 404, None, None, _path("ws-1/")),
    _probe("path-trailing-slash", _body(), 307, None, None, _path("ws-1") + "/"),
]


@pytest.mark.parametrize("auth", [False, True], ids=["auth-off", "admin-token"])
@pytest.mark.parametrize("probe", PROBES)
def test_hostile_body(client: httpx.Client, servers: Servers, auth: bool, probe: Probe) -> None:
    headers = {"content-type": probe.content_type, "authorization": ADMIN if auth else None}
    headers = {k: v for k, v in headers.items() if v is not None}
    response = client.post(servers[auth] + probe.path, content=probe.body, headers=headers)
    _assert_shape(response.status_code, response.content, response.headers.get("content-type"))
    assert response.status_code == probe.status, response.content[:300]
    if probe.first_type is not None:
        assert json.loads(response.content)["detail"][0]["type"] == probe.first_type
