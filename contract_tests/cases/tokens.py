"""Auth probes: a valid request without credentials, and minted tokens for the server's secret.

What the answers mean is judged in :mod:`contract_tests.checks.auth`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from honcho_spec import honcho_claims, mint_token

from .builder import JSON, ProbeSet, json_text, raw_valid
from .layers import CREDENTIALS as LAYER
from .model import Expect, Probe

__all__ = ["CREDENTIALS", "credential_probes", "enforcement_probe", "token_probes"]

# Where the probes made from the run's own token aim.
CREDENTIALS = "header.authorization"


def enforcement_probe(probes: ProbeSet) -> Probe:
    """A valid request without credentials."""
    body = json_text(raw_valid(probes))
    return Probe(
        name="a valid request without credentials",
        location="header.authorization: absent",
        method=probes.facts.operation.method,
        path=probes.path(),
        body=body,
        headers=JSON,
        expect=Expect.ANY,
        layer=LAYER,
    )


def token_probes(probes: ProbeSet, secret: str) -> Iterator[Probe]:
    """Minted tokens: those Honcho's rules accept must pass; the others must get 401/403."""
    ws = probes.workspace_id
    now = int(time.time())
    accepted = {
        "an admin token": mint_token(secret, honcho_claims(admin=True)),
        "a token for this workspace": mint_token(secret, honcho_claims(workspace=ws)),
    }
    refused = {
        "a token for another workspace": mint_token(secret, honcho_claims(workspace=ws + "-other")),
        "an expired token": mint_token(secret, {"ad": True, "exp": now - 3600}),
        "an unsigned token (alg none)": mint_token(secret, {"ad": True}, algorithm="none"),
        "an HS512 token": mint_token(secret, {"ad": True}, algorithm="HS512"),
        "a token signed with another secret": mint_token(secret + "-not", {"ad": True}),
        "a garbage token": "not.a.jwt",
    }
    future = mint_token(secret, {"ad": True, "exp": now + 3600})
    either = {"a token whose exp lies in the future": future}
    groups = ((accepted, Expect.ACCEPT, True), (refused, Expect.REFUSE, False),
              (either, Expect.ANY, True))  # fmt: skip
    for group, expect, credentials in groups:
        for name, token in group.items():
            yield _authorized(probes, name, f"auth: {name}", f"Bearer {token}", expect,
                              credentials=credentials)  # fmt: skip


def credential_probes(probes: ProbeSet) -> Iterator[Probe]:
    """Credentials made from the run's own token (no secret needed): under another scheme,
    with no token after the scheme, and another token (the run's with a byte before it:
    no JWT, no key it was given), which must not pass; the scheme in lower case, which must
    (RFC 9110 §11.1: the scheme is a case-insensitive token); and the token with a byte
    past ASCII, which servers that decode the header crash on (any answer but a 5xx: what
    a server accepts as a token is its own business)."""
    token = next((v.partition(" ")[2] for k, v in probes.auth_headers if k == "authorization"), "")
    spoilt = {
        "the token under the Basic scheme": (f"Basic {token}", Expect.REFUSE),
        "the Bearer scheme without a token": ("Bearer", Expect.REFUSE),
        "the token with a byte past ASCII": (f"Bearer {token}\u00e9", Expect.ANY),
    }
    if token:
        spoilt["another token"] = (f"Bearer x{token}", Expect.REFUSE)
        spoilt["the token, the scheme in lower case"] = (f"bearer {token}", Expect.ACCEPT)
    for name, (value, expect) in spoilt.items():
        yield _authorized(probes, name, f"{CREDENTIALS}: {name}", value, expect,
                          credentials=expect is Expect.ACCEPT)  # fmt: skip


def _authorized(
    probes: ProbeSet,
    name: str,
    location: str,
    authorization: str,
    expect: Expect,
    *,
    credentials: bool = False,
) -> Probe:
    """The minimal valid request with this ``authorization`` header."""
    return Probe(
        name=name,
        location=location,
        method=probes.facts.operation.method,
        path=probes.path(),
        body=json_text(raw_valid(probes)),
        headers=(*JSON, ("authorization", authorization)),
        expect=expect,
        credentials=credentials,
        layer=LAYER,
    )
