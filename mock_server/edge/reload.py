"""``--reload``: serve the edited document from the next request on, without a restart.

Before each request the document file's signature (modification time, size, inode) is
compared with the last one seen: one ``stat`` call. On a change the document is loaded
and the operations rebuilt; the journal and the seeded generators carry on. An edit that
does not load (invalid YAML, a broken ``$ref``, a missing file mid-save) keeps the
previous document and logs one line; the next change is tried again.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

from starlette.types import ASGIApp, Receive, Scope, Send

from honcho_spec import SpecDocument, load_document

__all__ = ["ReloadLayer", "Reloader"]

LOGGER = logging.getLogger("uvicorn.error")
Signature = tuple[int, int, int] | None


class Reloader:
    """Watches ``path``; ``install`` serves a newly loaded document (and may refuse it)."""

    def __init__(self, path: Path, install: Callable[[SpecDocument], None]) -> None:
        self.path = path
        self._install = install
        self._seen = _signature(path)

    def check(self) -> None:
        """Reload if the file changed since the last check."""
        seen = _signature(self.path)
        if seen == self._seen:
            return
        self._seen = seen
        try:
            self._install(load_document(self.path))
        except Exception as exc:  # any broken edit keeps the old document
            LOGGER.warning("reload failed, still serving the previous document: %s", exc)
            return
        LOGGER.info("reloaded %s", self.path)


class ReloadLayer:
    """Checks the document before each request."""

    def __init__(self, app: ASGIApp, *, reloader: Reloader) -> None:
        self.app = app
        self._reloader = reloader

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self._reloader.check()
        await self.app(scope, receive, send)


def _signature(path: Path) -> Signature:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size, stat.st_ino)
