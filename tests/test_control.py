"""The control paths and layer over real HTTP: journal, dreams, ``--no-control``, CORS.

The mocks come from the kit's own pytest plugin (``honcho_mock``, ``honcho_mock_factory``).
"""

from __future__ import annotations

import datetime
import json
import socket
import time
from typing import Any

import httpx
import pytest

from honcho_spec import SpecDocument, parse_document
from mock_server import MockSettings, create_app
from mock_server.edge.control_paths import CONTROL_PATHS, ControlPathError
from mock_server.testing import HonchoMock, MockUsageError

from conftest import ENUM_ERROR

PATH = "/v2/workspaces/ws-1/trigger_dream"
VALID = {"observer": "alice", "dream_type": "agent"}


Sent = tuple[str, str, dict[str, str] | None]  # method, path, JSON body


@pytest.mark.parametrize(
    ("sent", "status", "errors"),
    [
        pytest.param(("POST", PATH, VALID), 204, [], id="accepted"),
        pytest.param(("POST", PATH, {**VALID, "dream_type": "sleep"}), 422, [ENUM_ERROR], id="422"),
        pytest.param(("GET", PATH, None), 405, [], id="wrong-method"),
        pytest.param(("POST", PATH + "/", VALID), 307, [], id="trailing-slash"),
        pytest.param(("POST", "/v2/nowhere", VALID), 404, [], id="unknown-path"),
    ],
)
def test_every_request_is_journaled_with_its_verdict(
    honcho_mock: HonchoMock, sent: Sent, status: int, errors: list[Any]
) -> None:
    method, path, body = sent
    before = time.time()
    response = httpx.request(method, honcho_mock.url + path, json=body)
    assert response.status_code == status
    (entry,) = httpx.get(f"{honcho_mock.url}/__mock__/requests").json()
    assert entry == honcho_mock.requests[0]
    assert (entry["method"], entry["path"], entry["status"]) == (method, path, status)
    assert (entry["errors"], entry["detail"], entry["control"]) == (errors, None, None)
    assert entry["headers"]["host"] == honcho_mock.url.removeprefix("http://")
    reached_the_operation = status in (204, 422)  # the body is read by the operation only
    assert entry["body"] == (response.request.content.decode() if reached_the_operation else "")
    assert before <= datetime.datetime.fromisoformat(entry["time"]).timestamp() <= time.time()


def test_401_is_journaled_with_its_reason(honcho_mock_factory: Any) -> None:
    mock = honcho_mock_factory(auth_jwt_secret="s3cret")
    httpx.post(mock.url + PATH, json=VALID, headers={"authorization": "Bearer nope"})
    assert [(e["status"], e["detail"]) for e in mock.requests] == [(401, "Invalid JWT")]


def test_filters_and_delete_over_http(honcho_mock: HonchoMock) -> None:
    url = honcho_mock.url
    for body in (VALID, {}, VALID):
        httpx.post(url + PATH, json=body)
    middle = honcho_mock.requests[1]["time"]
    listing = httpx.get(f"{url}/__mock__/requests", params={"status": "4xx"})
    assert [e["id"] for e in listing.json()] == [honcho_mock.requests[1]["id"]]
    since = httpx.get(f"{url}/__mock__/requests", params={"since": middle, "status": "204"})
    assert [e["id"] for e in since.json()] == [honcho_mock.requests[2]["id"]]
    bad = httpx.get(f"{url}/__mock__/requests", params={"status": "teapot"})
    assert (bad.status_code, bad.json()) == (
        400,
        {"detail": "status='teapot' is not a status (204) or a class (4xx)"},
    )
    cleared = httpx.delete(f"{url}/__mock__/requests")
    assert (cleared.status_code, cleared.content) == (204, b"")
    assert httpx.get(f"{url}/__mock__/requests").json() == []
    assert honcho_mock.dreams == []


def test_control_paths_are_not_journaled(honcho_mock: HonchoMock) -> None:
    httpx.get(f"{honcho_mock.url}/__mock__/requests")
    httpx.get(f"{honcho_mock.url}/__mock__/nothing")
    assert honcho_mock.requests == []


