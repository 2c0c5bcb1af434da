"""Honcho's JWTs: how a client's token is shaped and signed.

Honcho signs HS256 tokens with its ``AUTH_JWT_SECRET``. A token passes an operation on a
workspace when its claims carry ``ad`` (admin) or ``w`` equal to the workspace id.

>>> token = mint_token("s3cret", honcho_claims(workspace="ws-1"))
>>> token.count(".")
2
"""

from __future__ import annotations

import datetime
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import jwt

__all__ = ["honcho_claims", "mint_token", "short_keys_allowed"]

# Honcho accepts secrets of any length; PyJWT >= 2.11 warns about short HMAC keys.
_SHORT_KEY_WARNING: type[Warning] = getattr(jwt, "InsecureKeyLengthWarning", UserWarning)


@contextmanager
def short_keys_allowed() -> Iterator[None]:
    """Silence PyJWT's short-key warning: a Honcho secret may be any length."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", _SHORT_KEY_WARNING)
        yield


def honcho_claims(*, admin: bool = False, workspace: str | None = None) -> dict[str, Any]:
    """The claims Honcho's own ``create_jwt`` writes: a timestamp ``t`` plus scope."""
    claims: dict[str, Any] = {"t": datetime.datetime.now(tz=datetime.UTC).isoformat()}
    if admin:
        claims["ad"] = True
    if workspace is not None:
        claims["w"] = workspace
    return claims


def mint_token(secret: str, claims: Mapping[str, Any], *, algorithm: str = "HS256") -> str:
    """Sign ``claims`` with ``secret``; ``algorithm="none"`` makes an unsigned token."""
    key: bytes | None = None if algorithm == "none" else secret.encode("utf-8")
    with short_keys_allowed():
        return jwt.encode(dict(claims), key, algorithm=algorithm)
