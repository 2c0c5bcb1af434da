"""A wrong set-up, named as such before the run: not a broken server's findings.

A server that answers 404 to the operation's requests, valid and invalid alike, is not
being reached where the document puts the operation (a base URL with an extra ``/v2``, a
``--spec`` whose path it does not serve); tokens minted with ``--jwt-secret`` that the
server refuses, an admin token and a token for the run's workspace alike, were minted
with another secret than the server's. Each is a :class:`SetupError`: one line, exit 2.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from honcho_spec import honcho_claims, mint_token

from ..cases.model import Probe, Reply
from ..errors import SetupError

__all__ = ["check_credentials", "check_reached"]

_REFUSED = (401, 403)


def check_reached(send: Callable[[Probe], Reply], probe: Probe, reply: Reply, root: str) -> None:
    """Raise :class:`SetupError` if ``probe`` (a valid request) got a 404 and the same
    request with an invalid body (``{}``) gets one too."""
    if reply.status != 404:
        return
    if send(replace(probe, body=b"{}")).status != 404:
        return  # the path is served: a 404 for a valid request is the server's to answer for
    raise SetupError(
        f"the server answers 404 to the operation's requests, valid and invalid, at "
        f"{probe.method} {probe.path}: it does not serve the document's path there",
        where=root,
        fix="check that --base-url is the server's root (the document's paths start with "
        "their own prefix, /v2) and that --spec is its document; for a server that answers "
        "404 for a workspace it does not know, pass --workspace-id ID",
    )


def check_credentials(
    send: Callable[[Probe], Reply],
    probe: Probe,
    secret: str,
    workspace: str,
    root: str,
) -> None:
    """Raise :class:`SetupError` if the admin token minted with ``secret`` that ``probe``
    (a valid request) carries is refused and so is a token for ``workspace``: the secret is
    not the server's. A server that refuses the admin token alone has a bug the run reports
    (the token probes hold it)."""
    first = send(probe)
    if first.status not in _REFUSED:
        return
    token = mint_token(secret, honcho_claims(workspace=workspace))
    others = tuple((k, v) for k, v in probe.headers if k.lower() != "authorization")
    scoped = replace(probe, headers=(*others, ("authorization", f"Bearer {token}")))
    if send(scoped).status not in _REFUSED:
        return
    raise SetupError(
        f"tokens minted with --jwt-secret are refused ({first.status}), an admin token and "
        f"a token for workspace {workspace!r} alike: the secret does not match the server's",
        where=root,
        fix="pass the server's own JWT secret (Honcho's AUTH_JWT_SECRET), or --token T",
    )
