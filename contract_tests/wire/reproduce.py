"""Reproducers: a command per finding that ``sh`` runs from any directory and that sends the
same bytes again, with credentials masked unless asked.

POSIX ``printf`` writes the body (octal escapes: ``\\xNN`` is only bash's); a body longer
than a line is sent from a file in the run's reproducers folder, named by its digest, which
the run writes for the findings its report shows (:func:`write_bodies`). curl
is told to send the path as it is (``--path-as-is``, ``--globoff``) and to drop the
content-type it would add to a body when the probe has none. A probe framed in a way curl
does not write (chunks of its own sizes, HTTP/1.0, a body in pieces) is sent as its bytes
by ``python3`` with nothing but its standard library.
"""

from __future__ import annotations

import hashlib
import re
import shlex
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

from ..cases.model import Finding, Probe
from .raw import request_pieces

__all__ = [
    "MASK",
    "curl_command",
    "is_credential",
    "long_bodies",
    "printf_text",
    "redacted",
    "reproduced",
    "write_bodies",
]

_INLINE_LIMIT = 2_000
# Header names that say their value is a credential.
_CREDENTIAL = re.compile(r"auth|token|secret|key|cookie|session|password|signature", re.I)
_SCHEMED = frozenset({"authorization", "proxy-authorization"})  # "SCHEME credentials"
MASK = "[redacted]"
_PLAIN = frozenset(range(0x20, 0x7F)) - frozenset(b"%\\'")


def printf_text(data: bytes) -> str:
    """``data`` as a single-quoted POSIX ``printf`` format that writes exactly it.

    >>> printf_text(b"a'%\\xff")
    "'a\\\\047%%\\\\377'"
    >>> printf_text(b"--kit")  # not an option
    "'\\\\055-kit'"
    """
    out = []
    for at, byte in enumerate(data):
        if byte == ord("-") and at == 0:  # a format that starts with "-" reads as an option
            out.append("\\055")
        elif byte == ord("%"):
            out.append("%%")
        elif byte in _PLAIN:
            out.append(chr(byte))
        else:
            out.append(f"\\{byte:03o}")
    return "'" + "".join(out) + "'"


def curl_command(
    base_url: str,
    probe: Probe,
    *,
    show_secrets: bool,
    bodies: Path | None = None,
    headers: tuple[tuple[str, str], ...] = (),
) -> str:
    """A shell command that sends ``probe`` again, with the run's ``headers`` (``-H``) as the
    transport adds them; a long body goes to a file in ``bodies``.

    >>> from contract_tests.cases.model import Probe
    >>> command = curl_command("http://h", Probe("n", "l", "POST", "/p", b"{}"), show_secrets=False)
    >>> command.startswith("printf '{}' | curl -sS -i --path-as-is -g -X POST http://h/p")
    True
    """
    if probe.framing is not None:
        return _socket_command(base_url, probe, show_secrets=show_secrets, headers=headers)
    # curl's --head refuses a body, and -X HEAD waits for the body a content-length announces
    method = ["-X", probe.method, *(("--max-time", "10") if probe.method == "HEAD" else ())]
    parts = ["curl", "-sS", "-i", "--path-as-is", "-g", *method, shlex.quote(base_url + probe.path)]
    probe = probe.with_headers(headers)
    for name, value in probe.headers:
        shown = value if show_secrets or not is_credential(name) else _mask(name, value)
        parts += ["-H", _header(f"{name}: {shown}")]
    if probe.body is None:
        return " ".join(parts)
    if not any(name.lower() == "content-type" for name, _ in probe.headers):
        parts += ["-H", "'content-type:'"]  # curl would add its own to a body
    command = " ".join(parts)
    if len(probe.body) > _INLINE_LIMIT and bodies is not None:
        path = _body_path(bodies, probe.body)
        return f"{command} --data-binary @{shlex.quote(str(path))}"
    return f"printf {printf_text(probe.body)} | {command} --data-binary @-"


