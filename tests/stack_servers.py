"""Start one of the independent stack servers in ``tests/stacks/`` as a real process.

Each server prints ``listening on http://HOST:PORT`` once it listens (``--port 0`` picks a
free port) and takes ``--bug NAME`` (repeatable) to plant one of the bugs its header lists.
Python servers run on ``sys.executable``; node servers on the ``node`` found on PATH, from
the repository's root so that ``node_modules`` is found; the Go and Java servers are built
first, once, into a cache outside the repository (:mod:`stack_builds`).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from stack_builds import StackUnavailableError, go_binary, java_command

__all__ = ["SCRIPTS", "StackServer", "StackUnavailableError", "command_for", "stack_server"]

ROOT = Path(__file__).resolve().parent.parent
STACKS = ROOT / "tests" / "stacks"
LISTENING = re.compile(r"^listening on (http://\S+)$")
START_TIMEOUT = 20.0

# stack name -> (source, runtime): "python" runs on sys.executable, "node" on PATH's node,
# "go" and "java" are built by PATH's go and javac.
SCRIPTS = {
    "aiohttp": ("aiohttp_server.py", "python"),
    "express": ("express_server.js", "node"),
    "fastify": ("fastify_server.js", "node"),
    "flask": ("flask_server.py", "python"),
    "go": ("go_server.go", "go"),
    "java": ("TriggerDreamServer.java", "java"),
}


def command_for(stack: str, args: Sequence[str] = ()) -> list[str]:
    script, runtime = SCRIPTS[stack]
    path = STACKS / script
    if not path.is_file():
        raise StackUnavailableError(f"{path.relative_to(ROOT)} does not exist")
    if runtime == "node":
        node = shutil.which("node")
        if node is None:
            raise StackUnavailableError(
                f"node is not on PATH: install Node.js to run the {stack} stack"
            )
        return [node, str(path), *args]
    if runtime == "go":
        return [str(go_binary(path)), *args]
    if runtime == "java":
        return [*java_command(path), *args]
    return [sys.executable, str(path), *args]


class StackServer:
    """One stack server in its own process group; ``url`` once it announced itself."""

    def __init__(self, stack: str, bugs: Sequence[str] = (), args: Sequence[str] = ()) -> None:
        self.stack = stack
        argv = ["--host", "127.0.0.1", "--port", "0", *args]
        for bug in bugs:
            argv += ["--bug", bug]
        self.command = command_for(stack, argv)
        # stderr goes to a file: a chatty server never blocks on a full pipe.
        self._stderr = tempfile.TemporaryFile(mode="w+b")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
            start_new_session=True,
        )
        self.url = ""
        self._stderr_text = ""
        self._reader: threading.Thread | None = None

    def wait_listening(self, timeout: float = START_TIMEOUT) -> str:
        """The announced URL; fails (with the server's stderr) after ``timeout`` seconds."""
        found: list[str] = []
        stdout = self.process.stdout
        assert stdout is not None

        def read() -> None:
            for line in stdout:
                match = LISTENING.match(line.strip())
                if match:
                    found.append(match.group(1))
                    break
            # keep draining so the server never blocks on stdout
            for _ in stdout:
                pass

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        self._reader = reader
        deadline = time.monotonic() + timeout
        while not found and time.monotonic() < deadline and self.process.poll() is None:
            time.sleep(0.02)
        if not found:
            time.sleep(0.1)  # a line printed just before exiting
        if not found:
            code = self.process.poll()
            err = self.stop()
            state = "did not announce itself" if code is None else f"exited with {code}"
            raise AssertionError(
                f"{self.stack} server {state} within {timeout:.0f} s "
                f"({' '.join(self.command)}):\n{err[-3000:]}"
            )
        self.url = found[0]
        return self.url

    def stop(self) -> str:
        """SIGTERM, then SIGKILL after 5 s; the server's stderr."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
            except ProcessLookupError:
                self.process.wait(timeout=10)
        if self._reader is not None:
            self._reader.join(timeout=5)  # it reads to EOF now that the process is gone
        reader_done = self._reader is None or not self._reader.is_alive()
        if self.process.stdout is not None and reader_done:
            self.process.stdout.close()
        if not self._stderr.closed:
            self._stderr.seek(0)
            self._stderr_text = self._stderr.read().decode("utf-8", "replace")
            self._stderr.close()
        return self._stderr_text

    def stderr(self) -> str:
        """What the server wrote on stderr so far."""
        if self._stderr.closed:
            return self._stderr_text
        # pread: the server shares this file's offset, so it must not move
        fd = self._stderr.fileno()
        return os.pread(fd, os.fstat(fd).st_size, 0).decode("utf-8", "replace")


@contextmanager
def stack_server(
    stack: str, bugs: Sequence[str] = (), args: Sequence[str] = ()
) -> Iterator[StackServer]:
    """A running stack server (``server.url``) with ``bugs`` planted, stopped at the end."""
    server = StackServer(stack, bugs, args)
    try:
        server.wait_listening()
        yield server
    finally:
        server.stop()
