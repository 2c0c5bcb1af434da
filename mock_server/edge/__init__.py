"""The HTTP edge: the Starlette app that turns bytes into a decision and back, and uvicorn.

It may import :mod:`mock_server.answer`, :mod:`mock_server.controls` and
:mod:`mock_server.settings`; the command line and the test helpers sit above it.
"""

from .app import create_app
from .server import BackgroundServer, ServeError, bind_socket, serve

__all__ = ["BackgroundServer", "ServeError", "bind_socket", "create_app", "serve"]