def _socket_command(
    base_url: str, probe: Probe, *, show_secrets: bool, headers: tuple[tuple[str, str], ...]
) -> str:
    """``probe``'s bytes as its framing writes them (which curl does not write), sent by
    Python's standard library alone, each write a piece of its own; the answer printed as
    ``curl -i`` prints it (its head, then its body)."""
    probe = probe.with_headers(headers)
    shown = tuple((name, value if show_secrets or not is_credential(name) else _mask(name, value))
                  for name, value in probe.headers)  # fmt: skip
    pieces = request_pieces(base_url, replace(probe, headers=shown))
    url = urlsplit(base_url)
    host = url.hostname or "localhost"
    port = url.port or (443 if url.scheme == "https" else 80)
    connect = f"socket.create_connection(({host!r}, {port}))"
    if url.scheme == "https":
        connect = f"ssl.create_default_context().wrap_socket({connect}, server_hostname={host!r})"
    send = f"[(s.sendall(p), time.sleep(0.02)) for p in {pieces!r}]"
    if probe.method == "HEAD":  # every byte to the close: content after the head shows
        # (a read waits 5 s at most: a server may keep the connection open)
        read = "s.recv(65536) if select.select([s], [], [], 5)[0] else b''"
        return "python3 -c " + shlex.quote(
            f"import select, socket, ssl, sys, time; s = {connect}; {send}; "
            f'sys.stdout.buffer.write(b"".join(iter(lambda: {read}, b"")))'
        )
    code = (
        f"import http.client, socket, ssl, sys, time; s = {connect}; {send}; "
        "r = http.client.HTTPResponse(s); r.begin(); "
        'print(f"HTTP/{r.version // 10}.{r.version % 10} {r.status} {r.reason}", end="\\r\\n"); '
        'print(str(r.msg).replace("\\n", "\\r\\n"), end="", flush=True); '
        "sys.stdout.buffer.write(r.read())"
    )
    return f"python3 -c {shlex.quote(code)}"


def _header(line: str) -> str:
    raw = line.encode("latin-1")
    if all(byte in _PLAIN or byte in b"'%\\" for byte in raw) and raw.isascii():
        return shlex.quote(line)
    return f'"$(printf {printf_text(raw)})"'


def _body_path(folder: Path, body: bytes) -> Path:
    return (folder / f"{hashlib.sha256(body).hexdigest()[:16]}.bin").resolve()


def long_bodies(probes: Iterable[Probe]) -> tuple[bytes, ...]:
    """The bodies of ``probes`` that their reproducers send from files."""
    return tuple(p.body for p in probes if p.body is not None and len(p.body) > _INLINE_LIMIT)


def reproduced(
    findings: list[Finding], curl: Callable[[Probe], str], probe: Probe
) -> list[Finding]:
    """``findings`` of ``probe``, each with ``curl(probe)`` as its reproducer and the long body
    it sends from a file; one that has a reproducer (a ``server_down``'s) keeps it."""
    if all(finding.reproducer for finding in findings):
        return findings
    command, bodies = curl(probe), long_bodies([probe])
    return [f if f.reproducer else replace(f, reproducer=command, bodies=bodies)
            for f in findings]  # fmt: skip


def write_bodies(folder: Path, bodies: Iterable[bytes]) -> None:
    """Write ``bodies`` where reproducers made with the folder ``folder`` read them."""
    for body in bodies:
        path = _body_path(folder, body)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(body)


def is_credential(name: str) -> bool:
    """Whether a header's value is masked in reproducers: ``authorization`` and the headers
    whose names say they carry a credential (``x-api-key``, ``cookie``, ``x-auth-token``).

    >>> is_credential("X-Api-Key"), is_credential("x-env")
    (True, False)
    """
    return _CREDENTIAL.search(name) is not None


def redacted(
    findings: Iterable[Finding], headers: Iterable[tuple[str, str]], show_secrets: bool
) -> Iterator[Finding]:
    """``findings`` with the credentials among ``headers`` (the run's: its token, its
    ``-H``) masked in their reproducers."""
    secrets = [_secret(name, value) for name, value in headers if is_credential(name)]
    secrets = [secret for secret in secrets if secret]
    for finding in findings:
        reproducer = finding.reproducer
        if not show_secrets:
            for secret in secrets:
                reproducer = reproducer.replace(secret, MASK)
        yield replace(finding, reproducer=reproducer)


def _secret(name: str, value: str) -> str:
    """What a credential header's value keeps secret: all of it, or an authorization's
    credentials after its scheme (``Bearer``)."""
    if name.lower() in _SCHEMED:
        return value.partition(" ")[2]
    return value


def _mask(name: str, value: str) -> str:
    scheme, _, credentials = value.partition(" ")
    return f"{scheme} {MASK}" if name.lower() in _SCHEMED and credentials else MASK
