"""Drive Stoplight Prism as a subprocess: find it, start it on a loopback port, stop it.

Prism runs in its own process group, so stopping it ends Node and every child it forked.
Its log is kept line by line (and handed to ``on_line`` as it arrives).

>>> with Prism.mock(document_path) as prism:  # doctest: +SKIP
...     httpx.post(prism.url + "/v2/workspaces/ws-1/trigger_dream", json={...})
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from ..config import from_environment
from ..errors import SuiteError

__all__ = [
    "CHECKOUT",
    "LISTENING",
    "PRISM_BIN",
    "Prism",
    "PrismError",
    "find_prism",
    "free_port",
    "prism_home",
]

CHECKOUT = Path(__file__).resolve().parents[2]  # the kit's checkout (with package.json)
LISTENING = "Prism is listening on"
PRISM_BIN = Path("node_modules") / ".bin" / "prism"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_FATAL = re.compile(r"\bfatal\s+(.+)")
_ERROR = re.compile(r"^(?:Error: )?(.*\b(?:Error|EADDRINUSE|EACCES)\b.*)")
_START_ATTEMPTS = 3  # a free port can be taken between picking it and Prism binding it


class PrismError(SuiteError):
    """Prism (or Node.js, which runs it) is missing, or Prism does not start."""


def find_prism(
    explicit: str | Path | None = None,
    *,
    cwd: Path | None = None,
    which: Callable[[str], str | None] = shutil.which,
    environ: Mapping[str, str] | None = None,
) -> Path:
    """The Prism executable: ``explicit`` (or ``HONCHO_CONTRACT_PRISM``), else
    ``node_modules/.bin/prism`` under ``cwd``, the kit's checkout or the cache
    ``honcho-contract prism install`` fills, else ``prism`` on PATH. Raises
    :class:`PrismError` that says how to install what is missing."""
    if explicit is None:
        explicit = from_environment("prism", environ)
    found: Path | None = None
    if explicit is not None:
        found = Path(explicit)
        if not found.is_file():
            raise PrismError("no Prism executable here", where=str(found), fix=_hint(which))
    else:
        bases = (cwd or Path.cwd(), CHECKOUT, prism_home(environ))
        local = [base / PRISM_BIN for base in bases]
        on_path = which("prism")
        found = next((path for path in local if path.is_file()), None)
        found = found or (Path(on_path) if on_path else None)
    if found is None:
        raise PrismError("Prism is not installed", where=str(CHECKOUT / PRISM_BIN),
                         fix=_hint(which))  # fmt: skip
    if _runs_on_node(found) and which("node") is None:
        raise PrismError("Node.js not found on PATH (Prism runs on it)", where=str(found),
                         fix=_hint(which))  # fmt: skip
    return found


def prism_home(environ: Mapping[str, str] | None = None) -> Path:
    """Where ``honcho-contract prism install`` puts Prism, and where the kit looks for it:
    ``$HONCHO_CONTRACT_PRISM_HOME``, else ``$XDG_CACHE_HOME`` (or ``~/.cache``)
    ``/honcho-contract-kit/prism``.

    >>> prism_home({"HONCHO_CONTRACT_PRISM_HOME": "/opt/prism"})
    PosixPath('/opt/prism')
    >>> prism_home({"XDG_CACHE_HOME": "/c"})
    PosixPath('/c/honcho-contract-kit/prism')
    """
    env = os.environ if environ is None else environ
    explicit = from_environment("prism_home", env)
    if explicit is not None:
        return Path(explicit)
    cache = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "honcho-contract-kit" / "prism"


def _runs_on_node(path: Path) -> bool:
    # npm installs Prism as a script (#!/usr/bin/env node); its release binaries bring Node.
    try:
        with path.open("rb") as file:
            first = file.readline(200)
    except OSError:
        return False
    return first.startswith(b"#!") and b"node" in first


def _hint(which: Callable[[str], str | None]) -> str:
    missing = [tool for tool in ("node", "npm") if which(tool) is None]
    first = "install Node.js 20+ with npm, then " if missing else ""
    return f"{first}run honcho-contract prism install, or pass --prism PATH"


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on now (Prism cannot be given port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


class Prism:
    """One Prism process: ``prism ARGS -h HOST -p PORT``, started by :meth:`start` or ``with``.

    ``port=0`` picks a free port. ``log`` holds every line Prism wrote (ANSI codes removed).
    """

    def __init__(
        self,
        args: Sequence[str],
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        executable: str | Path | None = None,
        startup_timeout: float = 30.0,
        on_line: Callable[[str], None] | None = None,
    ) -> None:
        self.args = list(args)
        self.host = host
        self.port = port
        self.executable = find_prism(executable)
        self.startup_timeout = startup_timeout
        self.on_line = on_line
        self.log: list[str] = []
        self._process: subprocess.Popen[str] | None = None
        self._reader: threading.Thread | None = None
        self._ready = threading.Event()
        self._listening = False

    @classmethod
    def mock(cls, document: str | Path, **options: Any) -> Prism:
        """``prism mock DOCUMENT``: answers from the document alone."""
        return cls(["mock", str(document)], **options)

    @classmethod
    def proxy(cls, document: str | Path, upstream: str, *, errors: bool = False,
              **options: Any) -> Prism:  # fmt: skip
        """``prism proxy DOCUMENT UPSTREAM``: forwards to ``upstream`` and validates both ways.

        With ``errors``, Prism answers invalid requests itself (422) and replaces a response
        that breaks the document with a 500; without, traffic passes and violations are logged.
        """
        flags = ["--errors"] if errors else []
        return cls(["proxy", str(document), upstream, *flags], **options)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def pid(self) -> int | None:
        """Prism's process id, which is also its process group's."""
        return self._process.pid if self._process is not None else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> Prism:
        """Start Prism and wait until it listens; raises :class:`PrismError` if it does not."""
        pick = self.port == 0
        for attempt in range(1, _START_ATTEMPTS + 1):
            if pick:
                self.port = free_port(self.host)
            if self._launch():
                return self
            if not (pick and attempt < _START_ATTEMPTS and self._port_was_taken()):
                break
        raise PrismError(
            f"Prism did not start ({self._last_words()})",
            where=" ".join([str(self.executable), *self._command_args()]),
            fix="check the document and that the port is free",
        )

    def _command_args(self) -> list[str]:
        return [*self.args, "-h", self.host, "-p", str(self.port)]

    def _launch(self) -> bool:
        self.log.clear()
        self._ready.clear()
        self._listening = False
        env = {**os.environ, "FORCE_COLOR": "0", "NO_COLOR": "1"}
        self._process = subprocess.Popen(
            [str(self.executable), *self._command_args()],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            errors="replace",
            env=env,
            start_new_session=True,  # its own process group: stop() ends Node and its children
        )
        self._reader = threading.Thread(
            target=self._read, args=(self._process.stdout,), daemon=True, name="prism-log"
        )
        self._reader.start()
        self._ready.wait(self.startup_timeout)
        if self._listening and self.running:
            return True
        self.stop()
        return False

    def _read(self, stream: IO[str]) -> None:
        for raw in stream:
            line = _ANSI.sub("", raw.rstrip("\n"))
            self.log.append(line)
            if LISTENING in line:
                self._listening = True
                self._ready.set()
            if self.on_line is not None:
                self.on_line(line)
        self._ready.set()  # Prism exited: nobody waits any longer

    def _port_was_taken(self) -> bool:
        return any("EADDRINUSE" in line for line in self.log)

    def _last_words(self) -> str:
        """Why Prism stopped: its fatal line, else its first error, else its last line."""
        text = [line.strip() for line in self.log if line.strip()]
        for pattern in (_FATAL, _ERROR):
            found = next((m.group(1) for m in map(pattern.search, text) if m), None)
            if found:
                return found.strip()[:300]
        return text[-1][:300] if text else f"no output in {self.startup_timeout:g} s"

    def stop(self, timeout: float = 5.0) -> None:
        """SIGTERM to Prism's process group, SIGKILL if it lingers; waits for its log to end."""
        process = self._process
        if process is None:
            return
        if process.returncode is None:
            _signal_group(process.pid, signal.SIGTERM)
            if not _exited(process.pid, timeout):
                _signal_group(process.pid, signal.SIGKILL)
                _exited(process.pid, timeout)
            # Prism is a zombie until reaped, so the group id is still its own: end any child
            # it forked, then reap it.
            _signal_group(process.pid, signal.SIGKILL)
            process.wait(timeout)
        if self._reader is not None:
            self._reader.join(timeout)
        if process.stdout is not None:
            process.stdout.close()

    def __enter__(self) -> Prism:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def _exited(pid: int, timeout: float) -> bool:
    """Wait up to ``timeout`` for child ``pid`` to exit, without reaping it."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
                return True
        except ChildProcessError:  # already reaped
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.02)


def _signal_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)
