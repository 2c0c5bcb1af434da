"""``honcho-contract proxy``: Prism's validating proxy in front of a running server.

    honcho-contract proxy --upstream URL [--port P] [--host H] [--spec PATH] [--prism PATH]
        [--verbose]

Prism runs without ``--errors``, so every request reaches the server; every request or
answer that breaks the document is one line on stdout (what, where, which request). Runs
until SIGINT, SIGTERM or SIGHUP, then stops Prism. Exit 0: no violation seen; 1: violations;
2: a usage error, a missing Prism or an unreachable upstream (one line on stderr).
"""

from __future__ import annotations

import contextlib
import signal
import socket
import sys
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlsplit

from honcho_spec import default_document_path, load_document

from ..config import from_environment
from ..errors import UnreachableError, UsageError
from ..untrusted import one_line
from .driver import Prism, PrismError
from .log import PrismLog, Violation

__all__ = ["FROM_ENVIRONMENT", "ProxyOptions", "add_proxy_command", "check_upstream", "run_proxy"]

DEFAULT_PORT = 4010  # Prism's own default
# the options a flag or HONCHO_CONTRACT_<NAME> gives (the documentation's reference reads it)
FROM_ENVIRONMENT = ("upstream", "host", "port", "spec_path", "prism")


@dataclass(frozen=True)
class ProxyOptions:
    """Where to listen, where to forward, what to validate against.

    >>> ProxyOptions.resolve({"upstream": "http://127.0.0.1:8000"}, environ={}).port
    4010
    """

    upstream: str
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    spec_path: Path | None = None
    prism: Path | None = None
    verbose: bool = False

    @classmethod
    def resolve(
        cls, flags: Mapping[str, Any], environ: Mapping[str, str] | None = None
    ) -> ProxyOptions:
        """Flags (``None``: not given), then ``HONCHO_CONTRACT_*``, then the defaults."""
        values: dict[str, Any] = {}
        for name in ("upstream", "host", "port", "spec_path", "prism", "verbose"):
            value = flags.get(name)
            if value is None and name in FROM_ENVIRONMENT:
                value = from_environment(name, environ)
            if value is not None:
                values[name] = value
        if "upstream" not in values:
            raise UsageError("no server to forward to", fix="pass --upstream URL")
        parts = urlsplit(values["upstream"])
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UsageError(
                f"--upstream {values['upstream']!r} is not an http(s) URL",
                fix="e.g. --upstream http://127.0.0.1:8000",
            )
        try:
            values["port"] = int(values.get("port", DEFAULT_PORT))
        except ValueError:
            raise UsageError(f"port {values['port']!r} is not a number") from None
        if not 0 <= values["port"] <= 65535:
            raise UsageError(f"--port {values['port']} is out of range", fix="use 0 to 65535")
        for name in ("spec_path", "prism"):
            if name in values:
                values[name] = Path(values[name])
        return cls(**values)


def check_upstream(url: str, timeout: float = 3.0) -> None:
    """Raise :class:`UnreachableError` unless something accepts connections at ``url``."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname or "", port), timeout=timeout):
            pass
    except OSError as exc:
        raise UnreachableError(
            f"cannot reach the upstream server ({exc.strerror or exc})",
            where=url,
            fix="check --upstream and that the server is running",
        ) from None


def add_proxy_command(commands: Any) -> None:
    """Register ``proxy`` on ``commands`` (an argparse sub-parsers object)."""
    proxy = commands.add_parser("proxy", help="validate live traffic to a server with Prism")
    proxy.add_argument("--upstream", metavar="URL", help="the server to forward to")
    proxy.add_argument("--port", type=int, metavar="P", help=f"port to listen on ({DEFAULT_PORT})")
    proxy.add_argument("--host", metavar="H", help="address to listen on (127.0.0.1)")
    proxy.add_argument("--spec", dest="spec_path", metavar="PATH",
                       help="validate against another document (the embedded one)")  # fmt: skip
    proxy.add_argument("--prism", metavar="PATH", help="the Prism executable to run")
    proxy.add_argument("--verbose", action="store_true", default=None,
                       help="copy Prism's own log to stderr")  # fmt: skip


def run_proxy(flags: Mapping[str, Any]) -> int:
    """Run the proxy until SIGINT or SIGTERM; raises KitError when it cannot start."""
    options = ProxyOptions.resolve(flags)
    document = options.spec_path or default_document_path()
    load_document(document)  # a bad document is one line here, not Prism's stack trace
    check_upstream(options.upstream)
    log = PrismLog(options.upstream)

    def on_line(line: str) -> None:  # called by the one thread that reads Prism's log
        # Prism's lines quote the traffic, the upstream's answers among it: shown escaped
        if options.verbose:
            print(one_line(line), file=sys.stderr, flush=True)
        violation = log.feed(line)
        if violation is not None:
            print(one_line(violation.line()), flush=True)

    prism = Prism.proxy(document, options.upstream, host=options.host, port=options.port,
                        executable=options.prism, on_line=on_line)  # fmt: skip
    stop = threading.Event()
    with _stop_on_signals(stop), prism:
        where = "the embedded document" if options.spec_path is None else str(document)
        print(f"proxying {prism.url} to {options.upstream}, validating against {where}",
              flush=True)  # fmt: skip
        while not stop.wait(0.2) and prism.running:
            pass
        died = not prism.running
    if died and not stop.is_set():
        raise PrismError("Prism stopped unexpectedly", fix="rerun with --verbose to see its log")
    print(_summary(log.violations), flush=True)
    return 1 if log.violations else 0


def _summary(violations: list[Violation]) -> str:
    count = len(violations)
    return f"stopped: {count} violation{'s' * (count != 1)}"


@contextlib.contextmanager
def _stop_on_signals(event: threading.Event) -> Iterator[None]:
    """Set ``event`` on SIGINT, SIGTERM or SIGHUP (so Prism is stopped, not orphaned)."""

    def handle(_sig: int, _frame: FrameType | None) -> None:
        event.set()

    signals = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {sig: signal.signal(sig, handle) for sig in signals}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
