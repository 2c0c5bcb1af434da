"""A faithful mock of Honcho 2.5.1's ``trigger_dream``, driven by its OpenAPI document.

>>> from mock_server import create_app, MockSettings
>>> app = create_app(settings=MockSettings(auth_jwt_secret="s3cret"))
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .answer.handler import Incoming, OperationHandler, compile_handlers
    from .edge.app import create_app
    from .edge.server import BackgroundServer, ServeError, bind_socket, serve
    from .settings import MockSettings, SettingsError, resolve_settings
    from .testing import HonchoMock, MockUsageError

# Each name's module, imported on first use: the pytest plugin (mock_server.pytest_plugin),
# which every pytest run in the environment loads, imports this package and nothing more.
_HOMES = {
    "Incoming": ".answer.handler",
    "OperationHandler": ".answer.handler",
    "compile_handlers": ".answer.handler",
    "create_app": ".edge.app",
    "BackgroundServer": ".edge.server",
    "ServeError": ".edge.server",
    "bind_socket": ".edge.server",
    "serve": ".edge.server",
    "MockSettings": ".settings",
    "SettingsError": ".settings",
    "resolve_settings": ".settings",
    "HonchoMock": ".testing",
    "MockUsageError": ".testing",
}

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


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home, __name__), name)
    globals()[name] = value
    return value
