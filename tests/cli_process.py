"""Start ``honcho-mock`` as a real process and read its announcement."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

LISTENING = re.compile(r"^listening on (http://\S+)$")


def console_script(name: str, bin_dir: Path | None = None) -> str:
    return str((bin_dir or Path(sys.executable).parent) / name)


class MockProcess:
    """``honcho-mock ARGS`` in its own process; ``url`` once it announced itself."""

    def __init__(
        self,
        command: Sequence[str],
        *,
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        full_env = {**os.environ, **(env or {})}
        self.process = subprocess.Popen(
            command,
            cwd=cwd,
            env=full_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # a shell and its child get the signal together
        )
        self.url = ""
        self._drains: list[threading.Thread] = []
        self._err: list[str] = []

    def wait_listening(self, timeout: float = 120) -> str:
        assert self.process.stdout is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            match = LISTENING.match(line.strip())
            if match:
                self.url = match.group(1)
                self._drain()
                return self.url
        os.killpg(self.process.pid, signal.SIGKILL)
        _, err = self.process.communicate(timeout=10)
        raise AssertionError(f"honcho-mock did not announce itself: {err[-2000:]}")

    def _drain(self) -> None:
        """Read what the server writes from now on (its access log above all): a pipe
        nobody reads fills up, and the server blocks on its next line."""
        out, err = self.process.stdout, self.process.stderr
        assert out is not None
        assert err is not None
        self._drains = [
            threading.Thread(target=out.read, daemon=True),
            threading.Thread(target=lambda: self._err.append(err.read()), daemon=True),
        ]
        for drain in self._drains:
            drain.start()

    def stop(self, sig: int) -> tuple[int, str]:
        if self._drains:  # the pipes are the drains' to read
            os.killpg(self.process.pid, sig)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=20)
            for drain in self._drains:
                drain.join(10)
            for pipe in (self.process.stdout, self.process.stderr):
                if pipe is not None:
                    pipe.close()
            return self.process.returncode, "".join(self._err)
        try:
            os.killpg(self.process.pid, sig)
            _, err = self.process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            _, err = self.process.communicate(timeout=20)
        return self.process.returncode, err
