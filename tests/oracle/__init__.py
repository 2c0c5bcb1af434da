"""A differential oracle: FastAPI itself, declaring Honcho 2.5.1's ``trigger_dream``.

>>> app = create_reference_app()
>>> [route.path for route in app.routes]
['/v2/workspaces/{workspace_id}/trigger_dream']
"""

from typing import Any

from .reference_app import (
    AuthenticationError,
    DreamType,
    TriggerDreamRequest,
    create_reference_app,
)


def __getattr__(name: str) -> Any:
    # The in-process server needs the mock's BackgroundServer; the benchmarks' oracle
    # process (oracle.serve) does not, and does not import it.
    if name in ("FRAMEWORK_DEFECTS", "oracle_app", "oracle_server"):
        from . import server

        return getattr(server, name)
    raise AttributeError(name)


__all__ = [
    "FRAMEWORK_DEFECTS",
    "AuthenticationError",
    "DreamType",
    "TriggerDreamRequest",
    "create_reference_app",
    "oracle_app",
    "oracle_server",
]
