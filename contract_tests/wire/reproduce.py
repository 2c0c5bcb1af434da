"""Reproducers: a curl command per finding, with credentials masked unless asked."""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Iterator

from ..cases.model import Finding, Probe

__all__ = ["curl_command", "redacted"]

_INLINE_LIMIT = 2_000
MASK = "[redacted]"


def curl_command(base_url: str, probe: Probe, *, show_secrets: bool) -> str:
    """A shell command that sends ``probe`` again.

    >>> from contract_tests.cases.model import Probe
    >>> curl_command("http://h", Probe("n", "l", "POST", "/p", b"{}"), show_secrets=False)
    "printf '{}' | curl -i -X POST http://h/p --data-binary @-"
    """
    parts = ["curl", "-i", "-X", probe.method, shlex.quote(base_url + probe.path)]
    for name, value in probe.headers:
        shown = value if show_secrets or name.lower() != "authorization" else _mask(value)
        parts += ["-H", shlex.quote(f"{name}: {shown}")]
    command = " ".join(parts)
    if probe.body is None:
        return command
    if len(probe.body) > _INLINE_LIMIT:
        return f"{command} --data-binary @body.bin  # a {len(probe.body):,}-byte body"
    escaped = "".join(
        chr(b) if 0x20 <= b < 0x7F and chr(b) not in "%\\'" else f"\\x{b:02x}" for b in probe.body
    )
    return f"printf '{escaped}' | {command} --data-binary @-"


def redacted(
    findings: Iterable[Finding], auth_headers: Iterable[tuple[str, str]], show_secrets: bool
) -> Iterator[Finding]:
    """``findings`` with the credentials of ``auth_headers`` masked in their reproducers."""
    secrets = [value.partition(" ")[2] for _, value in auth_headers if value.partition(" ")[2]]
    for finding in findings:
        reproducer = finding.reproducer
        if not show_secrets:
            for secret in secrets:
                reproducer = reproducer.replace(secret, MASK)
        yield Finding(finding.check, finding.severity, finding.status, finding.location,
                      finding.message, reproducer)  # fmt: skip


def _mask(value: str) -> str:
    scheme, _, credentials = value.partition(" ")
    return f"{scheme} {MASK}" if credentials else MASK
