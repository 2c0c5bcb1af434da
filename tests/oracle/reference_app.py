"""Honcho 2.5.1's ``trigger_dream`` route on the framework versions it shipped with.

The model, route and auth dependency are declared as Honcho declares them (``src/schemas``,
``src/routers/workspaces.py``, ``src/security.py``), so every answer FastAPI, Starlette and
pydantic decide - routing, JSON parsing, 422 items, rendering, and the 500s where rendering
crashes - is the real server's. What needs a database (unknown workspaces, long names) is
left out: the handler accepts every valid request.

>>> app = create_reference_app(auth_jwt_secret="s3cret")
>>> app.openapi_url is None
True
"""

import datetime
import warnings
from collections.abc import Awaitable, Callable
from enum import Enum
from typing import Any

import jwt
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

__all__ = ["AuthenticationError", "DreamType", "TriggerDreamRequest", "create_reference_app"]

# PyJWT >= 2.11 warns about short HMAC keys; Honcho accepts secrets of any length.
_SHORT_KEY_WARNING: type[Warning] = getattr(jwt, "InsecureKeyLengthWarning", UserWarning)

security = HTTPBearer(auto_error=False)


class DreamType(str, Enum):  # as Honcho declares it, not StrEnum
    consolidate = "consolidate"
    agent = "agent"


class TriggerDreamRequest(BaseModel):
    observer: str = Field(...)
    observed: str | None = None
    dream_type: DreamType


class AuthenticationError(Exception):
    """Honcho's ``AuthenticationException``: always a 401 ``{"detail": ...}``."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


async def _authentication_error(_request: Request, exc: Exception) -> JSONResponse:
    detail = exc.detail if isinstance(exc, AuthenticationError) else str(exc)
    return JSONResponse({"detail": detail}, status_code=401)


def _verify_jwt(token: str, secret: str) -> dict[str, Any]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", _SHORT_KEY_WARNING)
            decoded: dict[str, Any] = jwt.decode(token, secret.encode(), algorithms=["HS256"])
    except jwt.PyJWTError:
        raise AuthenticationError("Invalid JWT") from None
    # Honcho reads ``exp`` as an ISO string, after PyJWT has required a future ``int(exp)``:
    # a number raises TypeError here (the real server's 500), a digit string may parse.
    if decoded.get("exp") and (
        datetime.datetime.fromisoformat(decoded["exp"]) < datetime.datetime.now()
    ):
        raise AuthenticationError("JWT expired")
    return decoded


def require_auth(*, secret: str | None, workspace_name: str) -> Callable[..., Awaitable[None]]:
    """Honcho's dependency factory, bound to one server's secret (``None``: auth off)."""

    async def auth_dependency(
        request: Request,
        credentials: HTTPAuthorizationCredentials | None = Depends(security),  # noqa: B008
    ) -> None:
        if secret is None:
            return
        if not credentials or not credentials.credentials:
            raise AuthenticationError("No access token provided")
        claims = _verify_jwt(credentials.credentials, secret)
        if claims.get("ad"):
            return
        workspace = request.path_params.get(workspace_name) or request.query_params.get(
            workspace_name
        )
        if workspace and claims.get("w") == workspace:
            return
        raise AuthenticationError("JWT not permissioned for this resource")

    return auth_dependency


def create_reference_app(*, auth_jwt_secret: str | None = None) -> FastAPI:
    """A fresh reference server; ``auth_jwt_secret`` turns Honcho's auth on."""
    app = FastAPI(openapi_url=None)
    router = APIRouter(prefix="/v2/workspaces")

    @router.post(
        "/{workspace_id}/trigger_dream",
        status_code=204,
        dependencies=[Depends(require_auth(secret=auth_jwt_secret, workspace_name="workspace_id"))],
    )
    # No ``from __future__ import annotations`` here: FastAPI would read the string "None"
    # as a response model and refuse a 204 route.
    async def trigger_dream(workspace_id: str, dream: TriggerDreamRequest) -> None:
        return None

    app.include_router(router)
    app.add_exception_handler(AuthenticationError, _authentication_error)
    return app
