"""The journal: every request the mock receives and its verdict, newest last, capped.

Recording is one ``deque.append`` of a small tuple. It holds what the request brought as
it came, nothing rebuilt: the raw path, the query string and the server's list of header
pairs (made afresh for each request), the body, and the answer body and plan the
operation's endpoint left in the scope (:func:`extras`). Decoding, JSON, filters, dreams
and the masking of credentials (:mod:`mock_server.controls.credentials`, unless
``secrets=True``) are worked out when the journal is read.

>>> journal = Journal(size=2)
>>> for path in ("/a", "/b", "/c"):
...     scope = {"method": "GET", "path": path, "query_string": b"", "headers": []}
...     journal.record(scope, 0.0, 404)
>>> [entry["path"] for entry in journal.as_json(EntryFilter())]
['/b', '/c']
"""

from __future__ import annotations

import datetime
import itertools
import json
import math
import urllib.parse
from collections import deque
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any

from .credentials import mask_header
from .dreams import Dream, DreamReader, dream_json
from .steering import Plan

__all__ = ["BODY_LIMIT", "EXTRAS", "EntryFilter", "Extras", "FilterError", "Journal", "extras"]

EXTRAS = "honcho_mock.extras"
BODY_LIMIT = 16 * 1024  # bytes of each request body kept

