"""A server that stops answering in the middle of a run: told apart from one unanswered
request, named by the requests sent just before it, and waited for.

After a request gets no answer, :meth:`Watch.lost` sends a known-valid request on a fresh
connection. Any answer means the server is up and only that request went unanswered
(``no_answer``). None means the server is down: the :class:`Outage` names the last requests
sent (the one in flight last; a crash may come from one before it), and the watch polls, up
to ``wait`` seconds, for the server to answer again. If it does, the run goes on; if not,
:class:`ServerDown` stops it, and the run reports what it found until then.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from ..cases.model import SERVER_DOWN, Finding, Probe, Severity
from .reproduce import long_bodies
from .transport import Sender

__all__ = ["Outage", "ServerDown", "Watch"]

# How many requests an outage names: the one in flight and those sent just before it.
_NAMED = 3
_POLL = 0.2  # seconds between two tries while waiting for the server


@dataclass(frozen=True)
class Outage:
    """The server stopped answering at ``requests[-1]`` (oldest first)."""

    server: str
    requests: tuple[Probe, ...]
    reason: str
    wait: float
    back_after: float | None  # seconds until it answered again; None: not within ``wait``

    @property
    def culprit(self) -> Probe:
        return self.requests[-1]

    def describe(self) -> str:
        """One line: where it stopped, what came before, and whether it came back."""
        before = ", ".join(f"{p.name} ({p.location})" for p in self.requests[:-1]) or "nothing"
        if self.back_after is not None:
            end = f"it answered again after {self.back_after:.1f} s"
        else:
            end = f"it did not answer again within {self.wait:g} s (--down-wait): the run stopped"
        return (
            f"{self.server} stopped answering at {self.culprit.name} ({self.culprit.location}): "
            f"{self.reason}; sent just before it (the last one last): {before}; {end}"
        )

    def replay(self, curl: Callable[[Probe], str]) -> str:
        """The requests again, in the order sent, as one ``sh`` command line."""
        return " ; ".join(curl(probe) for probe in self.requests)

    def finding(self, curl: Callable[[Probe], str]) -> Finding:
        """A ``server_down`` failure at the place the request in flight aimed at."""
        return Finding(
            check=SERVER_DOWN,
            severity=Severity.FAILURE,
            status=None,
            location=self.culprit.location,
            message=self.describe(),
            reproducer=self.replay(curl),
            bodies=long_bodies(self.requests),
        )


class ServerDown(Exception):  # noqa: N818 - an outcome of the run, not a fault of the suite
    """The server stopped answering and did not come back within the wait."""

    def __init__(self, outage: Outage) -> None:
        super().__init__(outage.describe())
        self.outage = outage


class Watch:
    """Remembers the last requests sent to one server and judges a request left unanswered;
    thread-safe (a diff sends from several threads)."""

    def __init__(
        self,
        sender: Sender,
        alive: Probe,
        *,
        wait: float,
        timeout: float,
        server: str = "the server",
        say: Callable[[str], None] | None = None,
    ) -> None:
        self._sender = sender
        self._alive = alive  # a valid request: any answer to it shows the server is up
        self._wait = wait
        self._timeout = timeout
        self._server = server
        self._say = say or (lambda _line: None)
        self._recent: deque[Probe] = deque(maxlen=_NAMED)
        self._outages: list[Outage] = []
        self._gone: Outage | None = None
        self._lock = threading.Lock()

    @property
    def outages(self) -> int:
        return len(self._outages)

    def sent(self, probe: Probe) -> int:
        """Remember ``probe`` as sent; the ticket to hand to :meth:`lost` for it."""
        with self._lock:
            self._recent.append(probe)
            return len(self._outages)

    def lost(
        self,
        probe: Probe | None,
        reason: str,
        *,
        ticket: int | None = None,
        known_down: bool = False,
    ) -> Outage | None:
        """``None`` if the server still answers (``probe`` alone went unanswered); else the
        outage, once the server answers again; raises :class:`ServerDown` if it does not.

        A request sent before an outage already reported (its ``ticket`` is older) gets that
        outage; ``known_down``: the server is known to have stopped, ask it nothing now;
        ``probe`` ``None``: the request in flight is not known, the last one sent stands.
        """
        with self._lock:
            if self._gone is not None:
                raise ServerDown(self._gone)
            if ticket is not None and ticket < len(self._outages):
                return self._outages[-1]
            if not known_down and self._sender.answers(self._alive, timeout=self._timeout):
                return None
            if probe is not None and (not self._recent or self._recent[-1] != probe):
                self._recent.append(probe)
            requests = tuple(self._recent) or (self._alive,)
            self._recent.clear()
            self._say(
                f"{self._server} stopped answering at {requests[-1].name}: waiting up to "
                f"{self._wait:g} s for it"
            )
            outage = Outage(self._server, requests, reason, self._wait, self._back_after())
            self._outages.append(outage)
            if outage.back_after is None:
                self._gone = outage
                self._say(f"{self._server} did not come back: the run stops")
                raise ServerDown(outage)
            self._say(f"{self._server} is back after {outage.back_after:.1f} s: the run goes on")
            return outage

    def _back_after(self) -> float | None:
        started = time.monotonic()
        deadline = started + self._wait
        while (left := deadline - time.monotonic()) > 0:
            time.sleep(min(_POLL, left))
            left = deadline - time.monotonic()
            if left > 0 and self._sender.answers(self._alive, timeout=min(self._timeout, left)):
                return time.monotonic() - started
        return None
