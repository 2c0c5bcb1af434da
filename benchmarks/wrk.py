"""Drive wrk: a Lua script written at run time, and its one machine-readable result line.

The script's ``done`` hook prints ``@bench key=value ...`` (latencies in microseconds), so
nothing depends on the layout of wrk's human summary.

>>> result = parse_wrk_output(
...     "@bench requests=50000 duration_us=10000000 p50_us=9100 p99_us=14200"
...     " mean_us=9500 max_us=30000 connect=0 read=0 write=0 status=0 timeout=0\\n"
... )
>>> result.requests_per_second, result.p50_ms
(5000.0, 9.1)
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import BenchError
from .processes import run_to_end

__all__ = [
    "HttpRequest",
    "WrkResult",
    "lua_script",
    "lua_string",
    "parse_wrk_output",
    "run_wrk",
    "wrk_command",
]

MARKER = "@bench"
_FIELDS = (
    "requests",
    "duration_us",
    "p50_us",
    "p99_us",
    "mean_us",
    "max_us",
    "connect",
    "read",
    "write",
    "status",
    "timeout",
)
_PAIR = re.compile(r"(\w+)=(-?\d+(?:\.\d+)?)")

_DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "MARKER requests=%.0f duration_us=%.0f p50_us=%.0f p99_us=%.0f mean_us=%.0f max_us=%.0f"
    .. " connect=%.0f read=%.0f write=%.0f status=%.0f timeout=%.0f\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.mean, latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
""".replace("MARKER", MARKER, 1)


@dataclass(frozen=True)
class HttpRequest:
    """One request wrk sends, byte for byte."""

    method: str
    path: str
    headers: Mapping[str, str]
    body: bytes


@dataclass(frozen=True)
class WrkResult:
    """What one wrk run measured. ``status_errors`` counts answers with a status >= 400."""

    requests: int
    duration_s: float
    p50_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float
    socket_errors: int
    status_errors: int

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.duration_s if self.duration_s > 0 else 0.0


def lua_string(data: str | bytes) -> str:
    r"""A Lua string literal for ``data``: printable ASCII as is, every other byte as ``\ddd``.

    >>> print(lua_string('say "é"'))
    "say \034\195\169\034"
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    out = []
    for byte in raw:
        if 32 <= byte < 127 and byte not in (34, 92):  # not '"' nor '\'
            out.append(chr(byte))
        else:
            out.append(f"\\{byte:03d}")
    return '"' + "".join(out) + '"'


def _lua_headers(headers: Mapping[str, str]) -> str:
    items = ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in headers.items())
    return "{" + items + "}"


def lua_script(requests: Sequence[HttpRequest]) -> str:
    """A wrk script sending ``requests`` (one: the same every time; more: in turn)."""
    if not requests:
        raise ValueError("a wrk script needs at least one request")
    if len(requests) == 1:
        (req,) = requests
        lines = [
            f"wrk.method = {lua_string(req.method)}",
            f"wrk.path = {lua_string(req.path)}",
            f"wrk.body = {lua_string(req.body)}",
        ]
        lines += [f"wrk.headers[{lua_string(k)}] = {lua_string(v)}" for k, v in req.headers.items()]
        return "\n".join(lines) + "\n" + _DONE
    formats = "\n".join(
        f"  requests[{i}] = wrk.format({lua_string(r.method)}, {lua_string(r.path)}, "
        f"{_lua_headers(r.headers)}, {lua_string(r.body)})"
        for i, r in enumerate(requests, start=1)
    )
    return (
        "local requests = {}\n"
        "local turn = 0\n"
        f"init = function(args)\n{formats}\nend\n"
        "request = function()\n"
        "  turn = turn % #requests + 1\n"
        "  return requests[turn]\n"
        "end\n" + _DONE
    )


def parse_wrk_output(text: str) -> WrkResult:
    """The result from wrk's output (the ``@bench`` line the script's ``done`` printed)."""
    line = next((ln for ln in text.splitlines() if ln.startswith(MARKER + " ")), None)
    if line is None:
        raise BenchError(
            "wrk printed no result line",
            where="wrk",
            fix="check that the wrk on PATH runs Lua scripts (wrk 4.x)",
        )
    values = {key: float(value) for key, value in _PAIR.findall(line)}
    missing = [name for name in _FIELDS if name not in values]
    if missing:
        raise BenchError(f"wrk's result line lacks {', '.join(missing)}: {line!r}", where="wrk")
    return WrkResult(
        requests=int(values["requests"]),
        duration_s=values["duration_us"] / 1e6,
        p50_ms=values["p50_us"] / 1e3,
        p99_ms=values["p99_us"] / 1e3,
        mean_ms=values["mean_us"] / 1e3,
        max_ms=values["max_us"] / 1e3,
        socket_errors=int(values["connect"] + values["read"] + values["write"] + values["timeout"]),
        status_errors=int(values["status"]),
    )


def wrk_command(
    wrk: str, url: str, script: Path, *, threads: int, connections: int, seconds: float
) -> list[str]:
    """``wrk -tT -cC -dDs -s SCRIPT URL``."""
    return [
        wrk,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "-s",
        str(script),
        url,
    ]


def run_wrk(
    wrk: str, url: str, script: Path, *, threads: int, connections: int, seconds: float
) -> WrkResult:
    """Run wrk to its end (it stops by itself after ``seconds``) and parse its result."""
    command = wrk_command(
        wrk, url, script, threads=threads, connections=connections, seconds=seconds
    )
    code, out, err = run_to_end(command, timeout=seconds + 60)
    if code != 0:
        last = (err.strip() or out.strip()).splitlines()[-1:] or ["no output"]
        raise BenchError(f"wrk exited with code {code}: {last[0]}", where=" ".join(command))
    return parse_wrk_output(out)
