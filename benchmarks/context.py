"""What every section shares: options, tools, the requests, and running a server under load.

The requests are golden cases (``fixtures/``), sent byte for byte with ``Authorization:
Bearer x`` added: Prism enforces the document's HTTPBearer scheme, the mock (auth off) and
the bare route ignore the header, so all three get identical bytes.
"""

from __future__ import annotations

import http.client
import os
import re
import resource
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from honcho_spec import GoldenCase, default_document_path, load_document, load_golden_cases

from .errors import BenchError
from .processes import HOST, Spawned, free_port, send
from .procfs import busy_cpu_seconds, tree_cpu_seconds, tree_rss_kb
from .servers import LogMode, Server, Tools, make_servers
from .wrk import HttpRequest, WrkResult, lua_script, run_wrk

__all__ = ["BODIES", "DISTURBED_CORES", "Bench", "LoadRun", "Options", "Probe", "Running"]

VALID_CASE = "trigger_dream/valid/minimal"
INVALID_CASE = "trigger_dream/invalid/several-errors"
BODIES = ("valid", "invalid")
BEARER = {"Authorization": "Bearer x"}
# A load run is skewed when other processes used more than this many cores while the
# machine was saturated (the server then did not have a core to itself).
DISTURBED_CORES = 0.25
SATURATED = 0.95
_START_TIMEOUT_S = 60.0
_POLL_S = 0.002


@dataclass(frozen=True)
class Options:
    threads: int = 2
    connections: int = 50
    duration: float = 10.0
    rounds: int = 3
    warmup: float = 1.0
    long_requests: int = 200_000
    startup_runs: int = 5
    skip_prism: bool = False
    mock_args: tuple[str, ...] = ()


@dataclass(frozen=True)
class Probe:
    """A request and the status every server must answer it with."""

    name: str
    request: HttpRequest
    status: int


@dataclass(frozen=True)
class LoadRun:
    """One wrk run, the server's CPU time per answer, and what else kept the machine busy."""

    result: WrkResult
    cpu_us_per_request: float  # the server's process tree
    other_cores: float  # CPU used meanwhile by processes other than the server and wrk
    busy: float = 0.0  # share of the machine's CPUs busy meanwhile, 0-1

    @property
    def disturbed(self) -> bool:
        return self.other_cores > DISTURBED_CORES and self.busy > SATURATED


@dataclass
class Running:
    server: Server
    mode: LogMode
    port: int
    startup_s: float
    spawned: Spawned

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"


def _probe(name: str, case: GoldenCase) -> Probe:
    headers = {**case.request_headers(), **BEARER}
    request = HttpRequest(case.method, case.path, headers, case.body or b"")
    return Probe(name, request, case.status)


def _route_template(path: str) -> str:
    """The document's path template that ``path`` matches."""
    document = load_document()
    for operation in document.operations:
        pattern = re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(operation.path))
        if re.fullmatch(pattern, path):
            return operation.path
    raise BenchError(f"no operation of the document serves {path}", where=document.source)


