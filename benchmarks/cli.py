"""``python -m benchmarks``: run every section, print one Markdown report with verdicts.

Progress goes to stderr, the report to stdout. A missing tool, a server that does not
start, or a wrong answer is one line on stderr and exit code 2; Ctrl-C (or SIGTERM) stops
every process the run started and exits 130. Targets are reported, never enforced: the
exit code is 0 whether they hold or not.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import importlib.util
import os
import platform
import signal
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType
from typing import NoReturn

from honcho_spec import KitError

from .context import DISTURBED_CORES, Bench, Options
from .errors import BenchError
from .processes import run_to_end
from .report import Outcome, render_outcome
from .results import Run, record, write
from .sections import SECTIONS
from .servers import Tools, find_tools

__all__ = ["main", "parser"]

PROG = "python -m benchmarks"
USAGE_ERROR = 2
INTERRUPTED = 130


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _UsageError(f"{message} (see {self.prog} --help)")


def _number(kind: Callable[[str], float], minimum: float) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{text!r} is below {minimum:g}")
        return value

    return parse


def _parser() -> argparse.ArgumentParser:
    keys = [s.key for s in SECTIONS]
    parser = _Parser(
        prog=PROG,
        description="Measure honcho-mock beside a bare Starlette route and Prism (wrk "
        "throughput and latency, start-up, memory) and print the figures with the anchors "
        "and the targets.",
    )
    defaults = Options()
    parser.add_argument(
        "--duration",
        metavar="SECONDS",
        type=_number(float, 1),
        default=defaults.duration,
        help="seconds of wrk per measured row (%(default)s)",
    )
    parser.add_argument(
        "--rounds",
        metavar="N",
        type=_number(int, 1),
        default=defaults.rounds,
        help="rounds of the load section; each figure is the median (%(default)s)",
    )
    parser.add_argument(
        "--warmup",
        metavar="SECONDS",
        type=_number(float, 0),
        default=defaults.warmup,
        help="seconds of wrk per body before measuring (%(default)s)",
    )
    parser.add_argument(
        "--threads",
        metavar="N",
        type=_number(int, 1),
        default=defaults.threads,
        help="wrk threads (%(default)s)",
    )
    parser.add_argument(
        "--connections",
        metavar="N",
        type=_number(int, 1),
        default=defaults.connections,
        help="wrk connections (%(default)s)",
    )
    parser.add_argument(
        "--requests",
        metavar="N",
        dest="long_requests",
        type=_number(int, 0),
        default=defaults.long_requests,
        help="requests in the mock's long memory run (%(default)s)",
    )
    parser.add_argument(
        "--startup-runs",
        metavar="N",
        type=_number(int, 1),
        default=defaults.startup_runs,
        help="starts per server for the start-up median (%(default)s)",
    )
    parser.add_argument(
        "--skip-prism", action="store_true", help="leave Prism out (no node or npm ci needed)"
    )
    parser.add_argument(
        "--mock-arg",
        dest="mock_args",
        metavar="ARG",
        action="append",
        default=[],
        help="add ARG to the mock's command line (repeatable; --mock-arg=--no-control)",
    )
    parser.add_argument(
        "--results",
        metavar="DIR",
        type=Path,
        help="also write the run's results as data, DIR/<UTC time>.json (tox -e bench: "
        "benchmarks/results, which the documentation's benchmarks page renders)",
    )
    parser.add_argument(
        "--only",
        metavar="SECTION",
        action="append",
        choices=keys,
        help=f"run only this section (repeatable): {', '.join(keys)}",
    )
    return parser


def parser() -> argparse.ArgumentParser:
    """The command's parser (the documentation's reference is made from it)."""
    return _parser()


def _interrupt(_sig: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _first_line(command: Sequence[str]) -> str:
    try:
        _, out, err = run_to_end(command, timeout=30)
    except BenchError:
        return "?"
    lines = (out or err).strip().splitlines()
    return lines[0] if lines else "?"


def _machine(tools: Tools) -> dict[str, str]:
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    machine = {
        "cores": str(len(os.sched_getaffinity(0))),
        "python": platform.python_version(),
        "uvicorn": f"{importlib.metadata.version('uvicorn')} (http {http}, loop {loop})",
        "starlette": importlib.metadata.version("starlette"),
        "wrk": _first_line([tools.wrk, "--version"]),
    }
    if tools.node is not None:
        machine["node"] = _first_line([tools.node, "--version"])
        machine["prism"] = tools.prism_version
    return machine


def _header(when: str, machine: dict[str, str], command: str) -> str:
    lines = [
        "## honcho-mock benchmarks",
        "",
        f"- {when}; {machine['cores']} cores (nproc); load average {_load()} at the start",
        f"- Python {machine['python']}, uvicorn {machine['uvicorn']}, "
        f"starlette {machine['starlette']}; {machine['wrk']}",
    ]
    if "node" in machine:
        lines.append(f"- node {machine['node']}, Prism {machine['prism']}")
    lines.append(f"- command: {command}")
    return "\n".join(lines)


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    signals = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {sig: signal.signal(sig, _interrupt) for sig in signals}
    try:
        opts = vars(_parser().parse_args(args))
        only = opts.pop("only") or [s.key for s in SECTIONS]
        results: Path | None = opts.pop("results")
        options = Options(**{**opts, "mock_args": tuple(opts["mock_args"])})
        tools = find_tools(with_prism=not options.skip_prism)
        now = datetime.datetime.now(datetime.UTC)
        when, machine = now.strftime("%Y-%m-%d %H:%M UTC"), _machine(tools)
        command = f"{PROG} {' '.join(args)}".rstrip()
        header = _header(when, machine, command)
        outcomes: dict[str, tuple[str, Outcome]] = {}
        with tempfile.TemporaryDirectory(prefix="honcho-bench-") as workdir:
            bench = Bench(options, tools, Path(workdir))
            for section in SECTIONS:
                if section.key in only:
                    print(f"{section.title} ...", file=sys.stderr, flush=True)
                    outcomes[section.key] = (section.title, section.run(bench))
        merged = Outcome(
            tables=tuple(t for _, o in outcomes.values() for t in o.tables),
            checks=tuple(c for _, o in outcomes.values() for c in o.checks),
        )
        footer = f"- load average {_load()} at the end"
        if bench.disturbed:
            footer += (
                f"; other processes took more than {DISTURBED_CORES} cores of a saturated "
                f"machine during {bench.disturbed} of {bench.loads} load runs, whose figures "
                "are skewed: run again on a quiet machine"
            )
        print(f"{header}\n{footer}\n\n{render_outcome(merged)}")
        if results is not None:
            notes = (footer[2:],) if bench.disturbed else ()
            data = record(Run(when, machine, command, notes=notes), outcomes)
            print(f"results: {write(results, data, now)}", file=sys.stderr)
    except _UsageError as exc:
        return _fail(str(exc))
    except KitError as exc:
        return _fail(str(exc))
    except OSError as exc:  # the scratch directory, /proc, a pipe: say which, no traceback
        return _fail(f"{exc.strerror or exc} ({exc.filename or type(exc).__name__})")
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted; every process it started is stopped", file=sys.stderr)
        return INTERRUPTED
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0


def _fail(message: str) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return USAGE_ERROR
