"""The hot path's shortcuts give exactly the answers of the long way round.

Three shortcuts keep the mock fast: requests for an operation skip Starlette's middleware
and router (:class:`mock_server.dispatch.MockApp`), a JSON object in UTF-8 is parsed
without json.loads's detours, and pydantic-core writes the 422 items of a plain body itself
(:class:`mock_server.body.Parsed`). Each is checked here against the path it short-cuts.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from starlette.routing import Match

from honcho_spec import default_document_path, load_golden_cases
from mock_server import BackgroundServer, MockSettings, create_app
from mock_server.answer.body import parse
from mock_server.answer.handler import Incoming
from mock_server.answer.rendering import render_json
from mock_server.answer.validation import RequestParts
from mock_server.edge.dispatch import _full_match

PATH = "/v2/workspaces/ws-1/trigger_dream"
HANDLER = create_app(settings=MockSettings(control=False)).state.handlers[0]
FIELDS = ["observer", "observed", "dream_type", "extra", ""]

_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(-(10**40), 10**40),
    st.text(),
    st.sampled_from(["consolidate", "agent", "sleep", 'a"b\\c/d', "\x1f\x7f\u2028", "é中😀"]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(1e-5, 1e17) | st.floats(-1e17, -1e-5) | st.sampled_from([0.0, -0.0, 1e-4, 1e16]),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=3), inner, max_size=4)
    ),
    max_leaves=8,
)
BODIES = st.dictionaries(st.sampled_from(FIELDS), _VALUES, max_size=4) | _VALUES


def _long_way(body: bytes) -> bytes:
    errors, _ = HANDLER.validator.errors(RequestParts({"workspace_id": "ws-1"}, json.loads(body)))
    return render_json({"detail": errors}) if errors else b""


@given(value=BODIES, ascii_only=st.booleans())
@pytest.mark.slow
def test_pydantic_items_are_fastapis_items(value: Any, ascii_only: bool) -> None:
    assume(value is not None)  # an absent body is a "missing" item, never the shortcut
    body = json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    answer, _ = HANDLER.decide(Incoming({"workspace_id": "ws-1"}, "application/json", None, body))
    assert (answer.body if answer.status == 422 else b"") == _long_way(body)


@pytest.mark.parametrize("depth", [100, 199, 200, 255, 256, 400])
def test_deep_bodies_as_the_long_way(depth: int) -> None:
    body = b'{"observer":' + b'{"a":' * depth + b"1" + b"}" * depth + b"}"
    answer, _ = HANDLER.decide(Incoming({"workspace_id": "ws-1"}, "application/json", None, body))
    assert answer.body == _long_way(body)


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        (b'{"observer":"bee","dream_type":"agent"}', True),
        (b'{"observer":12345678901234567890123}', True),
        ('{"observer":"é中😀"}'.encode(), True),
        (b'{"observer":"\\u00e9\\ud800"}', True),  # pydantic-core refuses it: the long way
        (b'{"observer":1.5}', True),
        (b'{"observer":-0.0}', True),
        (b'{"observer":1e5}', True),
        (b'{"observer":-2E-3}', True),
        (b'{"observer":1e16}', False),
        (b'{"observer":9999999999999999.0}', False),
        (b'{"observer":0.00001}', False),
        (b'{"observer":1e999}', False),
        (b'{"observer":NaN}', False),
        (b'{"observer":-Infinity}', False),
        (b' {"observer":"x"}', False),
        (b'{"observer":' + b"[" * 199 + b"]" * 199 + b"}", True),
        (b'{"observer":' + b"[" * 200 + b"]" * 200 + b"}", False),
        (b'["observer"]', False),
        ('{"observer":"x"}'.encode("utf-16"), False),
        ('{"observer":"x"}'.encode("utf-8-sig"), False),
    ],
)
def test_plain_bodies(text: bytes, plain: bool) -> None:
    parsed = parse(text, "application/json")
    assert parsed.plain is plain
    assert parsed.value == json.loads(text) or parsed.value != parsed.value


def _requests() -> list[Any]:
    golden = [
        pytest.param(c.method, c.path, c.request_headers(), c.body, id=c.name)
        for c in load_golden_cases()
        if not c.token and not c.settings
    ]
    odd = [
        ("GET", PATH, {}, None),
        ("POST", PATH + "/", {}, b"{}"),
        ("POST", "/v2/workspaces//trigger_dream", {}, b"{}"),
        ("POST", "/nowhere", {}, b"{}"),
        ("POST", PATH, {"origin": "http://app.test"}, b'{"observer":"a","dream_type":"agent"}'),
        (
            "OPTIONS",
            PATH,
            {"origin": "http://app.test", "access-control-request-method": "POST"},
            None,
        ),
    ]
    return [*golden, *(pytest.param(*request, id=f"odd-{n}") for n, request in enumerate(odd))]


def _answer(client: httpx.Client, method: str, path: str, headers: Any, body: Any) -> Any:
    headers = {"host": "localhost", **headers}  # the same Location from either server
    response = client.request(method, path, headers=headers, content=body)
    headers = sorted((k, v) for k, v in response.headers.items() if k != "date")
    return response.status_code, headers, response.content


@pytest.fixture(scope="module")
def clients() -> Iterator[tuple[httpx.Client, httpx.Client]]:
    """One mock taking its operation directly (the default), one sending all through
    Starlette."""
    direct = create_app()
    assert direct.direct, "the operation's route is taken directly by default"
    long_way = create_app()
    long_way.take_directly(())
    with (
        BackgroundServer(app=direct) as fast,
        BackgroundServer(app=long_way) as slow,
        httpx.Client(base_url=fast.url) as fast_client,
        httpx.Client(base_url=slow.url) as slow_client,
    ):
        yield fast_client, slow_client


@pytest.mark.parametrize(("method", "path", "headers", "body"), _requests())
def test_direct_dispatch_answers_as_starlette(
    clients: tuple[httpx.Client, httpx.Client],
    method: str,
    path: str,
    headers: dict[str, str],
    body: bytes | None,
) -> None:
    answers, journals = [], []
    for client in clients:
        client.delete("/__mock__/requests")
        answers.append(_answer(client, method, path, headers, body))
        journals.append(client.get("/__mock__/requests").json())
    assert answers[0] == answers[1]
    for entries in journals:  # journaled once either way, with the same entry (but its time)
        assert len(entries) == 1
        del entries[0]["time"], entries[0]["id"]
    assert journals[0] == journals[1]


def test_reload_turns_the_shortcut_off(tmp_path: Any) -> None:
    document = tmp_path / "doc.yaml"
    document.write_bytes(default_document_path().read_bytes())
    assert not create_app(settings=MockSettings(spec_path=document, reload=True)).direct


@pytest.mark.parametrize("root_path", ["", "/api"])
@pytest.mark.parametrize("method", ["POST", "GET"])
@pytest.mark.parametrize(
    "path", [PATH, PATH + "/", "/v2/workspaces/caf%C3%A9/trigger_dream", "/v2/workspaces/a/b"]
)
@pytest.mark.slow
def test_full_match_is_the_routers(root_path: str, method: str, path: str) -> None:
    routes = create_app().direct
    scope = {"type": "http", "method": method, "path": root_path + path, "root_path": root_path}
    expected = [(r, child) for r in routes for m, child in [r.matches(scope)] if m is Match.FULL]
    found = _full_match(routes, scope)
    if not expected:
        assert found is None
        return
    route, child_scope = expected[0]
    assert found is route
    assert {key: scope[key] for key in child_scope} == child_scope
