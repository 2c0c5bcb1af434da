"""A request rate a shared server can take: ``--rate-limit 50/s`` as a token bucket.

A staging server is shared; a fuzzer that sends as fast as it can knocks it over. The bucket
holds one token, so requests are spaced evenly (no burst after a pause), and it is
thread-safe: every thread sending for one run takes from the same bucket.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

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

    def reserve(self) -> float:
        """Claim the next slot; how long the caller must wait for it."""
        with self._lock:
            now = self._clock()
            slot = max(self._next, now)
            self._next = slot + self.interval
            return slot - now

    def take(self) -> None:
        """Wait for the next slot."""
        wait = self.reserve()
        if wait > 0:
            self._sleep(wait)