# The operation's dream reader, body (up to BODY_LIMIT), answer body, plan, and the dream
# when the body was too long to keep whole.
Extras = tuple[DreamReader, bytes, bytes, Plan | None, Dream | None]
# The raw path, the query string, the header pairs.
Head = tuple[bytes, bytes, Sequence[tuple[bytes, bytes]]]
# id, time, status, method, head, then the extras (or blanks)
Entry = tuple[
    int, float, int | None, str, Head, DreamReader | None, bytes, bytes, Plan | None, Dream | None
]
_METHODS = {method: method for method in ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")}


def extras(
    reader: DreamReader, body: bytes, answer_body: bytes, plan: Plan | None, dream: Dream | None
) -> Extras:
    """What an operation's endpoint knows of a request beyond its scope."""
    if len(body) > BODY_LIMIT:
        return (reader, body[:BODY_LIMIT], answer_body, plan, dream)
    return (reader, body, answer_body, plan, None)


class FilterError(ValueError):
    """A query parameter of a control path has a value the mock cannot use."""


@dataclass(frozen=True)
class EntryFilter:
    """``status`` codes or classes (``4xx``), ``since`` a time; ``fields`` exact matches."""

    statuses: frozenset[str] = frozenset()
    since: float | None = None
    fields: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_query(
        cls, query: Sequence[tuple[str, str]], fields: Sequence[str] = ()
    ) -> EntryFilter:
        """``?status=204,4xx&since=2025-01-01T00:00:00Z`` (or Unix seconds) and ``fields``."""
        statuses: set[str] = set()
        since = None
        matches = []
        for name, value in query:
            if name == "status":
                statuses.update(_status_token(token) for token in value.split(","))
            elif name == "since":
                since = _instant(value)
            elif name in fields:
                matches.append((name, value))
            else:
                known = ", ".join(("status", "since", *fields))
                raise FilterError(f"unknown filter {name!r} (filters: {known})")
        return cls(frozenset(statuses), since, tuple(matches))

    def keeps(self, entry: Entry) -> bool:
        if self.since is not None and entry[1] < self.since:
            return False
        if self.statuses:
            status = str(entry[2])
            return status in self.statuses or f"{status[0]}xx" in self.statuses
        return True


class Journal:
    """The last ``size`` requests, oldest first; credentials shown whole if ``secrets``."""

    def __init__(self, size: int, *, secrets: bool = False) -> None:
        self._entries: deque[Entry] = deque(maxlen=size)
        self._ids = itertools.count(1)
        self._secrets = secrets

    def record(self, scope: MutableMapping[str, Any], arrived: float, status: int | None) -> None:
        """Keep one request: its scope's parts, when it arrived, its status (None: none)."""
        raw_path = scope.get("raw_path") or scope["path"].encode()
        head = (raw_path, scope["query_string"], scope["headers"])
        method = scope["method"]
        more = scope.get(EXTRAS) or _NO_EXTRAS
        self._entries.append(
            (next(self._ids), arrived, status, _METHODS.get(method, method), head, *more)
        )

    def clear(self) -> None:
        self._entries.clear()

    def as_json(self, where: EntryFilter) -> list[dict[str, Any]]:
        """The kept requests ``where`` selects, as JSON-ready dicts."""
        secrets = self._secrets
        return [_entry_json(entry, secrets) for entry in list(self._entries) if where.keeps(entry)]

    def dreams(self, where: EntryFilter) -> list[dict[str, Any]]:
        """The dreams the real server would have enqueued for the kept accepted requests."""
        found = []
        for entry in list(self._entries):
            if entry[5] is None or not where.keeps(entry):
                continue
            dream = entry[9] or _dream(entry)
            if dream is None:
                continue
            shown = dream_json(dream)
            if all(str(shown[name]) == value for name, value in where.fields):
                found.append(shown)
        return found


_NO_EXTRAS: tuple[None, bytes, bytes, None, None] = (None, b"", b"", None, None)


def _dream(entry: Entry) -> Dream | None:
    _, _, status, _, head, reader, body, _, _, _ = entry
    if reader is None or status is None or not 200 <= status < 300:
        return None
    path, _, headers = _unpack(head)
    content_type = next((v for k, v in headers if k.lower() == "content-type"), None)
    return reader.dream(path, content_type, body)


def _unpack(head: Head) -> tuple[str, str, list[tuple[str, str]]]:
    raw_path, query, headers = head
    path = urllib.parse.unquote(raw_path.decode("latin-1"))
    pairs = [(name.decode("latin-1"), value.decode("latin-1")) for name, value in headers]
    return path, query.decode("latin-1"), pairs


def _entry_json(entry: Entry, secrets: bool) -> dict[str, Any]:
    ident, arrived, status, method, head, reader, body, answer, plan, _ = entry
    path, query, headers = _unpack(head)
    detail = _detail(answer, status)
    return {
        "id": ident,
        "method": method,
        "path": path,
        "status": status,
        "errors": detail if isinstance(detail, list) else [],
        "detail": detail if isinstance(detail, str) else None,
        "control": plan.as_json() if plan is not None else None,
        "time": _iso(arrived),
        "query": query,
        "headers": _headers(headers, secrets),
        "body": body.decode("utf-8", "replace"),
        "operation": reader.operation_id if reader is not None else None,
    }


def _detail(answer: bytes, status: int | None) -> Any:
    if status is None or status < 400 or not answer:
        return None
    try:
        content = json.loads(answer)
    except ValueError:
        return None
    return content.get("detail") if isinstance(content, Mapping) else None


def _headers(raw: Sequence[tuple[str, str]], secrets: bool) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, given in raw:
        key = name.lower()
        value = given if secrets else mask_header(key, given)
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    return headers


def _iso(instant: float) -> str:
    moment = datetime.datetime.fromtimestamp(instant, tz=datetime.UTC)
    return moment.isoformat(timespec="microseconds").replace("+00:00", "Z")


def _status_token(token: str) -> str:
    token = token.strip().lower()
    if (len(token) == 3 and token.isdigit()) or (
        len(token) == 3 and token[0] in "12345" and token[1:] == "xx"
    ):
        return token
    raise FilterError(f"status={token!r} is not a status (204) or a class (4xx)")


def _instant(text: str) -> float:
    text = text.strip().replace(" ", "+")  # a "+" in a query string arrives as a space
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        if math.isfinite(seconds):
            return seconds
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise FilterError(
            f"since={text!r} is not a time (ISO 8601, e.g. 2025-01-01T00:00:00Z, or Unix seconds)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.timestamp()
