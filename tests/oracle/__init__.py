"""A differential oracle: FastAPI itself, declaring Honcho 2.5.1's ``trigger_dream``.

>>> app = create_reference_app()
>>> [route.path for route in app.routes]
['/v2/workspaces/{workspace_id}/trigger_dream']
"""

from .reference_app import (
    AuthenticationError,
    DreamType,
    TriggerDreamRequest,
    create_reference_app,
)
from .server import FRAMEWORK_DEFECTS, oracle_server

__all__ = [
    "FRAMEWORK_DEFECTS",
    "AuthenticationError",
    "DreamType",
    "TriggerDreamRequest",
    "create_reference_app",
    "oracle_server",
]
