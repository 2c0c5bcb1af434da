"""A request rate a shared server can take: ``--rate-limit 50/s`` as a token bucket.

A staging server is shared; a fuzzer that sends as fast as it can knocks it over. The bucket
holds one token, so requests are spaced evenly (no burst after a pause), and it is
thread-safe: every thread sending for one run takes from the same bucket. One made
:meth:`~TokenBucket.across_processes` is handed to the processes a campaign fuzzes in, and
they take from it too (its next slot lives in shared memory; one monotonic clock serves all);
one made :meth:`~TokenBucket.in_file` is shared by any process that opens the same file
(pytest-xdist's workers).
"""

from __future__ import annotations

import struct
import threading
import time
from collections.abc import Callable
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any

__all__ = ["TokenBucket"]

_SLOT = struct.Struct("=d")  # the next slot, in a file bucket


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
        self._file: Path | None = None  # or a file holding it, for processes not our own

    @classmethod
    def across_processes(cls, interval: float, context: BaseContext) -> TokenBucket:
        """A bucket the processes of ``context`` it is handed to at their start share."""
        bucket = cls(interval)
        bucket._shared = context.Value("d", bucket._next)
        return bucket

    @classmethod
    def in_file(
        cls, interval: float, path: Path, *, clock: Callable[[], float] = time.monotonic
    ) -> TokenBucket:
        """A bucket whose next slot lives in the file at ``path`` (created if missing),
        claimed under an exclusive lock on it: every process of the machine that opens the
        same file shares it (pytest-xdist's workers, which the kit does not start). POSIX
        only (``fcntl``)."""
        bucket = cls(interval, clock=clock)
        path.touch()
        bucket._file = path
        return bucket

    def reserve(self) -> float:
        """Claim the next slot; how long the caller must wait for it."""
        if self._shared is not None:
            with self._shared.get_lock():
                self._shared.value, wait = self._claim(self._shared.value)
            return wait
        with self._lock:  # (a file bucket's flock alone would do: each claim opens the file)
            if self._file is not None:
                return self._claim_in_file(self._file)
            self._next, wait = self._claim(self._next)
            return wait

    def _claim_in_file(self, path: Path) -> float:
        import fcntl  # noqa: PLC0415 - POSIX only: imported where a file bucket is used

        with path.open("r+b") as file:
            fcntl.flock(file, fcntl.LOCK_EX)  # released when the file is closed
            raw = file.read(_SLOT.size)
            next_slot = _SLOT.unpack(raw)[0] if len(raw) == _SLOT.size else self._clock()
            next_slot, wait = self._claim(next_slot)
            file.seek(0)
            file.write(_SLOT.pack(next_slot))
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
