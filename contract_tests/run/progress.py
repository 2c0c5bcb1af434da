"""Progress while a run goes: cases done and failures so far, per phase, to stderr.

On a terminal the line is rewritten in place; elsewhere (CI, a pipe) a plain line is
written, flushed, at most every few seconds, and once when each phase ends; a server that
stops answering gets a line of its own. ``-q`` turns it off.

>>> import io
>>> out = io.StringIO()
>>> progress = Progress(out, every=0.0, terminal=False)
>>> progress.phase("probes")
>>> progress.step(failures=1)
>>> progress.done()
>>> out.getvalue().splitlines()[-1]
'honcho-contract: probes: 1 case, 1 failure (phase done)'
"""

from __future__ import annotations

import time
from typing import TextIO

__all__ = ["Progress"]


class Progress:
    """Counts one phase's cases and failures and says so now and then."""

    def __init__(self, out: TextIO | None, *, every: float = 5.0, terminal: bool = False) -> None:
        self._out = out
        self._every = every
        self._terminal = terminal
        self._name = ""
        self._cases = self._failures = 0
        self._said = time.monotonic()

    def phase(self, name: str) -> None:
        self._name, self._cases, self._failures = name, 0, 0
        self._said = time.monotonic()

    def step(self, *, failures: int = 0) -> None:
        self._cases += 1
        self._failures += failures
        if time.monotonic() - self._said >= self._every:
            self._say()

    def done(self) -> None:
        self._say(" (phase done)", end=True)

    def note(self, text: str) -> None:
        """A line of its own, whatever the phase: ``honcho-contract: TEXT``."""
        if self._out is None:
            return
        self._out.write(("\r\x1b[K" if self._terminal else "") + f"honcho-contract: {text}\n")
        self._out.flush()

    def _say(self, suffix: str = "", *, end: bool = False) -> None:
        self._said = time.monotonic()
        if self._out is None:
            return
        cases = f"{self._cases} case{'s' * (self._cases != 1)}"
        failures = f"{self._failures} failure{'s' * (self._failures != 1)}"
        line = f"honcho-contract: {self._name}: {cases}, {failures}{suffix}"
        if self._terminal:
            self._out.write("\r\x1b[K" + line + ("\n" if end else ""))
        else:
            self._out.write(line + "\n")
        self._out.flush()
