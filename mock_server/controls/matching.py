"""Which requests a sequence or an expectation is about: a match, and how far a request is.

A :class:`RequestMatch` names any of the method, the path (the request's own, or the
operation's template), the ``workspace_id``, fields of the JSON body (each equal to the
value given) and, from Python, a predicate. A request is seen as a :class:`RequestView`.

>>> match = RequestMatch(workspace_id="ws-1", fields=(("observer", "alice"),))
>>> view = RequestView("POST", "/v2/workspaces/ws-1/trigger_dream", "ws-1", {"observer": "bob"})
>>> match.matches(view), match.differences(view)
(False, [('observer', 'alice', 'bob')])
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..answer.body import BodyRejected, parse_body

__all__ = ["MISSING", "MatchError", "RequestMatch", "RequestView", "body_of"]


class _Missing:
    def __repr__(self) -> str:
        return "(missing)"


MISSING: Any = _Missing()  # what a difference shows for a body field the request lacks
_MATCH_KEYS = ("method", "path", "workspace_id", "body")
_LOG = logging.getLogger("mock_server.controls")


class MatchError(ValueError):
    """A match has a part the mock cannot use."""


@dataclass(frozen=True, slots=True)
class RequestView:
    """What a match looks at: method, path, workspace, and the body as JSON (or ``None``)."""

    method: str
    path: str
    workspace_id: str | None
    body: Any
    template: str | None = None  # the operation's path, when the request reached one

    def as_json(self) -> dict[str, Any]:
        return {"method": self.method, "path": self.path, "body": self.body}


def body_of(body: bytes, content_type: str | None) -> Any:
    """The JSON of a request body, or ``None`` when it is not JSON."""
    try:
        return parse_body(body, content_type)
    except BodyRejected:
        return None


@dataclass(frozen=True)
class RequestMatch:
    """The parts a request must have; ``fields`` are top-level keys of its JSON body."""

    method: str | None = None
    path: str | None = None
    workspace_id: str | None = None
    fields: tuple[tuple[str, Any], ...] = ()
    predicate: Callable[[RequestView], bool] | None = None

    @classmethod
    def from_json(cls, given: Mapping[str, Any]) -> RequestMatch:
        """A match from a control request's ``method``, ``path``, ``workspace_id``, ``body``."""
        unknown = sorted(set(given) - set(_MATCH_KEYS))
        if unknown:
            raise MatchError(
                f"unknown key {unknown[0]!r} (keys: answers, {', '.join(_MATCH_KEYS)})"
            )
        texts = {}
        for key in _MATCH_KEYS[:3]:
            value = given.get(key)
            if value is not None and not isinstance(value, str):
                raise MatchError(f"{key} must be a string, not {json.dumps(value)}")
            texts[key] = value
        body = given.get("body") or {}
        if not isinstance(body, dict):
            raise MatchError(f"body must be an object of fields, not {json.dumps(body)}")
        method = texts["method"]
        return cls(
            method.upper() if method else None,
            texts["path"],
            texts["workspace_id"],
            tuple(body.items()),
        )

    @property
    def reads_body(self) -> bool:
        return bool(self.fields) or self.predicate is not None

    def matches(self, view: RequestView) -> bool:
        if self.method is not None and view.method != self.method:
            return False
        if self.path is not None and self.path not in (view.path, view.template):
            return False
        if self.workspace_id is not None and view.workspace_id != self.workspace_id:
            return False
        body = view.body
        for name, value in self.fields:
            if not isinstance(body, dict) or name not in body or body[name] != value:
                return False
        return self.predicate is None or self._predicate(view) is True

    def _predicate(self, view: RequestView) -> bool | str:
        """The predicate's word on ``view``; one that raises matches nothing (the mock
        answers no 5xx for a test's mistake) and says why, in the log and in the diff."""
        assert self.predicate is not None
        try:
            return bool(self.predicate(view))
        except Exception as exc:  # the test's code: reported, never a 500
            name = getattr(self.predicate, "__name__", repr(self.predicate))
            _LOG.warning("the predicate %s raised %r: the request is not matched", name, exc)
            return f"raised {exc!r}"

    def differences(self, view: RequestView) -> list[tuple[str, Any, Any]]:
        """Each part that differs: ``(name, wanted, sent)``."""
        found: list[tuple[str, Any, Any]] = []
        if self.method is not None and view.method != self.method:
            found.append(("method", self.method, view.method))
        if self.path is not None and self.path not in (view.path, view.template):
            found.append(("path", self.path, view.path))
        if self.workspace_id is not None and view.workspace_id != self.workspace_id:
            found.append(("workspace_id", self.workspace_id, view.workspace_id))
        body = view.body if isinstance(view.body, dict) else {}
        for name, value in self.fields:
            sent = body.get(name, MISSING)
            if sent is MISSING or sent != value:
                found.append((name, value, sent))
        if self.predicate is not None and not found:
            said = self._predicate(view)
            if said is not True:
                found.append(("predicate", True, said))
        return found

    def as_json(self) -> dict[str, Any]:
        shown: dict[str, Any] = {
            key: value
            for key, value in (
                ("method", self.method),
                ("path", self.path),
                ("workspace_id", self.workspace_id),
            )
            if value is not None
        }
        if self.fields:
            shown["body"] = dict(self.fields)
        if self.predicate is not None:
            shown["predicate"] = getattr(self.predicate, "__name__", repr(self.predicate))
        return shown

    def describe(self) -> str:
        """The match as keyword arguments: ``observer='alice', dream_type='agent'``."""
        parts = [f"{key}={value!r}" for key, value in self.as_json().items() if key != "body"]
        parts += [f"{name}={value!r}" for name, value in self.fields]
        return ", ".join(parts)
