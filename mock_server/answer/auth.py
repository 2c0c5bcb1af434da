"""Honcho's bearer-token rules, as plain functions.

With auth on, Honcho reads the ``Authorization`` header as FastAPI's ``HTTPBearer``
(``auto_error=False``) does, verifies an HS256 JWT with its secret, and lets the request
through when the claims carry a truthy ``ad`` (admin) or ``w`` equal to the workspace id.
Each refusal is a 401 with one of four details (``JWT expired`` only for an ``exp`` that
PyJWT reads as a future timestamp and Python's ``fromisoformat`` as a past date).
"""

from __future__ import annotations

import datetime
from typing import Any

import jwt

from honcho_spec import short_keys_allowed

__all__ = ["EXPIRED", "INVALID_JWT", "NOT_PERMITTED", "NO_TOKEN", "BearerVerifier"]

NO_TOKEN = "No access token provided"
INVALID_JWT = "Invalid JWT"
EXPIRED = "JWT expired"
NOT_PERMITTED = "JWT not permissioned for this resource"


class BearerVerifier:
    """Checks tokens against one secret.

    >>> from honcho_spec import mint_token
    >>> verifier = BearerVerifier("s3cret")
    >>> verifier.refusal(f"Bearer {mint_token('s3cret', {'w': 'ws-1'})}", "ws-1") is None
    True
    >>> verifier.refusal(None, "ws-1")
    'No access token provided'
    """

    def __init__(self, secret: str) -> None:
        self._key = secret.encode("utf-8")

    def refusal(self, authorization: str | None, workspace: str | None) -> str | None:
        """The 401 detail for this header and workspace, or ``None`` to let it through."""
        token = _bearer_credentials(authorization)
        if not token:
            return NO_TOKEN
        claims = self._claims(token)
        if claims is None:
            return INVALID_JWT
        if _expired_as_iso_date(claims.get("exp")):
            return EXPIRED
        if claims.get("ad"):
            return None
        if workspace is not None and claims.get("w") == workspace:
            return None
        if workspace is None:  # an operation with no workspace in scope: any valid token
            return None
        return NOT_PERMITTED

    def _claims(self, token: str) -> dict[str, Any] | None:
        try:
            with short_keys_allowed():
                claims: dict[str, Any] = jwt.decode(token, self._key, algorithms=["HS256"])
        except jwt.PyJWTError:
            return None
        return claims


def _expired_as_iso_date(exp: Any) -> bool:
    # Honcho's second reading of ``exp``: ``datetime.fromisoformat(exp) < datetime.now()``.
    # Where that raises (a numeric ``exp``, text that is no ISO date, an aware datetime),
    # the real server answers 500, a listed defect; the contract lets the request through.
    if not exp:
        return False
    try:
        return bool(datetime.datetime.fromisoformat(exp) < datetime.datetime.now())
    except (TypeError, ValueError):
        return False


def _bearer_credentials(authorization: str | None) -> str | None:
    # fastapi.security.HTTPBearer with auto_error=False, then Honcho's "not credentials".
    if not authorization:
        return None
    scheme, _, credentials = authorization.partition(" ")
    if not (scheme and credentials) or scheme.lower() != "bearer":
        return None
    return credentials
