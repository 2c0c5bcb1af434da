"""A request rate a shared server can take: ``--rate-limit 50/s`` as a token bucket.

A staging server is shared; a fuzzer that sends as fast as it can knocks it over. The bucket
holds one token, so requests are spaced evenly (no burst after a pause), and it is
thread-safe: every thread sending for one run takes from the same bucket. One made
:meth:`~TokenBucket.across_processes` is handed to the processes a campaign fuzzes in, and
they take from it too (its next slot lives in shared memory; one monotonic clock serves all).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from multiprocessing.context import BaseContext
from typing import Any

__all__ = ["TokenBucket"]


class TokenBucket:
    """Lets one request through every ``interval`` seconds, across threads.

    >>> now = [0.0]
    >>> bucket = TokenBucket(0.25, clock=lambda: now[0], sleep=lambda s: None)
    >>> [bucket.reserve() for _ in range(3)]  # seconds each caller waits
    [0.0, 0.25, 0.5]
    """

    def __init__(
        self,
        interval: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = interval
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next = clock()
        self._shared: Any = None  # a multiprocessing Value holding the next slot

    @classmethod
    def across_processes(cls, interval: float, context: BaseContext) -> TokenBucket:
        """A bucket the processes of ``context`` it is handed to at their start share."""
        bucket = cls(interval)
        bucket._shared = context.Value("d", bucket._next)
        return bucket

    def reserve(self) -> float:
        """Claim the next slot; how long the caller must wait for it."""
        if self._shared is None:
            with self._lock:
                self._next, wait = self._claim(self._next)
        else:
            with self._shared.get_lock():
                self._shared.value, wait = self._claim(self._shared.value)
        return wait

    def _claim(self, next_slot: float) -> tuple[float, float]:
        now = self._clock()
        slot = max(next_slot, now)
        return slot + self.interval, slot - now

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        del state["_lock"]  # a lock of its own in each process (the shared slot has one)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def take(self) -> None:
        """Wait for the next slot."""
        wait = self.reserve()
        if wait > 0:
            self._sleep(wait)
