"""The client developer's controls as plain functions and data: journal, dreams, ``Prefer``,
forced answers, latency and faults (changeable at runtime), queued sequences, a test's
expectations; who may reach the mock and the credentials the journal masks.

It may import :mod:`mock_server.answer` and :mod:`honcho_spec` (and Starlette's path compiler,
to read a path as the router does); nothing of uvicorn, Starlette's requests and responses, or
:mod:`mock_server.edge`.
"""

from .journal import Journal
from .live import Live
from .switches import Controls

__all__ = ["Controls", "Journal", "Live"]
