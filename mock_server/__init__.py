"""A faithful mock of Honcho 2.5.1's ``trigger_dream``, driven by its OpenAPI document.

>>> from mock_server import create_app, MockSettings
>>> app = create_app(settings=MockSettings(auth_jwt_secret="s3cret"))
"""

from .answer.handler import Incoming, OperationHandler, compile_handlers
from .edge.app import create_app
from .edge.server import BackgroundServer, ServeError, bind_socket, serve
from .settings import MockSettings, SettingsError, resolve_settings
from .testing import HonchoMock, MockUsageError

__all__ = [
    "BackgroundServer",
    "HonchoMock",
    "Incoming",
    "MockSettings",
    "MockUsageError",
    "OperationHandler",
    "ServeError",
    "SettingsError",
    "bind_socket",
    "compile_handlers",
    "create_app",
    "resolve_settings",
    "serve",
]