@pytest.mark.slow
def test_journal_keeps_the_last_n(honcho_mock_factory: Any) -> None:
    mock = honcho_mock_factory(journal_size=3)
    for index in range(5):
        httpx.post(f"{mock.url}/v2/workspaces/ws-{index}/trigger_dream", json=VALID)
    assert [e["path"] for e in mock.requests] == [
        f"/v2/workspaces/ws-{index}/trigger_dream" for index in (2, 3, 4)
    ]


def test_dreams_of_accepted_requests(honcho_mock: HonchoMock) -> None:
    url = honcho_mock.url
    sent = [
        ("ws-1", {"observer": "alice", "dream_type": "consolidate"}),
        ("ws-1", {"observer": "alice", "observed": None, "dream_type": "agent"}),
        ("ws-2", {"observer": "bob", "observed": "carol", "dream_type": "agent", "x": 1}),
        ("ws-2", {"observer": "bob", "dream_type": "sleep"}),  # 422: no dream
    ]
    for workspace, body in sent:
        httpx.post(f"{url}/v2/workspaces/{workspace}/trigger_dream", json=body)
    expected = [
        {
            "workspace_id": "ws-1",
            "observer": "alice",
            "observed": "alice",
            "dream_type": "consolidate",
        },
        {"workspace_id": "ws-1", "observer": "alice", "observed": "alice", "dream_type": "agent"},
        {"workspace_id": "ws-2", "observer": "bob", "observed": "carol", "dream_type": "agent"},
    ]
    assert httpx.get(f"{url}/__mock__/dreams").json() == honcho_mock.dreams == expected
    ws2 = httpx.get(f"{url}/__mock__/dreams", params={"workspace_id": "ws-2"}).json()
    agents = httpx.get(f"{url}/__mock__/dreams", params={"dream_type": "agent"}).json()
    assert (ws2, agents) == (expected[2:], expected[1:])


def test_no_control_is_the_faithful_server(honcho_mock_factory: Any) -> None:
    mock = honcho_mock_factory(control=False)
    journal = httpx.get(f"{mock.url}/__mock__/requests")
    forced = httpx.post(mock.url + PATH, json=VALID, headers={"prefer": "code=422"})
    assert (journal.status_code, journal.json()) == (404, {"detail": "Not Found"})
    assert forced.status_code == 204
    with pytest.raises(MockUsageError, match="keeps no journal"):
        _ = mock.requests


def test_journal_size_zero_keeps_prefer(honcho_mock_factory: Any) -> None:
    mock = honcho_mock_factory(journal_size=0)
    assert httpx.get(f"{mock.url}/__mock__/requests").status_code == 404
    assert (
        httpx.post(mock.url + PATH, json=VALID, headers={"prefer": "code=422"}).status_code == 422
    )


def document_with(path: str) -> SpecDocument:
    operation = {"get": {"responses": {"200": {"description": "ok"}}}}
    info = {"title": "t", "version": "1"}
    return parse_document(
        json.dumps({"openapi": "3.1.0", "info": info, "paths": {path: operation}})
    )


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/__mock__/requests", id="a-control-path"),
        pytest.param("/__mock__/other", id="under-the-prefix"),
        pytest.param("/{a}/requests", id="template-reaching-one"),
        pytest.param("/{anything:path}", id="catch-all"),
    ],
)
def test_document_reaching_the_control_paths_is_refused(path: str) -> None:
    document = document_with(path)
    with pytest.raises(ControlPathError) as raised:
        create_app(document)
    message = str(raised.value)
    assert message.count("\n") == 0
    assert path in message
    assert message.endswith("serve it with --no-control")
    app = create_app(document, MockSettings(control=False))
    assert [route.path for route in app.routes] == [path]


def test_document_beside_the_control_paths_is_served() -> None:
    app = create_app(document_with("/{a}/{b}/{c}"))
    assert [route.path for route in app.routes] == ["/{a}/{b}/{c}", *CONTROL_PATHS]


