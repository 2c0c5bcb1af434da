"""Credentials in the journal: shown masked unless ``--journal-secrets`` asks otherwise.

A header that carries a credential (``Authorization``, ``Proxy-Authorization``,
``Cookie``, and names such as ``X-API-Key``, ``X-Auth-Token`` or ``X-Client-Secret``) keeps
its scheme and the last four characters of its secret, enough to tell two tokens apart. A
secret shorter than :data:`SHOWN_FROM` characters is masked whole.

>>> mask_header("authorization", "Bearer sk-live-0123456789abcdef3f9a")
'Bearer ****3f9a'
>>> mask_header("user-agent", "curl/8.5.0")
'curl/8.5.0'
"""

from __future__ import annotations

import re

__all__ = ["MASK", "SHOWN_FROM", "is_credential", "mask_header", "mask_secret"]

MASK = "****"
SHOWN_FROM = 12  # the last four of a shorter secret would be a third of it or more
_SHOWN = 4
_CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})
_CREDENTIAL_NAME = re.compile(r"api[-_]?key|auth|token|secret|passw|session|credential")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*)\s+(.*)", re.DOTALL)


def is_credential(name: str) -> bool:
    """Whether the header ``name`` (lower case) carries a credential.

    >>> [is_credential(n) for n in ("cookie", "x-api-key", "x-auth-token", "content-type")]
    [True, True, True, False]
    """
    return name in _CREDENTIAL_HEADERS or _CREDENTIAL_NAME.search(name) is not None


def mask_secret(secret: str) -> str:
    """``****`` and the last four characters of ``secret``, or ``****`` alone when short.

    >>> mask_secret("0123456789abcdef"), mask_secret("hunter2")
    ('****cdef', '****')
    """
    if len(secret) < SHOWN_FROM:
        return MASK
    return MASK + secret[-_SHOWN:]


def mask_header(name: str, value: str) -> str:
    """``value`` as the journal shows it for the header ``name`` (lower case).

    >>> mask_header("cookie", "session=0123456789abcdef; theme=dark")
    'session=****cdef; theme=****'
    >>> mask_header("x-api-key", "sk-0123456789abcd")
    '****abcd'
    """
    if not is_credential(name):
        return value
    if name == "cookie":
        return "; ".join(_mask_cookie(pair) for pair in value.split(";"))
    scheme = _SCHEME.fullmatch(value.strip())
    if scheme is not None:
        return f"{scheme.group(1)} {mask_secret(scheme.group(2).strip())}"
    return mask_secret(value.strip())


def _mask_cookie(pair: str) -> str:
    cookie, equals, secret = pair.strip().partition("=")
    return f"{cookie}={mask_secret(secret)}" if equals else mask_secret(cookie)
