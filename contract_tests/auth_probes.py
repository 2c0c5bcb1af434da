"""Auth expectations: whether credentials are enforced, and minted tokens against the server.

The document declares HTTPBearer, but Honcho runs with auth off by default and then
accepts requests without credentials. Under ``--auth auto`` that is one warning; under
``required`` a failure; ``off`` skips these probes.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

from honcho_spec import honcho_claims, mint_token

from .model import Expect, Finding, Probe, Reply, Severity
from .probes import JSON, ProbeSet, json_text, raw_valid

__all__ = ["AuthVerdict", "enforcement_probe", "judge_enforcement", "token_probes"]


@dataclass(frozen=True)
class AuthVerdict:
    enforced: bool
    finding: Finding | None


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
    )


def judge_enforcement(probe: Probe, reply: Reply, mode: str, has_credentials: bool) -> AuthVerdict:
    """What the answer to :func:`enforcement_probe` says, under ``--auth mode``."""
    if reply.status in (401, 403):
        if has_credentials:
            return AuthVerdict(True, None)
        return AuthVerdict(
            True,
            Finding(
                check="no_credentials",
                severity=Severity.WARNING,
                status=reply.status,
                location=probe.location,
                message="the server enforces credentials and none were given (--token or "
                "--jwt-secret): checks past auth see only 401/403",
            ),
        )
    if reply.status < 300 and mode in ("auto", "required"):
        return AuthVerdict(
            False,
            Finding(
                check="credentials_not_enforced",
                severity=Severity.WARNING if mode == "auto" else Severity.FAILURE,
                status=reply.status,
                location=probe.location,
                message="credentials not enforced: a valid request without a token was accepted"
                " though the document declares HTTPBearer",
            ),
        )
    return AuthVerdict(False, None)


def token_probes(probes: ProbeSet, secret: str) -> Iterator[Probe]:
    """Minted tokens: those Honcho's rules accept must pass; the others must get 401/403."""
    ws = probes.workspace_id
    now = int(time.time())
    body = json_text(raw_valid(probes))
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
            yield Probe(
                name=name,
                location=f"auth: {name}",
                method=probes.facts.operation.method,
                path=probes.path(),
                body=body,
                headers=(*JSON, ("authorization", f"Bearer {token}")),
                expect=expect,
                credentials=credentials,
            )
