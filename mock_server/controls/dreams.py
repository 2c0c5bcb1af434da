"""The dream Honcho 2.5.1 enqueues for an accepted ``trigger_dream`` request.

Its handler calls ``enqueue_dream(workspace_id, observer=..., observed=..., dream_type=...)``
with ``observed`` defaulted to ``observer`` when the body leaves it out or sends ``null``
(an empty string stays). The operation is named by its ``operationId``; the fields come
from the body the operation's own validators accept, read by their aliases.

>>> from pydantic import BaseModel
>>> class Body(BaseModel):
...     observer: str
...     observed: str | None = None
...     dream_type: str
>>> dream = dream_of(TRIGGER_DREAM, {"workspace_id": "ws-1"}, Body(observer="a", dream_type="b"))
>>> dream, dream_json(dream)["observed"]
(('ws-1', 'a', 'a', 'b'), 'a')
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel
from starlette.routing import compile_path

from ..answer.body import BodyRejected, parse_body
from ..answer.handler import OperationHandler
from ..answer.validation import RequestParts

__all__ = ["DREAM_FIELDS", "TRIGGER_DREAM", "Dream", "DreamReader", "dream_json", "dream_of"]

TRIGGER_DREAM = "trigger_dream_v2_workspaces__workspace_id__trigger_dream_post"
DREAM_FIELDS = ("workspace_id", "observer", "observed", "dream_type")
_BODY_FIELDS = DREAM_FIELDS[1:]

Dream = tuple[Any, ...]  # the values of DREAM_FIELDS
Reader = Callable[[Any], tuple[Any, ...]]


def dream_of(operation_id: str, path_params: Mapping[str, str], value: object) -> Dream | None:
    """The dream an accepted request to ``operation_id`` enqueues, or ``None``."""
    if operation_id != TRIGGER_DREAM:
        return None
    read = _reader(type(value))
    if read is None:
        return None
    observer, observed, dream_type = read(value)
    dream_type = getattr(dream_type, "_value_", dream_type)  # an Enum member's value
    workspace = path_params.get("workspace_id")
    return (workspace, observer, observer if observed is None else observed, dream_type)


def dream_json(dream: Dream) -> dict[str, Any]:
    return dict(zip(DREAM_FIELDS, dream, strict=True))


class DreamReader:
    """One operation's dreams, read again from what the journal keeps of a request.

    The journal keeps bytes, not validated models (which would cost every request), so
    the dream of an accepted request is worked out when the journal is read, by the
    operation's own validators.
    """

    def __init__(self, handler: OperationHandler) -> None:
        self.operation_id = handler.operation.operation_id
        self._handler = handler
        self._path = compile_path(handler.operation.path)[0]

    def dream(self, path: str, content_type: str | None, body: bytes) -> Dream | None:
        """The dream of an accepted request with this path and body, if it enqueues one."""
        if self.operation_id != TRIGGER_DREAM:
            return None
        match = self._path.match(path)
        params = match.groupdict() if match else {}
        try:
            value = parse_body(body, content_type)
        except BodyRejected:
            return None
        errors, model = self._handler.validator.errors(RequestParts(params, value))
        return None if errors else dream_of(self.operation_id, params, model)

    def dream_now(self, path_params: Mapping[str, str], value: object) -> Dream | None:
        return dream_of(self.operation_id, path_params, value)


_READERS: dict[type[object], Reader | None] = {}  # per model type, made on first use
_MAX_READERS = 64


def _reader(model: type[object]) -> Reader | None:
    # Once per type: isinstance against pydantic's metaclass costs more than all the rest.
    if model in _READERS:
        return _READERS[model]
    reader = None
    if issubclass(model, BaseModel):
        by_alias = {field.alias or name: name for name, field in model.model_fields.items()}
        if set(_BODY_FIELDS) <= set(by_alias):
            reader = operator.attrgetter(*(by_alias[field] for field in _BODY_FIELDS))
    if len(_READERS) >= _MAX_READERS:  # each reload of the document makes new model types
        _READERS.clear()
    _READERS[model] = reader
    return reader
