"""The tools a run needs and the servers it compares, as command lines.

Every server is started the same way (its own session, a free loopback port, output to a
log file) and answers the same requests; only its command line differs.
"""

from __future__ import annotations

import importlib.metadata
import json
import shutil
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import BenchError

__all__ = [
    "CONTROLS_OFF",
    "LOG_MODES",
    "NO_CONTROL",
    "ROOT",
    "LogMode",
    "Server",
    "Tools",
    "find_tools",
    "make_servers",
]

ROOT = Path(__file__).resolve().parent.parent
PRISM_BIN = ROOT / "node_modules" / ".bin" / "prism"
PRISM_PACKAGE = ROOT / "node_modules" / "@stoplight" / "prism-cli" / "package.json"
# FastAPI declaring Honcho's model: the kit's differential oracle, in a checkout's tests/.
ORACLE = ROOT / "tests" / "oracle" / "serve.py"
# the mock with every control off, served beside the mock as it starts by default
CONTROLS_OFF = "mock_controls_off"
NO_CONTROL = "--no-control"


@dataclass(frozen=True)
class LogMode:
    """One logging setting, the same for the mock and the bare route."""

    key: str
    label: str
    uvicorn_level: str
    prism_level: str


LOG_MODES = (
    LogMode("default", "access log on", "info", "info"),
    LogMode("quiet", "quiet", "warning", "silent"),
)


@dataclass(frozen=True)
class Tools:
    wrk: str
    honcho_mock: str
    python: str
    node: str | None = None
    prism: Path | None = None

    @property
    def prism_version(self) -> str:
        try:
            return str(json.loads(PRISM_PACKAGE.read_text(encoding="utf-8"))["version"])
        except (OSError, ValueError, KeyError):
            return "?"


@dataclass(frozen=True)
class Server:
    key: str
    label: str
    command: Callable[[int, LogMode], list[str]]
    cwd: Path | None = None
    answers: int | None = None  # the one status it answers every request with; None: it decides
    bodies: tuple[str, ...] = ("valid", "invalid")  # the requests it is loaded with

    @property
    def starts_with_204(self) -> bool:
        """Whether its start-up (spawn to first 204) is measured."""
        return self.answers in (None, 204)


def _version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def find_tools(*, with_prism: bool, which: Callable[[str], str | None] = shutil.which) -> Tools:
    """The tools on this machine, or a one-line error naming the missing one and its fix."""
    wrk = which("wrk")
    if wrk is None:
        raise BenchError("wrk not found on PATH", fix="install it: apt-get install wrk")
    beside = Path(sys.executable).parent / "honcho-mock"
    honcho_mock = str(beside) if beside.exists() else which("honcho-mock")
    if honcho_mock is None:
        raise BenchError(
            "honcho-mock not found beside this Python or on PATH",
            fix="install the kit: python3 -m pip install -e .",
        )
    if not with_prism:
        return Tools(wrk=wrk, honcho_mock=honcho_mock, python=sys.executable)
    node = which("node")
    if node is None:
        raise BenchError(
            "node not found on PATH (Prism runs on Node.js)",
            fix="install Node.js 18+ and run npm ci, or pass --skip-prism",
        )
    if not PRISM_BIN.exists():
        raise BenchError(
            "Prism is not installed",
            where=str(PRISM_BIN),
            fix=f"run npm ci in {ROOT}, or pass --skip-prism",
        )
    return Tools(
        wrk=wrk,
        honcho_mock=honcho_mock,
        python=sys.executable,
        node=node,
        prism=PRISM_BIN.resolve(),
    )


def make_servers(
    tools: Tools,
    *,
    route: str,
    document: Path,
    invalid_answer: Path | None = None,
    mock_args: Sequence[str] = (),
) -> list[Server]:
    """The mock (with ``mock_args`` added), the mock with its controls off (unless
    ``mock_args`` turn them off already), the bare route on ``route`` (a path template)
    answering 204 and, given ``invalid_answer`` (the mock's 422 bytes to the invalid request),
    answering those bytes, the oracle, and Prism on ``document``."""

    def mock_with(*args: str) -> Callable[[int, LogMode], list[str]]:
        def command(port: int, mode: LogMode) -> list[str]:
            level = ["--log-level", mode.uvicorn_level]
            return [tools.honcho_mock, "--port", str(port), *level, *args]

        return command

    def bare(*answer: str) -> Callable[[int, LogMode], list[str]]:
        def command(port: int, mode: LogMode) -> list[str]:
            return [
                tools.python,
                "-m",
                "benchmarks.bare_app",
                "--port",
                str(port),
                "--path",
                route,
                "--log-level",
                mode.uvicorn_level,
                *answer,
            ]

        return command

    servers = [Server("mock", " ".join(["honcho-mock", *mock_args]), mock_with(*mock_args))]
    if NO_CONTROL not in mock_args:
        # the same mock, the same requests, with no journal, no Prefer and no runtime control:
        # what the controls cost a request while nothing is set
        off = (*mock_args, NO_CONTROL)
        servers.append(Server(CONTROLS_OFF, " ".join(["honcho-mock", *off]), mock_with(*off)))
    servers.append(
        Server("bare", "bare Starlette 204", bare(), cwd=ROOT, answers=204, bodies=("valid",))
    )
    if invalid_answer is not None:
        answer_422 = bare("--status", "422", "--body-file", str(invalid_answer))
        servers.append(
            Server(
                "bare_422",
                "bare Starlette 422 (same bytes)",
                answer_422,
                cwd=ROOT,
                answers=422,
                bodies=("invalid",),
            )
        )
    fastapi = _version("fastapi")
    if fastapi is not None and ORACLE.is_file():

        def framework(port: int, mode: LogMode) -> list[str]:
            level = ["--log-level", mode.uvicorn_level]
            return [tools.python, "-m", "tests.oracle.serve", "--port", str(port), *level]

        servers.append(Server("fastapi", f"FastAPI {fastapi} (oracle)", framework, cwd=ROOT))
    if tools.node is not None and tools.prism is not None:
        node, prism = tools.node, str(tools.prism)

        def prism_mock(port: int, mode: LogMode) -> list[str]:
            return [
                node,
                prism,
                "mock",
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "-v",
                mode.prism_level,
                str(document),
            ]

        servers.append(Server("prism", f"Prism {tools.prism_version} mock", prism_mock))
    return servers
