"""``honcho-mock``: serve the mock, or print a token a client can use.

    honcho-mock [--host 127.0.0.1] [--port 8000] [--allowed-hosts H,H | '*'] [--spec PATH]
                [--auth-jwt-secret S] [--log-level L] [--no-control] [--journal-size N]
                [--journal-secrets] [--latency D[-D]] [--allow-faults]
                [--fault-rate RATE:FAULT] [--seed N] [--cors-origins O,O | none] [--reload]
    honcho-mock token --secret S (--admin | --workspace W)

A bad flag, a missing or invalid document, or a busy port is one line on stderr and
exit code 2. Bound beyond loopback (``--host 0.0.0.0``) with the controls on, it prints
one warning line on stderr: the journal and the control paths are reachable from the network.
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Sequence
from typing import NoReturn

from honcho_spec import KitError, honcho_claims, kit_version, mint_token

from .controls.exposure import exposure_warning
from .edge.server import serve
from .settings import LOG_LEVELS, resolve_settings

__all__ = ["main", "parsers"]

PROG = "honcho-mock"
USAGE_ERROR = 2


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _UsageError(f"{message} (see {self.prog} --help)")


def _serve_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="A faithful mock of Honcho 2.5.1's trigger_dream operation, driven by "
        "its OpenAPI document. Subcommand: 'token' prints a JWT for --auth-jwt-secret.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {kit_version()}")
    parser.add_argument("--host", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port to bind, 0 for a free one (default 8000)")
    parser.add_argument(
        "--allowed-hosts",
        metavar="NAMES",
        help="more Host names to answer, comma-separated ('*': any); bound to loopback the "
        "mock answers localhost, 127.0.0.1, [::1] and --host, any port",
    )
    parser.add_argument(
        "--spec",
        dest="spec_path",
        metavar="PATH",
        help="serve this OpenAPI 3.x document instead of the embedded one",
    )
    parser.add_argument(
        "--auth-jwt-secret",
        metavar="SECRET",
        help="turn auth on: require HS256 JWTs signed with SECRET",
    )
    parser.add_argument("--log-level", choices=LOG_LEVELS, help="uvicorn's log level (info)")
    control = parser.add_argument_group("the client developer's controls")
    control.add_argument(
        "--no-control",
        dest="control",
        action="store_const",
        const=False,
        help="no /__mock__ paths, no journal, Prefer ignored: only the flags below steer",
    )
    control.add_argument(
        "--journal-size", type=int, metavar="N", help="requests the journal keeps (1000; 0: off)"
    )
    control.add_argument(
        "--journal-secrets",
        action="store_const",
        const=True,
        help="show Authorization, Cookie, API keys whole in the journal (masked: Bearer ****3f9a)",
    )
    control.add_argument(
        "--latency", metavar="DELAY", help="delay every answer: 50ms, or a range 20ms-200ms"
    )
    control.add_argument(
        "--allow-faults",
        action="store_const",
        const=True,
        help="allow Prefer: fault=..., undocumented Prefer: code=..., and --fault-rate",
    )
    control.add_argument(
        "--fault-rate",
        metavar="RATE:FAULT",
        help="inject faults at random: 0.05:500 (faults: 400-599, reset, timeout; "
        "comma-separate several)",
    )
    control.add_argument(
        "--seed", type=int, help="seed of the latency and fault draws (0): same seed, same run"
    )
    control.add_argument(
        "--cors-origins",
        metavar="ORIGINS",
        help="comma-separated origins browsers may call from ('*'; 'none': no CORS)",
    )
    control.add_argument(
        "--reload",
        action="store_const",
        const=True,
        help="serve the document again after it is edited, without a restart",
    )
    return parser


def _token_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=f"{PROG} token", description="Print a JWT the mock (and Honcho) accept.")
    parser.add_argument("--secret", required=True, help="the server's JWT secret")
    scope = parser.add_mutually_exclusive_group(required=True)
    scope.add_argument("--admin", action="store_true", help="an admin token (ad: true)")
    scope.add_argument("--workspace", metavar="ID", help="a token for one workspace (w: ID)")
    return parser


def parsers() -> dict[str, argparse.ArgumentParser]:
    """Each command's parser by its name (the documentation's reference is made from them)."""
    return {PROG: _serve_parser(), f"{PROG} token": _token_parser()}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if args[:1] == ["token"]:
            opts = _token_parser().parse_args(args[1:])
            claims = honcho_claims(admin=opts.admin, workspace=opts.workspace)
            print(mint_token(opts.secret, claims))
            return 0
        flags = vars(_serve_parser().parse_args(args))
        settings = resolve_settings(flags)
        warning = exposure_warning(settings.host, settings.allowed_hosts, control=settings.control)
        serve(settings, announce=functools.partial(_announce, warning=warning))
    except _UsageError as exc:
        return _fail(str(exc))
    except KitError as exc:
        return _fail(str(exc))
    return 0


def _announce(line: str, *, warning: str | None) -> None:
    if warning is not None:  # once it listens: a bad flag or a busy port is the one line
        print(f"{PROG}: warning: {warning}", file=sys.stderr, flush=True)
    print(line, flush=True)


def _fail(message: str) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return USAGE_ERROR
