"""Who may reach the mock: the Host allow-list and the control paths' same-origin rule.

The mock runs on a developer's machine while they browse. A page on any origin may send it
requests, and DNS rebinding lets a page reach it under the page's own host name. So while
the mock listens on a loopback address it answers only the host names it is reached by
(:func:`host_guard`), and its control paths answer no cross-origin request
(:func:`foreign_origin`). The edge applies these decisions; they are plain functions here.

>>> guard = host_guard("127.0.0.1", ())
>>> guard.allows(b"localhost:8000"), guard.allows(b"evil.example:8000")
(True, False)
>>> foreign_origin(b"http://localhost:8000", b"localhost:8000") is None
True
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

__all__ = [
    "ANY_HOST",
    "LOCAL_NAMES",
    "HostGuard",
    "exposure_warning",
    "foreign_origin",
    "host_guard",
    "host_name",
    "is_loopback",
    "refused_host",
]

LOCAL_NAMES = ("localhost", "127.0.0.1", "[::1]")
ANY_HOST = "*"
_MEMO_LIMIT = 64  # raw Host values remembered as allowed (a port each): enough for a machine


def is_loopback(host: str) -> bool:
    """``host`` (the address the mock binds) reaches this machine only: ``localhost`` or a
    loopback address (``127.0.0.0/8``, ``::1``)."""
    name = host.strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _bound_name(host: str) -> str:
    """The name a Host header gives for the bound ``host``: IPv6 in brackets."""
    name = host.strip("[]").lower()
    return f"[{name}]" if ":" in name else name


def host_name(raw: bytes) -> bytes:
    """The name of a raw ``Host`` value, any port dropped, in lower case.

    >>> host_name(b"LocalHost:8000"), host_name(b"[::1]:80"), host_name(b"localhost.")
    (b'localhost', b'[::1]', b'localhost')
    """
    value = raw.strip().lower()
    if value.startswith(b"["):
        end = value.find(b"]")
        name = value[: end + 1] if end >= 0 else value
    else:
        name = value.partition(b":")[0]
    return name.rstrip(b".")


class HostGuard:
    """The host names (any port) the mock answers.

    :attr:`seen` holds raw ``Host`` values already allowed, so that the edge decides a
    request from a client it has seen before with one set lookup.
    """

    def __init__(self, names: Sequence[str]) -> None:
        self.names = tuple(dict.fromkeys(name.lower() for name in names))
        self._allowed = frozenset(name.encode("latin-1") for name in self.names)
        self.seen: set[bytes] = set()

    def allows(self, raw: bytes) -> bool:
        """Whether a request whose ``Host`` header is ``raw`` is answered."""
        if raw in self.seen:
            return True
        if host_name(raw) not in self._allowed:
            return False
        if len(self.seen) < _MEMO_LIMIT:
            self.seen.add(raw)
        return True


def host_guard(bind_host: str, allowed_hosts: Sequence[str]) -> HostGuard | None:
    """The allow-list for a mock bound to ``bind_host``, or ``None`` when any Host is answered.

    Bound to a loopback address or a host name, the mock answers :data:`LOCAL_NAMES`, the
    bound name and ``allowed_hosts``. Bound to any other address (``0.0.0.0``, a LAN
    address), it is meant to be reached under names it cannot know: the allow-list is on
    only when ``allowed_hosts`` names some. ``*`` among them answers any Host.

    >>> host_guard("0.0.0.0", ()) is None, host_guard("0.0.0.0", ["mock.lan"]).names
    (True, ('localhost', '127.0.0.1', '[::1]', '0.0.0.0', 'mock.lan'))
    """
    if ANY_HOST in allowed_hosts:
        return None
    if not allowed_hosts and _is_address(bind_host) and not is_loopback(bind_host):
        return None
    return HostGuard([*LOCAL_NAMES, _bound_name(bind_host), *allowed_hosts])


def refused_host(raw: bytes, guard: HostGuard) -> str:
    """Why a request with ``Host: raw`` is refused, in one line."""
    shown = raw.decode("latin-1")
    return (
        f"Host {shown!r} is not a name this mock answers ({', '.join(guard.names)}, any port): "
        "start it with --allowed-hosts NAME to add one"
    )


def foreign_origin(origin: bytes, host: bytes | None) -> str | None:
    """Why a control path refuses a request with ``Origin: origin``, or ``None`` when the
    origin is the mock's own: ``http://`` (or ``https://``, behind a TLS tunnel) and the
    ``Host`` the request reached it by.

    >>> foreign_origin(b"https://evil.example", b"127.0.0.1:8000").split(": ", 1)[1]
    "Origin 'https://evil.example' is not http://127.0.0.1:8000"
    """
    if host is None:
        return (
            "the mock's control paths answer no cross-origin request: Origin "
            f"{origin.decode('latin-1')!r} with no Host header to compare it with"
        )
    lowered = origin.strip().lower()
    own = host.strip().lower()
    if lowered in (b"http://" + own, b"https://" + own):
        return None
    return (
        "the mock's control paths answer no cross-origin request: Origin "
        f"{origin.decode('latin-1')!r} is not http://{host.decode('latin-1')}"
    )


def exposure_warning(bind_host: str, allowed_hosts: Sequence[str], *, control: bool) -> str | None:
    """One line for a mock bound beyond loopback with its controls on, else ``None``.

    >>> exposure_warning("127.0.0.1", (), control=True) is None
    True
    """
    if is_loopback(bind_host) or not control:
        return None
    guard = host_guard(bind_host, allowed_hosts)
    hosts = (
        "any Host is answered (--allowed-hosts NAME,... limits it)"
        if guard is None
        else f"Hosts answered: {', '.join(guard.names)}"
    )
    return (
        f"--host {bind_host}: the journal (with what clients send) and the control paths "
        f"/__mock__/... are reachable from the network; {hosts}"
    )
