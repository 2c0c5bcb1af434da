"""The ``merge`` subcommand of ``honcho-contract``: shards' reports as one run's.

    honcho-contract merge REPORT.json... [--junit-xml PATH] [--report-json PATH]

Prints the merged report as ``run`` prints one. Exit 0: the shards together found no
violation; 1: they did; 2: reports that are not the shards of one run (one line).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..config import check_writable
from ..errors import SuiteError
from .files import write_json, write_junit
from .merge import merge_reports, read_report
from .text import render_text

__all__ = ["add_merge_parser", "run_merge_command"]


def add_merge_parser(commands: argparse._SubParsersAction[Any]) -> None:
    merge = commands.add_parser("merge", help="merge the JSON reports of a run's shards")
    merge.add_argument("reports", nargs="+", type=Path, metavar="REPORT.json",
                       help="a report each shard wrote with --report-json")  # fmt: skip
    merge.add_argument("--junit-xml", type=Path, metavar="PATH", help="write a JUnit XML report")
    merge.add_argument("--report-json", type=Path, metavar="PATH", help="write a JSON report")


def run_merge_command(options: dict[str, Any]) -> int:
    """Merge, print, write the reports asked for; the exit code of the whole run."""
    junit, json_path = options["junit_xml"], options["report_json"]
    check_writable([junit, json_path])
    merged = merge_reports([(path, read_report(path)) for path in options["reports"]])
    print(render_text(merged))
    try:
        if junit is not None:
            write_junit(merged, junit)
        if json_path is not None:
            write_json(merged, json_path)
    except OSError as exc:
        raise SuiteError(f"cannot write the report ({exc.strerror}: {exc.filename})") from None
    return 0 if merged.ok else 1
