"""A test's expectations of the requests its client sends, checked against the journal.

Each request counts for the first expectation it matches that still wants one (else for
the first it matches at all). An expectation fails when it is met another number of times
than ``times`` (``None``: once or more); ordered expectations fail when a request meets one
of them after a request met a later one; with ``strict``, a request no expectation matches
fails. Each failure names the request or expectation nearest to it and what differs.

>>> alice = Expectation(RequestMatch(fields=(("observer", "alice"),)))
>>> bob = RequestView("POST", "/v2/workspaces/ws-1/trigger_dream", "ws-1", {"observer": "bob"})
>>> print("\\n".join(failures([alice], [bob], strict=True)))
expect(observer='alice', times=1) was met 0 times, not 1; nearest request #1:
  POST /v2/workspaces/ws-1/trigger_dream {"observer":"bob"}
  - observer: 'alice'
  + observer: 'bob'
request #1 was not expected: POST /v2/workspaces/ws-1/trigger_dream {"observer":"bob"}
  nearest expect(observer='alice', times=1):
  - observer: 'alice'
  + observer: 'bob'
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from starlette.routing import compile_path

from .matching import RequestMatch, RequestView, body_of

__all__ = ["Expectation", "failures", "views_of"]


@dataclass(frozen=True)
class Expectation:
    match: RequestMatch
    times: int | None = 1
    ordered: bool = False

    def describe(self) -> str:
        shown = self.match.describe()
        parts = [shown] if shown else []
        parts.append(f"times={self.times}")
        if self.ordered:
            parts.append("ordered=True")
        return f"expect({', '.join(parts)})"

    def met_by(self, count: int) -> bool:
        return count >= 1 if self.times is None else count == self.times


def views_of(entries: Sequence[Mapping[str, Any]], templates: Sequence[str]) -> list[RequestView]:
    """Journal entries (as ``GET /__mock__/requests`` lists them) as views, each with its
    operation's template and ``workspace_id`` when its path matches one of ``templates``."""
    compiled = [(template, compile_path(template)[0]) for template in templates]
    views = []
    for entry in entries:
        path = entry["path"]
        template = workspace = None
        for candidate, regex in compiled:
            found = regex.match(path)
            if found is not None:
                template = candidate
                workspace = found.groupdict().get("workspace_id")
                break
        content_type = entry["headers"].get("content-type")
        body = body_of(entry["body"].encode("utf-8"), content_type) if entry["body"] else None
        views.append(RequestView(entry["method"], path, workspace, body, template))
    return views


def failures(
    expectations: Sequence[Expectation], views: Sequence[RequestView], *, strict: bool
) -> list[str]:
    """What fails, one message each (several lines: the diff); none when all is met."""
    counts = [0] * len(expectations)
    owner: list[int | None] = []
    for view in views:
        matching = [i for i, e in enumerate(expectations) if e.match.matches(view)]
        wanting = [i for i in matching if _wants(expectations[i], counts[i])]
        chosen: int | None = (wanting or matching)[0] if matching else None
        if chosen is not None:
            counts[chosen] += 1
        owner.append(chosen)
    found = []
    for index, expectation in enumerate(expectations):
        if not expectation.met_by(counts[index]):
            found.append(_unmet(expectation, counts[index], views, owner, index))
    found += _out_of_order(expectations, views, owner)
    if strict:
        for number, (view, chosen) in enumerate(zip(views, owner, strict=True), 1):
            if chosen is None:
                found.append(_unexpected(number, view, expectations))
    return found


def _wants(expectation: Expectation, count: int) -> bool:
    return expectation.times is None or count < expectation.times


def _unmet(
    expectation: Expectation,
    count: int,
    views: Sequence[RequestView],
    owner: Sequence[int | None],
    index: int,
) -> str:
    wanted = "once or more" if expectation.times is None else str(expectation.times)
    head = f"{expectation.describe()} was met {count} times, not {wanted}"
    if count:
        numbers = [str(n) for n, chosen in enumerate(owner, 1) if chosen == index]
        return f"{head}: by request #{', #'.join(numbers)}"
    if not views:
        return f"{head}: no request came"
    number, view = min(
        enumerate(views, 1), key=lambda pair: len(expectation.match.differences(pair[1]))
    )
    return f"{head}; nearest request #{number}:\n  {_shown(view)}\n" + _diff(
        expectation.match, view
    )


def _out_of_order(
    expectations: Sequence[Expectation], views: Sequence[RequestView], owner: Sequence[int | None]
) -> list[str]:
    found = []
    latest: tuple[int, int] | None = None  # the latest ordered expectation met, by request
    for number, chosen in enumerate(owner, 1):
        if chosen is None or not expectations[chosen].ordered:
            continue
        if latest is not None and chosen < latest[0]:
            found.append(
                f"request #{number} met {expectations[chosen].describe()} after request "
                f"#{latest[1]} met the later {expectations[latest[0]].describe()}:\n"
                f"  {_shown(views[number - 1])}"
            )
        else:
            latest = (chosen, number)
    return found


def _unexpected(number: int, view: RequestView, expectations: Sequence[Expectation]) -> str:
    head = f"request #{number} was not expected: {_shown(view)}"
    if not expectations:
        return f"{head}\n  (no expectation is set)"
    nearest = min(expectations, key=lambda e: len(e.match.differences(view)))
    return f"{head}\n  nearest {nearest.describe()}:\n" + _diff(nearest.match, view)


def _diff(match: RequestMatch, view: RequestView) -> str:
    lines = []
    for name, wanted, sent in match.differences(view):
        lines += [f"  - {name}: {wanted!r}", f"  + {name}: {sent!r}"]
    return "\n".join(lines)


def _shown(view: RequestView) -> str:
    path = urllib.parse.quote(view.path, safe="/:@!$&'()*+,;=-._~")
    if view.body is None:
        return f"{view.method} {path}"
    if isinstance(view.body, bytes):
        return f"{view.method} {path} {view.body[:200]!r}"
    body = json.dumps(view.body, ensure_ascii=False, separators=(",", ":"))
    return f"{view.method} {path} {body[:200]}"
