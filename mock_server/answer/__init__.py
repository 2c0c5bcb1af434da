"""The faithful answer: what Honcho 2.5.1 answers to a request, decided by plain functions.

Parsing, auth, validation (pydantic-core writing FastAPI's 422 items) and rendering, from a
request's parts to status, headers and bytes. It may import :mod:`honcho_spec`, pydantic and
PyJWT; nothing of Starlette, uvicorn or the rest of :mod:`mock_server`.
"""

from .handler import Incoming, OperationHandler, compile_handlers
from .rendering import Answer

__all__ = ["Answer", "Incoming", "OperationHandler", "compile_handlers"]
