"""Expectations: which requests a test expects, checked at teardown against the journal.

The judge (:func:`failures`) is held to a table of requests and expectations; the fixture's
``expect``, ``strict`` and teardown run against one real mock for the module.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from mock_server.controls.expectations import Expectation, failures
from mock_server.controls.matching import RequestMatch, RequestView
from mock_server.pytest_plugin import _finish
from mock_server.testing import ExpectationsUnmet, HonchoMock, MockUsageError

PATH = "/v2/workspaces/ws-1/trigger_dream"
TEMPLATE = "/v2/workspaces/{workspace_id}/trigger_dream"


def view(observer: str, workspace: str = "ws-1", **more: Any) -> RequestView:
    path = f"/v2/workspaces/{workspace}/trigger_dream"
    body = {"observer": observer, "dream_type": "agent", **more}
    return RequestView("POST", path, workspace, body, TEMPLATE)


def expect(times: int | None = 1, *, ordered: bool = False, **fields: Any) -> Expectation:
    workspace = fields.pop("workspace_id", None)
    return Expectation(RequestMatch(None, None, workspace, (*fields.items(),)), times, ordered)


ALICE, BOB = view("alice"), view("bob")
ALICE_SHOWN = 'POST /v2/workspaces/ws-1/trigger_dream {"observer":"alice","dream_type":"agent"}'


@pytest.mark.parametrize(
    ("expectations", "views", "strict", "found"),
    [
        pytest.param([expect(observer="alice")], [ALICE], True, [], id="met"),
        pytest.param([expect(2, observer="alice")], [ALICE, ALICE], True, [], id="met-twice"),
        pytest.param([expect(None, observer="alice")], [ALICE] * 3, True, [], id="once-or-more"),
        pytest.param([expect(0, observer="bob")], [ALICE], False, [], id="never"),
        pytest.param([], [ALICE], False, [], id="not-strict"),
        pytest.param(
            [expect(observer="alice")],
            [],
            False,
            ["expect(observer='alice', times=1) was met 0 times, not 1: no request came"],
            id="nothing-came",
        ),
        pytest.param(
            [expect(observer="alice")],
            [ALICE, ALICE],
            False,
            ["expect(observer='alice', times=1) was met 2 times, not 1: by request #1, #2"],
            id="too-often",
        ),
        pytest.param(
            [expect(observer="alice", workspace_id="ws-2")],
            [view("alice"), view("bob", "ws-2")],
            False,
            [
                "expect(workspace_id='ws-2', observer='alice', times=1) was met 0 times, not 1; "
                "nearest request #1:\n"
                f"  {ALICE_SHOWN}\n"
                "  - workspace_id: 'ws-2'\n"
                "  + workspace_id: 'ws-1'"
            ],
            id="nearest-request",
        ),
        pytest.param(
            [expect(observer="alice"), expect(observed="carol")],
            [ALICE, BOB],
            True,
            [
                "expect(observed='carol', times=1) was met 0 times, not 1; nearest request #1:\n"
                f"  {ALICE_SHOWN}\n"
                "  - observed: 'carol'\n"
                "  + observed: (missing)",
                "request #2 was not expected: "
                'POST /v2/workspaces/ws-1/trigger_dream {"observer":"bob","dream_type":"agent"}\n'
                "  nearest expect(observer='alice', times=1):\n"
                "  - observer: 'alice'\n"
                "  + observer: 'bob'",
            ],
            id="unexpected-against-nearest",
        ),
        pytest.param(
            [expect(observer="alice", ordered=True), expect(observer="bob", ordered=True)],
            [BOB, ALICE],
            False,
            [
                "request #2 met expect(observer='alice', times=1, ordered=True) after request #1 "
                "met the later expect(observer='bob', times=1, ordered=True):\n"
                '  POST /v2/workspaces/ws-1/trigger_dream {"observer":"alice","dream_type":"agent"}'
            ],
            id="out-of-order",
        ),
        pytest.param(
            [expect(observer="alice", ordered=True), expect(observer="bob")],
            [BOB, ALICE],
            False,
            [],
            id="unordered-beside-ordered",
        ),
        pytest.param(
            [expect(observer="alice", ordered=True), expect(observer="bob", ordered=True)],
            [ALICE, BOB],
            True,
            [],
            id="in-order",
        ),
    ],
)
def test_failures(
    expectations: list[Expectation], views: list[RequestView], strict: bool, found: list[str]
) -> None:
    assert failures(expectations, views, strict=strict) == found


@pytest.fixture(scope="module")
def shared() -> Iterator[HonchoMock]:
    with HonchoMock.from_options() as mock:
        yield mock


@pytest.fixture
def mock(shared: HonchoMock) -> Iterator[HonchoMock]:
    shared.reset()
    yield shared
    shared.finish()


def send(mock: HonchoMock, observer: str, path: str = PATH) -> int:
    body = {"observer": observer, "dream_type": "agent"}
    return httpx.post(mock.url + path, json=body).status_code


def test_met_expectations_pass_at_teardown(mock: HonchoMock) -> None:
    mock.expect(observer="alice", dream_type="agent", times=1)
    mock.expect(method="post", path=TEMPLATE, workspace_id="ws-1", observer="bob", times=None)
    mock.strict = True
    assert [send(mock, name) for name in ("bob", "alice", "bob")] == [204, 204, 204]
    mock.verify()


def test_unmet_expectations_fail_the_test_with_a_diff(mock: HonchoMock) -> None:
    mock.expect(observer="alice", dream_type="agent", times=1)
    mock.strict = True
    send(mock, "bob")
    send(mock, "alice", "/v2/nowhere")
    with pytest.raises(pytest.fail.Exception) as failed:
        _finish(mock)  # what the plugin does at teardown
    assert str(failed.value) == (
        f"{mock.url}: the requests that came (2) do not meet the test's expectations:\n"
        "expect(observer='alice', dream_type='agent', times=1) was met 0 times, not 1; "
        "nearest request #1:\n"
        '  POST /v2/workspaces/ws-1/trigger_dream {"observer":"bob","dream_type":"agent"}\n'
        "  - observer: 'alice'\n"
        "  + observer: 'bob'\n"
        'request #1 was not expected: POST /v2/workspaces/ws-1/trigger_dream {"observer":"bob",'
        '"dream_type":"agent"}\n'
        "  nearest expect(observer='alice', dream_type='agent', times=1):\n"
        "  - observer: 'alice'\n"
        "  + observer: 'bob'\n"
        "request #2 was not expected: POST /v2/nowhere\n"
        "  nearest expect(observer='alice', dream_type='agent', times=1):\n"
        "  - observer: 'alice'\n"
        "  + observer: (missing)\n"
        "  - dream_type: 'agent'\n"
        "  + dream_type: (missing)"
    )
    assert not failed.value.pytrace
    mock.verify()  # teardown forgot them: the next test starts clean


def test_a_predicate_and_its_failure(mock: HonchoMock) -> None:
    def long_name(request: RequestView) -> bool:
        return len(request.body["observer"]) > 3

    mock.expect(predicate=long_name)
    send(mock, "bob")
    with pytest.raises(ExpectationsUnmet, match=r"(?s)expect\(predicate='long_name'.*predicate"):
        mock.verify()
    send(mock, "alice")
    mock.finish()


def test_a_predicate_that_raises_matches_nothing_and_says_why(mock: HonchoMock) -> None:
    def broken(request: RequestView) -> bool:
        return request.body["peer"] == "x"  # KeyError: the body has no peer

    mock.expect(predicate=broken)
    assert send(mock, "bob") == 204  # the faithful answer: no 5xx for the test's mistake
    with pytest.raises(pytest.fail.Exception, match=r"predicate.*raised KeyError\('peer'\)"):
        _finish(mock)  # what the plugin does at teardown; it forgets them


def test_a_negative_count_is_refused(mock: HonchoMock) -> None:
    with pytest.raises(MockUsageError, match="times=-1 is negative; use 0 or more"):
        mock.expect(times=-1)


def test_strict_fails_on_queued_answers_never_taken(honcho_mock_factory: Any) -> None:
    faulty = honcho_mock_factory(allow_faults=True)
    first = faulty.queue("fault=503", "code=204", observer="alice")
    faulty.strict = True
    faulty.expect(observer="alice")
    assert send(faulty, "alice") == 503
    with pytest.raises(ExpectationsUnmet) as unmet:
        faulty.finish()
    assert str(unmet.value).splitlines()[1:] == [
        f'sequence {first.ident} (match {{"body":{{"observer":"alice"}}}}): code=204 never '
        "taken (1 of 2 were)"
    ]
    assert faulty.sequences == []  # dropped all the same
    faulty.queue("fault=503")
    faulty.finish()  # not strict: what is left is only dropped
