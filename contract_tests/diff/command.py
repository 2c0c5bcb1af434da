"""The ``diff`` subcommand of ``honcho-contract``: its options and what it prints.

    honcho-contract diff --a URL --b URL [--token-a T] [--token-b T] [--seed N]
        [--max-examples N] [--ignore-header H] [--workers N] [--timeout S]
        [--workspace-id ID] [--spec PATH] [--report-json PATH] [--down-wait S]
        [--max-time S] [--max-answer-size SIZE]

Exit 0: the servers agree; 1: they disagree, or one stopped answering (the report written);
2: a usage error or a server never reached (raised as a :class:`~honcho_spec.KitError` for
the command line's one-line error path).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..config import check_writable
from ..errors import SuiteError
from ..options import size_flag
from .compare import COMPARED_HEADERS
from .engine import DiffConfig, run_diff
from .render import render_diff, write_diff_json

__all__ = ["add_diff_parser", "run_diff_command"]


def add_diff_parser(commands: argparse._SubParsersAction[Any]) -> None:
    diff = commands.add_parser("diff", help="send the same requests to two servers, compare")
    diff.add_argument("--a", required=True, metavar="URL", help="one server")
    diff.add_argument("--b", required=True, metavar="URL", help="the other server")
    diff.add_argument("--token-a", metavar="T", help="sent to a as 'Authorization: Bearer T'")
    diff.add_argument("--token-b", metavar="T", help="sent to b as 'Authorization: Bearer T'")
    diff.add_argument(
        "--seed", type=int, metavar="N", help="fixed by default: same seed, same requests"
    )
    diff.add_argument("--max-examples", type=int, metavar="N",
                      help="generated cases per mode, positive and negative (100)")  # fmt: skip
    diff.add_argument("--ignore-header", action="append", metavar="H", default=[],
                      help=f"do not compare H (one of {', '.join(COMPARED_HEADERS)}); "
                      "repeatable")  # fmt: skip
    diff.add_argument("--workers", type=int, metavar="N", help="requests in flight at once (1)")
    diff.add_argument("--timeout", type=float, metavar="S",
                      help="seconds for each whole answer, headers and body (10)")  # fmt: skip
    diff.add_argument("--max-time", type=float, metavar="S",
                      help="send no request after S seconds; report what was compared")  # fmt: skip
    diff.add_argument("--max-answer-size", type=size_flag, metavar="SIZE",
                      help="read at most SIZE of each answer (8MiB)")  # fmt: skip
    diff.add_argument("--down-wait", type=float, metavar="S",
                      help="seconds to wait for a server that stopped answering (10)")  # fmt: skip
    diff.add_argument("--workspace-id", metavar="ID",
                      help="send every request to this workspace (servers that keep "
                      "workspaces in a database)")  # fmt: skip
    diff.add_argument("--spec", dest="spec_path", type=Path, metavar="PATH",
                      help="the operation found in another FastAPI document")  # fmt: skip
    diff.add_argument("--report-json", type=Path, metavar="PATH", help="write a JSON report")


def run_diff_command(options: dict[str, Any]) -> int:
    """Run a diff from parsed options, print it, write the report; the exit code."""
    ignored = frozenset(name.lower() for name in options.pop("ignore_header"))
    given = {name: value for name, value in options.items() if value is not None}
    config = DiffConfig(ignore_headers=ignored, **given)
    check_writable([config.report_json])  # before any request: its folder made if missing
    report = run_diff(config)
    print(render_diff(report))
    if config.report_json is not None:
        try:
            write_diff_json(report, config.report_json)
        except OSError as exc:
            raise SuiteError(
                f"cannot write the report ({exc.strerror}: {exc.filename})",
                fix="pass a --report-json path in a writable directory",
            ) from None
    return 0 if report.ok else 1