class Bench:
    """One run: the tools, the servers, the requests, and a scratch directory."""

    def __init__(self, options: Options, tools: Tools, workdir: Path) -> None:
        self.options = options
        self.tools = tools
        self.workdir = workdir
        cases = {case.name: case for case in load_golden_cases()}
        missing = [name for name in (VALID_CASE, INVALID_CASE) if name not in cases]
        if missing:
            raise BenchError(
                f"golden case {missing[0]} not found",
                fix="the benchmarks send it: restore it under fixtures/",
            )
        self.probes = {
            "valid": _probe(VALID_CASE, cases[VALID_CASE]),
            "invalid": _probe(INVALID_CASE, cases[INVALID_CASE]),
        }
        self.document = default_document_path()
        self.route = _route_template(self.probes["valid"].request.path)
        invalid_answer = workdir / "invalid-answer.json"
        invalid_answer.write_bytes(cases[INVALID_CASE].expected_body)
        self.servers = make_servers(
            tools,
            route=self.route,
            document=self.document,
            invalid_answer=invalid_answer,
            mock_args=options.mock_args,
        )
        self._scripts: dict[tuple[str, ...], Path] = {}
        self._spawns = 0
        self.loads = 0
        self.disturbed = 0  # load runs during which other processes kept the machine busy

    def server(self, key: str) -> Server | None:
        return next((s for s in self.servers if s.key == key), None)

    def progress(self, message: str) -> None:
        print(f"  {message}", file=sys.stderr, flush=True)

    def script(self, bodies: tuple[str, ...]) -> Path:
        """A wrk script sending ``bodies`` (in turn), written once per run."""
        path = self._scripts.get(bodies)
        if path is None:
            path = self.workdir / f"{'-'.join(bodies)}.lua"
            path.write_text(lua_script([self.probes[b].request for b in bodies]), encoding="utf-8")
            self._scripts[bodies] = path
        return path

    @contextmanager
    def serve(self, server: Server, mode: LogMode) -> Iterator[Running]:
        """``server`` started now, timed from spawn to its first answer (a 204 unless it
        answers every request otherwise); stopped on exit."""
        port = free_port()
        self._spawns += 1
        log = self.workdir / f"{self._spawns:02d}-{server.key}-{mode.key}.log"
        spawned = Spawned(server.label, server.command(port, mode), log_path=log, cwd=server.cwd)
        try:
            startup = self._first_answer(spawned, server, port)
            yield Running(server, mode, port, startup, spawned)
        finally:
            spawned.stop()

    def _first_answer(self, spawned: Spawned, server: Server, port: int) -> float:
        probe = self.probes["valid"]
        req = probe.request
        deadline = spawned.started + _START_TIMEOUT_S
        while True:
            code = spawned.exit_code()
            if code is not None:
                raise BenchError(
                    f"{spawned.name} exited with code {code} before answering: "
                    f"{spawned.log_tail() or 'no output'}",
                    where=" ".join(spawned.command),
                )
            try:
                status = send(port, req.method, req.path, req.headers, req.body)
            except (OSError, http.client.HTTPException):  # not listening yet
                status = None
            if status is not None:
                elapsed = time.perf_counter() - spawned.started
                self._expect(spawned.name, probe, status, self.expected(server, "valid"))
                return elapsed
            if time.perf_counter() > deadline:
                raise BenchError(
                    f"{spawned.name} did not answer within {_START_TIMEOUT_S:.0f} s",
                    where=" ".join(spawned.command),
                )
            time.sleep(_POLL_S)

    def check_answers(self, running: Running) -> None:
        """Every probe gets its expected status before any load is measured."""
        for body, probe in self.probes.items():
            req = probe.request
            status = send(running.port, req.method, req.path, req.headers, req.body)
            self._expect(running.server.label, probe, status, self.expected(running.server, body))

    def expected(self, server: Server, body: str) -> int:
        """The status ``server`` answers ``body`` with (a bare route: always its own)."""
        return self.probes[body].status if server.answers is None else server.answers

    @staticmethod
    def _expect(name: str, probe: Probe, status: int, expected: int) -> None:
        if status != expected:
            raise BenchError(
                f"{name} answered {status} to the golden case {probe.name} (expected {expected})",
                fix="a server that answers wrongly is not worth timing",
            )

    def load(
        self,
        running: Running,
        bodies: tuple[str, ...],
        seconds: float | None = None,
        *,
        warmup: bool = False,
    ) -> LoadRun:
        """wrk against ``running`` for ``seconds`` (default: the run's duration); a warm-up
        does not count among the load runs the report says were skewed."""
        opts = self.options
        pid = running.spawned.pid
        busy, server, children = busy_cpu_seconds(), tree_cpu_seconds(pid), _children_cpu()
        result = run_wrk(
            self.tools.wrk,
            running.url + self.probes[bodies[0]].request.path,
            self.script(bodies),
            threads=opts.threads,
            connections=opts.connections,
            seconds=opts.duration if seconds is None else seconds,
        )
        server = tree_cpu_seconds(pid) - server
        wrk = _children_cpu() - children
        busy = busy_cpu_seconds() - busy
        wall = result.duration_s
        run = LoadRun(
            result,
            server / result.requests * 1e6 if result.requests else 0.0,
            max(0.0, busy - server - wrk) / wall if wall > 0 else 0.0,
            busy / (wall * (os.cpu_count() or 1)) if wall > 0 else 0.0,
        )
        if not warmup:
            self.loads += 1
            self.disturbed += run.disturbed
        return run

    def unexpected(self, server: Server, bodies: tuple[str, ...], result: WrkResult) -> int:
        """Answers of the wrong class (>= 400 where ``server`` should answer < 400, and the
        reverse) plus socket errors; a mixed run counts socket errors only."""
        if len(bodies) != 1:
            return result.socket_errors
        if self.expected(server, bodies[0]) < 400:
            return result.socket_errors + result.status_errors
        return result.socket_errors + (result.requests - result.status_errors)

    @staticmethod
    def rss_kb(running: Running) -> int:
        return tree_rss_kb(running.spawned.pid)


def _children_cpu() -> float:
    """CPU time of this process's finished children (wrk, once waited for), in seconds."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
