"""Every answer read within bounds: a deadline for the whole answer and a cap on its size.

httpx's timeouts hold each read, not the answer: a server that sends its answer a byte a
second never trips them, and one whose body never ends is read until the machine runs out
of memory. So the kit's client reads through :class:`BoundedBackend`, a network backend
whose streams read for the exchange under way (:func:`bounded`, per thread): no read waits
past the exchange's deadline, and the bytes on the wire past its cap end it. The first
bytes that came are kept, as the evidence of a finding about them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import httpcore

__all__ = ["HEAD_KEPT", "BoundedBackend", "Budget", "TooLarge", "bounded"]

# What a finding shows of an answer that broke a bound: its first bytes.
HEAD_KEPT = 512


class TooLarge(Exception):  # noqa: N818 - an outcome of an exchange, told as a finding
    """The answer passed its exchange's cap."""


class Budget:
    """One exchange's bounds and what it read: bytes on the wire, the first of them kept."""

    def __init__(self, timeout: float, cap: int) -> None:
        self.deadline = time.monotonic() + timeout
        self.cap = cap
        self.received = 0
        self.head = bytearray()

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def took(self, data: bytes) -> None:
        self.received += len(data)
        if len(self.head) < HEAD_KEPT:
            self.head += data[: HEAD_KEPT - len(self.head)]
        if self.received > self.cap:
            raise TooLarge

    def wait(self, timeout: float | None) -> float:
        """How long the next read or write may wait: its own timeout, within the deadline."""
        left = self.left()
        if left <= 0:
            raise httpcore.ReadTimeout("the answer's deadline passed")
        return left if timeout is None else min(timeout, left)


_local = threading.local()


@contextmanager
def bounded(timeout: float, cap: int) -> Iterator[Budget]:
    """Hold this thread's exchanges, while inside, to ``timeout`` seconds in all and
    ``cap`` bytes on the wire."""
    budget = Budget(timeout, cap)
    _local.budget = budget
    try:
        yield budget
    finally:
        _local.budget = None


def _current() -> Budget | None:
    return getattr(_local, "budget", None)


class _BoundedStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        budget = _current()
        if budget is None:
            return self._inner.read(max_bytes, timeout)
        data = self._inner.read(max_bytes, budget.wait(timeout))
        budget.took(data)
        return data

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        budget = _current()
        self._inner.write(buffer, timeout if budget is None else budget.wait(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, *args: Any, **kwargs: Any) -> httpcore.NetworkStream:
        return _BoundedStream(self._inner.start_tls(*args, **kwargs))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class BoundedBackend(httpcore.NetworkBackend):
    """httpcore's own sockets, each read and write held to the exchange's budget."""

    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        budget = _current()
        wait = timeout if budget is None else budget.wait(timeout)
        stream = self._inner.connect_tcp(host, port, wait, local_address, socket_options)
        return _BoundedStream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        return _BoundedStream(self._inner.connect_unix_socket(path, timeout, socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)
