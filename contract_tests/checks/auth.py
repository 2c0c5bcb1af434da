"""Auth expectations: does the server enforce the credentials the document declares?

The document declares HTTPBearer, but Honcho runs with auth off by default and then
accepts requests without credentials. Under ``--auth auto`` that is one warning; under
``required`` a failure; ``off`` skips the auth probes.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..cases.model import Finding, Probe, Reply, Severity

__all__ = ["AuthVerdict", "judge_enforcement"]


@dataclass(frozen=True)
class AuthVerdict:
    enforced: bool
    finding: Finding | None


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
