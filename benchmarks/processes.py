"""Processes: servers in their own process groups, free ports, one request at a time.

Every child starts a new session, so stopping it signals its whole group (a server and
anything it forked), and an interrupted run still stops everything it started.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO

from .errors import BenchError

__all__ = ["HOST", "Spawned", "free_port", "run_to_end", "send", "stop_group"]

HOST = "127.0.0.1"
_STOP_GRACE_S = 5.0


def free_port(host: str = HOST) -> int:
    """A loopback port nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def stop_group(process: subprocess.Popen[bytes] | subprocess.Popen[str]) -> None:
    """SIGTERM to the process's group, SIGKILL if it is still there after a grace period."""
    for sig, grace in ((signal.SIGTERM, _STOP_GRACE_S), (signal.SIGKILL, _STOP_GRACE_S)):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            continue
        # The leader is gone; anything it forked into the group goes too.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        return


class Spawned:
    """A server process in its own session, its output in a log file."""

    def __init__(
        self, name: str, command: Sequence[str], *, log_path: Path, cwd: Path | None = None
    ) -> None:
        self.name = name
        self.command = list(command)
        self.log_path = log_path
        self._log: IO[bytes] = log_path.open("wb")
        self.started = time.perf_counter()
        try:
            self.process = subprocess.Popen(
                self.command,
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except OSError as exc:
            self._log.close()
            raise BenchError(
                f"cannot start {name} ({exc.strerror or exc})", where=self.command[0]
            ) from None

    @property
    def pid(self) -> int:
        return self.process.pid

    def exit_code(self) -> int | None:
        return self.process.poll()

    def log_tail(self, lines: int = 3) -> str:
        self._log.flush()
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return " / ".join(ln.strip() for ln in text.strip().splitlines()[-lines:])

    def stop(self) -> None:
        stop_group(self.process)
        self._log.close()


def run_to_end(command: Sequence[str], *, timeout: float) -> tuple[int, str, str]:
    """Run ``command`` in its own group to its end; its group dies with us if we stop early."""
    try:
        process = subprocess.Popen(
            list(command),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
    except OSError as exc:
        raise BenchError(f"cannot run {command[0]} ({exc.strerror or exc})") from None
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        stop_group(process)
        raise BenchError(f"{command[0]} did not finish in {timeout:.0f} s") from None
    finally:
        if process.poll() is None:
            stop_group(process)
    return process.returncode, out, err


def send(
    port: int,
    method: str,
    path: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    timeout: float = 10.0,
) -> int:
    """One request on a fresh connection to ``127.0.0.1:port``; the status it got."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=dict(headers))
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()
