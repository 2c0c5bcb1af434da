"""A golden case's answer beside the one it records.

Under the ``contract`` profile a golden 422's items must name the golden places or the body
as a whole (a server may report one error at a time, and may blame a body it cannot read
as a whole); an item naming another place is a false answer. Under ``honcho`` the places
must be exactly the golden ones, and the whole answer Honcho's: status, content-type,
``allow`` and ``location`` (the server's own host aside) and the JSON body.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from ..cases.golden import FixtureProbe
from ..cases.model import Exchange, Finding, Severity
from .answers import CheckContext, placed
from .strict_json import is_strict_json, strict_json

__all__ = ["fixture_locations", "golden_answer"]

Loc = tuple[object, ...]


def _places(locs: frozenset[Loc]) -> str:
    return ", ".join(sorted(".".join(map(str, loc)) for loc in locs))


def _finding(exchange: Exchange, check: str, message: str) -> Finding:
    return Finding(check, Severity.FAILURE, exchange.reply.status, exchange.probe.location,
                   message)  # fmt: skip


def fixture_locations(
    fixture: FixtureProbe, exchange: Exchange, ctx: CheckContext
) -> Iterator[Finding]:
    """A golden 422's places beside the places of the answer's items."""
    if not fixture.locs or exchange.reply.status != 422:
        return
    try:
        detail = strict_json(exchange.reply.body)["detail"]
        got = frozenset(tuple(placed(item["loc"], ctx)) for item in detail)
    except (ValueError, KeyError, TypeError):
        return  # validation_error_shape reports a malformed 422
    if ctx.profile == "honcho":
        wrong = got ^ fixture.locs
    else:
        body_is_json = is_strict_json(exchange.probe.body)
        wrong = frozenset(loc for loc in got if not _fits(loc, fixture.locs, body_is_json))
    if wrong:
        yield _finding(
            exchange,
            "fixture_locations",
            f"items name {_places(got)}, the golden case {_places(fixture.locs)}",
        )


def _fits(loc: Loc, golden: frozenset[Loc], body_is_json: bool) -> bool:
    if loc == ("body",) or loc[:2] in {g[:2] for g in golden}:
        return True
    if ("body",) in golden and loc[:1] == ("body",):
        return True  # the golden case blames the body as a whole: any place inside it
    offset = len(loc) == 2 and isinstance(loc[1], int) and not isinstance(loc[1], bool)
    return loc[:1] == ("body",) and offset and not body_is_json


def golden_answer(
    fixture: FixtureProbe, exchange: Exchange, ctx: CheckContext
) -> Iterator[Finding]:
    """Under ``honcho``: the answer Honcho 2.5.1 gives, as the golden case records it."""
    if ctx.profile != "honcho":
        return
    case, reply = fixture.case, exchange.reply
    if reply.status != case.status:
        if case.status not in (204, 401, 422):  # expected_status reports those
            yield _finding(exchange, "golden_answer", f"expected {case.status}, "
                           f"got {reply.status}")  # fmt: skip
        return
    differences = []
    if case.content_type and _media(reply.header("content-type")) != _media(case.content_type):
        differences.append(f"content-type {reply.header('content-type')!r}, "
                           f"golden {case.content_type!r}")  # fmt: skip
    for name, value in fixture.expected_headers.items():
        if not _same_header(name, reply.header(name), value):
            differences.append(f"{name} {reply.header(name)!r}, golden {value!r}")
    if case.expected_body and _json(case.expected_body) != _json(reply.body):
        differences.append(f"body {reply.body[:200]!r}, golden {case.expected_body[:200]!r}")
    if differences:
        yield _finding(exchange, "golden_answer", "; ".join(differences))


def _media(value: str | None) -> str:
    return (value or "").split(";")[0].strip().lower()


def _same_header(name: str, got: str | None, golden: str) -> bool:
    if got is None:
        return False
    if name == "location":  # each server's own host:port
        return urlsplit(got).path == urlsplit(golden).path
    return got.strip().lower() == golden.strip().lower()


def _json(body: bytes) -> Any:
    try:
        return strict_json(body)
    except ValueError:
        return body