ORIGIN = "https://app.example"
PREFLIGHT = {
    "origin": ORIGIN,
    "access-control-request-method": "POST",
    "access-control-request-headers": "authorization, content-type, prefer",
}


def test_cors_preflight_and_simple_requests(honcho_mock: HonchoMock) -> None:
    url = honcho_mock.url + PATH
    preflight = httpx.options(url, headers=PREFLIGHT)
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert (
        preflight.headers["access-control-allow-headers"]
        == PREFLIGHT["access-control-request-headers"]
    )
    simple = httpx.post(url, json={}, headers={"origin": ORIGIN})
    assert simple.status_code == 422
    assert simple.headers["access-control-allow-origin"] == "*"
    assert [e["method"] for e in honcho_mock.requests] == ["OPTIONS", "POST"]


@pytest.mark.parametrize(
    "options",
    [
        pytest.param({}, id="cors-on"),
        pytest.param({"cors_origins": "none"}, id="cors-off"),
    ],
)
def test_plain_options_stays_the_real_servers_405(honcho_mock_factory: Any, options: Any) -> None:
    mock = honcho_mock_factory(**options)
    plain = httpx.options(mock.url + PATH)
    assert (plain.status_code, plain.content) == (405, b'{"detail":"Method Not Allowed"}')
    assert plain.headers["allow"] == "POST"
    assert "access-control-allow-origin" not in plain.headers


@pytest.mark.slow
def test_cors_origins_restricts_and_none_turns_it_off(honcho_mock_factory: Any) -> None:
    only = honcho_mock_factory(cors_origins=ORIGIN)
    allowed = httpx.options(only.url + PATH, headers=PREFLIGHT)
    refused = httpx.options(
        only.url + PATH, headers={**PREFLIGHT, "origin": "https://evil.example"}
    )
    assert allowed.headers["access-control-allow-origin"] == ORIGIN
    assert refused.status_code == 400
    off = honcho_mock_factory(cors_origins="none")
    preflight = httpx.options(off.url + PATH, headers=PREFLIGHT)
    assert preflight.status_code == 405  # no CORS: the real server's answer


# --- who may reach the mock --------------------------------------------------------------

FOREIGN = "https://evil.example"
TOKEN = "sk-live-0123456789abcdef3f9a"


def no_cors(response: httpx.Response) -> bool:
    return not any(name.startswith("access-control-") for name in response.headers)


@pytest.mark.parametrize(
    ("options", "origin"),
    [
        pytest.param({}, FOREIGN, id="cors-any"),
        pytest.param({"cors_origins": ORIGIN}, ORIGIN, id="cors-listing-the-origin"),
        pytest.param({"cors_origins": "none"}, FOREIGN, id="cors-off"),
        pytest.param({}, "null", id="null-origin"),
    ],
)
@pytest.mark.parametrize("method", ["GET", "DELETE", "OPTIONS"])
@pytest.mark.slow
def test_control_paths_refuse_a_cross_origin_request(
    honcho_mock_factory: Any, options: Any, origin: str, method: str
) -> None:
    mock = honcho_mock_factory(**options)
    httpx.post(mock.url + PATH, json=VALID, headers={"authorization": f"Bearer {TOKEN}"})
    headers = {"origin": origin, "access-control-request-method": "GET"}
    for path in ("/__mock__/requests", "/__mock__/dreams"):
        refused = httpx.request(method, mock.url + path, headers=headers)
        assert refused.status_code == 403
        assert no_cors(refused), refused.headers
        assert refused.json() == {
            "detail": "the mock's control paths answer no cross-origin request: Origin "
            f"{origin!r} is not {mock.url}"
        }
        assert refused.content.count(b"\n") == 0
        assert TOKEN[-4:] not in refused.text
    assert len(mock.requests) == 1  # neither emptied nor journaled


