"""``honcho-contract``: does a server keep the trigger_dream contract?

    honcho-contract run --base-url URL [--token T] [-H 'NAME: VALUE']... [--workspace-id ID]
        [--seed N] [--max-examples N] [--workers N] [--max-time S] [--timeout S] [--down-wait S]
        [--spec PATH] [--tls-verify true|false|CA.pem] [--cert PATH] [--key PATH]
        [--duration T] [--shard I/N] [--example-db PATH|redis://HOST:PORT]
        [--junit-xml PATH] [--reproducers DIR]
        [--report-json PATH] [--strict] [--profile contract|honcho]
        [--checks NAMES] [--exclude-checks NAMES]
        [--auth auto|required|off] [--jwt-secret S]
        [--show-secrets]
    honcho-contract diff --a URL --b URL [...]   (see contract_tests.diff.command)
    honcho-contract merge REPORT.json... [...]   (see contract_tests.report.merge_command)
    honcho-contract judge [BODY] [...]   (see contract_tests.judge_command)
    honcho-contract proxy --upstream URL [--port P] [--host H]   (see contract_tests.prism.proxy)
    honcho-contract prism install [--home DIR]   (see contract_tests.prism.install)

Exit 0: the server keeps the contract; 1: violations, or a server that stopped answering
(every report written); 2: a usage error or a server never reached (one line on stderr).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import NoReturn

from honcho_spec import KitError, kit_version

from .config import (
    AUTH_MODES,
    PROFILES,
    check_writable,
    duration_flag,
    example_db_flag,
    header_flag,
    names_flag,
    rate_flag,
    resolve_config,
    shard_flag,
    size_flag,
    tls_verify_flag,
)
from .diff.command import add_diff_parser, run_diff_command
from .judge_command import add_judge_parser, run_judge_command
from .prism.install import add_prism_command, run_prism_command
from .prism.proxy import add_proxy_command, run_proxy
from .report.files import write_json, write_junit
from .report.merge_command import add_merge_parser, run_merge_command
from .report.text import render_text
from .run.campaign import run_suite
from .run.engine import private_hypothesis_home
from .run.progress import Progress
from .untrusted import one_line

__all__ = ["main", "parser"]

PROG = "honcho-contract"


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _UsageError(f"{message} (see {self.prog} --help)")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Contract checks for trigger_dream at a base URL.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {kit_version()}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run = commands.add_parser("run", help="fuzz a server against the contract")
    run.add_argument("--base-url", metavar="URL", help="the server under test")
    run.add_argument("--token", metavar="T", help="sent as 'Authorization: Bearer T'")
    run.add_argument("-H", "--header", dest="headers", action="append", type=header_flag,
                     metavar="'NAME: VALUE'",
                     help="sent with every request; repeatable")  # fmt: skip
    run.add_argument("--workspace-id", metavar="ID", help="pin the workspace_id path parameter")
    run.add_argument(
        "--seed", type=int, metavar="N", help="fixed by default: same seed, same cases"
    )
    run.add_argument(
        "--max-examples", type=int, metavar="N", help="generated cases per phase (100)"
    )
    run.add_argument("--workers", type=int, metavar="N", help="concurrent workers (1)")
    run.add_argument("--max-time", type=float, metavar="S",
                     help="stop the run after S seconds, with the report of what ran")  # fmt: skip
    run.add_argument("--timeout", type=float, metavar="S",
                     help="seconds for each whole answer, headers and body (10)")  # fmt: skip
    run.add_argument("--max-answer-size", type=size_flag, metavar="SIZE",
                     help="read at most SIZE of each answer, then a finding (8MiB)")  # fmt: skip
    run.add_argument("--duration", type=duration_flag, metavar="T",
                     help="a campaign: fuzz until T after the start (90s, 30m, 2h)")  # fmt: skip
    run.add_argument("--max-failures", type=int, metavar="N",
                     help="stop once N distinct failures are found")  # fmt: skip
    run.add_argument("--shard", type=shard_flag, metavar="I/N",
                     help="send runner I's share of N (same seed on every runner)")  # fmt: skip
    run.add_argument("--example-db", type=example_db_flag, metavar="PATH|redis://HOST:PORT",
                     help="keep failing cases: every later run sends them first")  # fmt: skip
    run.add_argument("--rate-limit", type=rate_flag, metavar="N/s",
                     help="at most N requests a second (or /m, /h)")  # fmt: skip
    run.add_argument("--down-wait", type=float, metavar="S",
                     help="seconds to wait for a server that stopped answering (10)")  # fmt: skip
    run.add_argument("--tls-verify", type=tls_verify_flag, metavar="true|false|CA.pem",
                     help="check the server's certificate (true), or not, or against a CA "
                     "bundle")  # fmt: skip
    run.add_argument("--cert", type=Path, metavar="PATH",
                     help="a client certificate (PEM), its key in it or in --key")  # fmt: skip
    run.add_argument("--key", type=Path, metavar="PATH", help="the client certificate's key")
    run.add_argument("--spec", dest="spec_path", type=Path, metavar="PATH",
                     help="find the operation in another FastAPI document")  # fmt: skip
    run.add_argument("--junit-xml", type=Path, metavar="PATH", help="write a JUnit XML report")
    run.add_argument("--report-json", type=Path, metavar="PATH", help="write a JSON report")
    run.add_argument("--reproducers", type=Path, metavar="DIR",
                     help="folder for long bodies of reproducers (beside the report)")  # fmt: skip
    run.add_argument("--strict", action="store_true", default=None,
                     help="an undocumented 4xx for non-text bytes fails")  # fmt: skip
    run.add_argument("--profile", choices=PROFILES,
                     help="contract: what the document, HTTP and JSON require (default); "
                     "honcho: also what Honcho 2.5.1 answers on FastAPI")  # fmt: skip
    run.add_argument("--checks", type=names_flag, metavar="NAMES",
                     help="report only these checks (comma-separated)")  # fmt: skip
    run.add_argument("--exclude-checks", type=names_flag, metavar="NAMES",
                     help="report none of these checks (comma-separated)")  # fmt: skip
    run.add_argument("--auth", choices=AUTH_MODES, help="auth expectations (auto)")
    run.add_argument("--jwt-secret", metavar="S", help="the server's JWT secret: probe its auth")
    run.add_argument("--show-secrets", action="store_true", default=None,
                     help="do not mask credentials in reproducers")  # fmt: skip
    run.add_argument("-q", "--quiet", action="store_true",
                     help="no progress lines on stderr while it runs")  # fmt: skip
    add_diff_parser(commands)
    add_merge_parser(commands)
    add_judge_parser(commands)
    add_proxy_command(commands)
    add_prism_command(commands)
    return parser


def parser() -> argparse.ArgumentParser:
    """The command's parser, its subcommands' within (the documentation's reference is made
    from it)."""
    return _parser()


def main(argv: Sequence[str] | None = None) -> int:
    with private_hypothesis_home():
        return _main(argv)


def _main(argv: Sequence[str] | None) -> int:
    try:
        options = vars(_parser().parse_args(_command_first(argv)))
        command = options.pop("command")
        if command == "diff":
            return run_diff_command(options)
        if command == "merge":
            return run_merge_command(options)
        if command == "judge":
            return run_judge_command(options)
        if command == "proxy":
            return run_proxy(options)
        if command == "prism":
            return run_prism_command(options)
        quiet = options.pop("quiet")
        config = resolve_config(options)
        check_writable([config.junit_xml, config.report_json], [config.reproducers_dir])
        progress = None if quiet else Progress(sys.stderr, terminal=sys.stderr.isatty())
        with _interruptible() as interrupt:
            report = run_suite(config, progress, interrupt)
    except (_UsageError, KitError) as exc:
        print(one_line(f"{PROG}: error: {exc}"), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: aborted: no report written", file=sys.stderr)
        return 130
    print(render_text(report))
    try:
        if config.junit_xml is not None:
            write_junit(report, config.junit_xml)
        if config.report_json is not None:
            write_json(report, config.report_json)
    except OSError as exc:
        print(f"{PROG}: error: cannot write the report ({exc.strerror}: {exc.filename})",
              file=sys.stderr)  # fmt: skip
        return 2
    if not report.ok:
        return 1
    return 130 if interrupt.is_set() else 0


def _command_first(argv: Sequence[str] | None) -> Sequence[str] | None:
    """``argv``; an option before the command (``honcho-contract --base-url URL``) is one
    clear line, not argparse's "the following arguments are required"."""
    args = sys.argv[1:] if argv is None else argv
    if args and args[0].startswith("-") and args[0] not in ("-h", "--help", "--version"):
        shown = " ".join(args)
        raise _UsageError(
            f"{args[0]} is an option of a command: name the command first, as in "
            f"'{PROG} run {shown}' (see {PROG} --help)"
        )
    return argv


def _say_now(line: str) -> None:
    """One line to stderr from a signal handler: past Python's buffered writer, which the
    interrupted code may be in the middle of (``print`` there is a reentrant call)."""
    # no file descriptor behind stderr: unsaid; the report still tells of the interrupt
    with suppress(OSError, ValueError, AttributeError):
        os.write(sys.stderr.fileno(), (line + "\n").encode(errors="replace"))


@contextmanager
def _interruptible() -> Iterator[threading.Event]:
    """A first SIGINT ends the run once the requests in flight are answered (the report of
    what ran is written); a second aborts at once."""
    interrupt = threading.Event()

    def handler(_signum: int, _frame: object) -> None:
        if interrupt.is_set():
            raise KeyboardInterrupt
        interrupt.set()
        _say_now(f"{PROG}: interrupted: finishing the requests in flight (again to abort)")

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield interrupt
    finally:
        signal.signal(signal.SIGINT, previous)
