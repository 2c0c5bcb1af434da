"""Commands run as processes side by side, each measured as its parent sees it.

A test that runs the kit against many servers pays for each process mostly in waiting (on a
bound, on a slow server) and in starting: side by side, in the background, they cost about
the longest one. :func:`start` hands the commands to a launcher, this file run as a script,
which starts them and waits for each with ``os.wait4``: that child's own peak RSS, as the
kernel keeps it. The launcher is a process of its own because a child's peak counts the
image it was forked from until its ``exec`` (Linux keeps the larger): forked from a test
process that holds servers and hundreds of MB, every child would measure that much. The
launcher imports nothing but the standard library, so its children start from a few MB.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Batch", "Command", "Done", "start"]


@dataclass(frozen=True)
class Command:
    argv: Sequence[str]
    cwd: Path


@dataclass(frozen=True)
class Done:
    """How a command ended: exit code (negative: killed by that signal), wall time, peak
    RSS in KiB, CPU seconds (user and system), and what it wrote (UTF-8, strictly: the kit
    writes nothing else, whatever a server sent)."""

    code: int
    seconds: float
    max_rss_kib: int
    cpu_seconds: float
    out: str
    err: str


class Batch:
    """Commands under way in the launcher; :meth:`results` waits for them all."""

    def __init__(self, commands: Sequence[Command], *, at_once: int, timeout: float) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="side-by-side-")
        order = {"commands": [{"argv": list(c.argv), "cwd": str(c.cwd)} for c in commands],
                 "at_once": at_once, "timeout": timeout, "folder": self._folder.name}  # fmt: skip
        self._launcher = subprocess.Popen([sys.executable, __file__], stdin=subprocess.PIPE,
                                          stdout=subprocess.PIPE, text=True)  # fmt: skip
        assert self._launcher.stdin is not None
        self._launcher.stdin.write(json.dumps(order))
        self._launcher.stdin.close()
        self._results: list[Done] | None = None

    def results(self) -> list[Done]:
        """Each command's outcome, in the commands' order."""
        if self._results is None:
            assert self._launcher.stdout is not None
            out = self._launcher.stdout.read()
            assert self._launcher.wait() == 0, "the launcher failed"
            self._results = [_done(entry) for entry in json.loads(out)]
            self._folder.cleanup()
        return self._results

    def close(self) -> None:
        """Stop the launcher and its commands if they are still under way."""
        if self._launcher.poll() is None:
            self._launcher.kill()  # its children are killed past their timeout regardless
            self._launcher.wait(10)
        if self._launcher.stdout is not None:
            self._launcher.stdout.close()
        self._folder.cleanup()


def start(commands: Sequence[Command], *, at_once: int, timeout: float) -> Batch:
    """Start ``commands``, ``at_once`` at a time, each killed past ``timeout`` seconds."""
    return Batch(commands, at_once=at_once, timeout=timeout)


def _done(entry: dict[str, Any]) -> Done:
    return Done(
        code=entry["code"],
        seconds=entry["seconds"],
        max_rss_kib=entry["max_rss_kib"],
        cpu_seconds=entry["cpu_seconds"],
        out=Path(entry["out"]).read_bytes().decode("utf-8"),
        err=Path(entry["err"]).read_bytes().decode("utf-8"),
    )


# --- the launcher -----------------------------------------------------------------------


def _launch(order: dict[str, Any]) -> list[dict[str, Any]]:
    commands, folder = order["commands"], Path(order["folder"])
    waiting = list(enumerate(commands))
    running: dict[int, tuple[subprocess.Popen[bytes], float]] = {}
    done: dict[int, dict[str, Any]] = {}
    while waiting or running:
        while waiting and len(running) < order["at_once"]:
            index, command = waiting.pop(0)
            # files, not pipes: a process that fills a pipe nobody reads yet would stall
            out, err = folder / f"{index}.out", folder / f"{index}.err"
            with out.open("wb") as stdout, err.open("wb") as stderr:
                process = subprocess.Popen(command["argv"], cwd=command["cwd"],
                                           stdin=subprocess.DEVNULL, stdout=stdout,
                                           stderr=stderr)  # fmt: skip
            running[index] = (process, time.monotonic())
        for index, (process, started) in list(running.items()):
            if time.monotonic() - started > order["timeout"]:
                process.kill()
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid == 0:
                continue
            process.returncode = os.waitstatus_to_exitcode(status)  # reaped here
            done[index] = {
                "code": process.returncode,
                "seconds": time.monotonic() - started,
                "max_rss_kib": usage.ru_maxrss,
                "cpu_seconds": usage.ru_utime + usage.ru_stime,
                "out": str(folder / f"{index}.out"),
                "err": str(folder / f"{index}.err"),
            }
            del running[index]
        time.sleep(0.02)
    return [done[index] for index in range(len(commands))]


if __name__ == "__main__":
    print(json.dumps(_launch(json.load(sys.stdin))))