def test_control_paths_answer_their_own_origin_and_no_origin(honcho_mock: HonchoMock) -> None:
    httpx.post(honcho_mock.url + PATH, json=VALID)
    own = httpx.get(f"{honcho_mock.url}/__mock__/requests", headers={"origin": honcho_mock.url})
    plain = httpx.get(f"{honcho_mock.url}/__mock__/requests")
    assert (own.status_code, plain.status_code) == (200, 200)
    assert no_cors(own)
    assert no_cors(plain)
    assert own.json() == plain.json() == honcho_mock.requests
    port = honcho_mock.url.rsplit(":", 1)[1]  # reached as localhost: its own origin then
    local = {"host": f"localhost:{port}", "origin": f"http://localhost:{port}"}
    cleared = httpx.delete(f"{honcho_mock.url}/__mock__/requests", headers=local)
    assert cleared.status_code == 204
    assert honcho_mock.requests == []


@pytest.mark.parametrize(
    ("method", "path", "headers"),
    [
        pytest.param("POST", PATH, {}, id="operation"),
        pytest.param("POST", PATH, {"origin": ORIGIN}, id="operation-with-origin"),
        pytest.param("OPTIONS", PATH, PREFLIGHT, id="preflight"),
        pytest.param("GET", "/__mock__/requests", {}, id="journal"),
        pytest.param("DELETE", "/__mock__/requests", {}, id="delete-journal"),
        pytest.param("GET", "/v2/nowhere", {}, id="unknown-path"),
    ],
)
@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "127.0.0.1.nip.io"])
def test_a_host_the_mock_does_not_answer_is_refused_on_every_path(
    honcho_mock: HonchoMock, method: str, path: str, headers: dict[str, str], host: str
) -> None:
    httpx.post(honcho_mock.url + PATH, json=VALID)
    refused = httpx.request(
        method, honcho_mock.url + path, headers={**headers, "host": host}, json=VALID
    )
    assert refused.status_code == 403
    assert refused.json() == {
        "detail": f"Host {host!r} is not a name this mock answers (localhost, 127.0.0.1, "
        "[::1], any port): start it with --allowed-hosts NAME to add one"
    }
    assert no_cors(refused)
    assert len(honcho_mock.requests) == 1  # not journaled, not emptied


@pytest.mark.slow
def test_allowed_hosts_add_names_and_star_answers_any(honcho_mock_factory: Any) -> None:
    named = honcho_mock_factory(allowed_hosts="mock.internal,tunnel.example")
    for host, status in (("mock.internal:1234", 204), ("tunnel.example", 204),
                         ("evil.example", 403)):  # fmt: skip
        answer = httpx.post(named.url + PATH, json=VALID, headers={"host": host})
        assert answer.status_code == status, host
    star = honcho_mock_factory(allowed_hosts="*")
    answer = httpx.post(star.url + PATH, json=VALID, headers={"host": "evil.example"})
    assert answer.status_code == 204


def test_a_request_without_host_is_answered(honcho_mock: HonchoMock) -> None:
    port = int(honcho_mock.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"GET /__mock__/requests HTTP/1.0\r\n\r\n")
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200 ")


@pytest.mark.parametrize(
    ("options", "shown"),
    [
        pytest.param({}, "Bearer ****3f9a", id="masked"),
        pytest.param({"journal_secrets": True}, f"Bearer {TOKEN}", id="journal-secrets"),
    ],
)
def test_a_clients_token_is_masked_in_the_journal(
    honcho_mock_factory: Any, options: Any, shown: str
) -> None:
    mock = honcho_mock_factory(**options)
    headers = {"authorization": f"Bearer {TOKEN}", "x-api-key": TOKEN, "cookie": f"s={TOKEN}"}
    httpx.post(mock.url + PATH, json=VALID, headers=headers)
    (entry,) = httpx.get(f"{mock.url}/__mock__/requests").json()
    assert entry == mock.requests[0]
    assert entry["headers"]["authorization"] == shown
    masked = "journal_secrets" not in options
    assert entry["headers"]["x-api-key"] == ("****3f9a" if masked else TOKEN)
    assert entry["headers"]["cookie"] == ("s=****3f9a" if masked else f"s={TOKEN}")
    assert entry["headers"]["content-type"] == "application/json"
