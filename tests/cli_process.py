"""Start ``honcho-mock`` as a real process and read its announcement."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
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
                return self.url
        os.killpg(self.process.pid, signal.SIGKILL)
        _, err = self.process.communicate(timeout=10)
        raise AssertionError(f"honcho-mock did not announce itself: {err[-2000:]}")

    def stop(self, sig: int) -> tuple[int, str]:
        try:
            os.killpg(self.process.pid, sig)
            _, err = self.process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            _, err = self.process.communicate(timeout=20)
        return self.process.returncode, err
