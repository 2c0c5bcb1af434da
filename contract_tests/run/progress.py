"""Progress while a run goes, to stderr: the phase, its cases, the run's failures so far
(distinct causes, as the summary, the reports and ``--max-failures`` count them), the time
elapsed and, when the run has a ``--duration``, the time left.

On a terminal the line is rewritten in place; elsewhere (CI, a pipe) a plain line is
written, flushed, at most every few seconds, and once when each phase ends (``phase
done``, or why it stopped: ``interrupted``); a server that stops answering gets a line of
its own. ``-q`` turns it off.

>>> import io
>>> out = io.StringIO()
>>> ticks = iter([0.0, 0.0, 2.0, 12.4])
>>> progress = Progress(out, every=0.0, terminal=False, clock=lambda: next(ticks))
>>> progress.phase("probes")
>>> progress.step(failures=1)
>>> progress.done()
>>> out.getvalue().splitlines()[-1]
'honcho-contract: probes: 1 case, 1 failure, 12 s elapsed (phase done)'
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

from ..untrusted import one_line

__all__ = ["Progress"]


class Progress:
    """Counts one phase's cases and the run's failures, and says so now and then."""

    def __init__(
        self,
        out: TextIO | None,
        *,
        every: float = 5.0,
        terminal: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._out = out
        self._every = every
        self._terminal = terminal
        self._clock = clock
        self._started = clock()
        self._ends: float | None = None
        self._name = ""
        self._cases = self._failures = 0
        self._said = self._started

    def ends_at(self, deadline: float | None) -> None:
        """The clock's time the run ends by (``--duration``): lines say how long is left."""
        self._ends = deadline

    def phase(self, name: str) -> None:
        self._name, self._cases = name, 0

    def step(self, *, failures: int | None = None) -> None:
        """One more case; ``failures``: the run's distinct failures so far, if known."""
        self._cases += 1
        if failures is not None:
            self._failures = failures
        if self._clock() - self._said >= self._every:
            self._say()

    def done(self, why: str | None = None) -> None:
        """The phase ended: by itself, or for ``why`` (``interrupted``)."""
        self._say(f" ({why or 'phase done'})", end=True)

    def note(self, text: str) -> None:
        """A line of its own, whatever the phase: ``honcho-contract: TEXT``."""
        if self._out is None:
            return
        self._out.write(
            ("\r\x1b[K" if self._terminal else "") + f"honcho-contract: {one_line(text)}\n"
        )
        self._out.flush()

    def _say(self, suffix: str = "", *, end: bool = False) -> None:
        now = self._said = self._clock()
        if self._out is None:
            return
        cases = f"{self._cases} case{'s' * (self._cases != 1)}"
        failures = f"{self._failures} failure{'s' * (self._failures != 1)}"
        timing = f"{now - self._started:.0f} s elapsed"
        if self._ends is not None:
            timing += f", {max(0.0, self._ends - now):.0f} s left"
        line = f"honcho-contract: {self._name}: {cases}, {failures}, {timing}{suffix}"
        if self._terminal:
            self._out.write("\r\x1b[K" + line + ("\n" if end else ""))
        else:
            self._out.write(line + "\n")
        self._out.flush()
