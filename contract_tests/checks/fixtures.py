"""A golden case's answer beside the one it records: the places a golden 422 names.

The wording of a 422's items may differ between implementations; the places may not.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from ..cases.golden import FixtureProbe
from ..cases.model import Exchange, Finding, Severity

__all__ = ["fixture_locations"]


def _places(locs: frozenset[tuple[object, ...]]) -> str:
    return ", ".join(sorted(".".join(map(str, loc)) for loc in locs))


def fixture_locations(fixture: FixtureProbe, exchange: Exchange) -> Iterator[Finding]:
    """A golden 422's places must be the places of the answer's items."""
    if not fixture.locs or exchange.reply.status != 422:
        return
    try:
        detail = json.loads(exchange.reply.body)["detail"]
        got = frozenset(tuple(item["loc"]) for item in detail)
    except (ValueError, KeyError, TypeError):
        return  # validation_error_shape reports a malformed 422
    if got != fixture.locs:
        yield Finding(
            check="fixture_locations",
            severity=Severity.FAILURE,
            status=422,
            location=exchange.probe.location,
            message=f"items name {_places(got)}, the golden case {_places(fixture.locs)}",
        )
