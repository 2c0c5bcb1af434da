"""``honcho-contract``: does a server keep the trigger_dream contract?

    honcho-contract run --base-url URL [--token T] [--workspace-id ID] [--seed N]
        [--max-examples N] [--workers N] [--max-time S] [--timeout S] [--down-wait S]
        [--spec PATH]
        [--junit-xml PATH] [--reproducers DIR]
        [--report-json PATH] [--strict] [--profile contract|honcho]
        [--auth auto|required|off] [--jwt-secret S]
        [--show-secrets]
    honcho-contract diff --a URL --b URL [...]   (see contract_tests.diff.command)
    honcho-contract proxy --upstream URL [--port P] [--host H]   (see contract_tests.prism.proxy)
    honcho-contract prism install [--home DIR]   (see contract_tests.prism.install)

Exit 0: the server keeps the contract; 1: violations, or a server that stopped answering
(every report written); 2: a usage error or a server never reached (one line on stderr).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from honcho_spec import KitError, kit_version

from .config import AUTH_MODES, PROFILES, check_writable, rate_flag, resolve_config
from .diff.command import add_diff_parser, run_diff_command
from .prism.install import add_prism_command, run_prism_command
from .prism.proxy import add_proxy_command, run_proxy
from .report.files import write_json, write_junit
from .report.text import render_text
from .run.progress import Progress
from .run.session import run_suite

__all__ = ["main"]

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
    run.add_argument("--workspace-id", metavar="ID", help="pin the workspace_id path parameter")
    run.add_argument(
        "--seed", type=int, metavar="N", help="fixed by default: same seed, same cases"
    )
    run.add_argument(
        "--max-examples", type=int, metavar="N", help="generated cases per phase (100)"
    )
    run.add_argument("--workers", type=int, metavar="N", help="concurrent workers (1)")
    run.add_argument("--max-time", type=float, metavar="S", help="stop generating after S seconds")
    run.add_argument("--timeout", type=float, metavar="S",
                     help="seconds to wait for each answer (10)")  # fmt: skip
    run.add_argument("--rate-limit", type=rate_flag, metavar="N/s",
                     help="at most N requests a second (or /m, /h)")  # fmt: skip
    run.add_argument("--down-wait", type=float, metavar="S",
                     help="seconds to wait for a server that stopped answering (10)")  # fmt: skip
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
    run.add_argument("--auth", choices=AUTH_MODES, help="auth expectations (auto)")
    run.add_argument("--jwt-secret", metavar="S", help="the server's JWT secret: probe its auth")
    run.add_argument("--show-secrets", action="store_true", default=None,
                     help="do not mask credentials in reproducers")  # fmt: skip
    run.add_argument("-q", "--quiet", action="store_true",
                     help="no progress lines on stderr while it runs")  # fmt: skip
    add_diff_parser(commands)
    add_proxy_command(commands)
    add_prism_command(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        options = vars(_parser().parse_args(argv))
        command = options.pop("command")
        if command == "diff":
            return run_diff_command(options)
        if command == "proxy":
            return run_proxy(options)
        if command == "prism":
            return run_prism_command(options)
        quiet = options.pop("quiet")
        config = resolve_config(options)
        check_writable([config.junit_xml, config.report_json], [config.reproducers_dir])
        progress = None if quiet else Progress(sys.stderr, terminal=sys.stderr.isatty())
        report = run_suite(config, progress)
    except (_UsageError, KitError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
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
    return 0 if report.ok else 1
