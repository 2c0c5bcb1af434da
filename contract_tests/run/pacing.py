"""The engine's requests held to the run's ``--rate-limit``, by the bucket the kit's own
requests take from: one rate for the whole run, whoever sends.

schemathesis hands ``before_call`` to global hooks only, so for as long as an engine runs
the kit registers one that waits for a slot before each case of *its* schema is sent, and
leaves any other schema alone (a user's own schemathesis tests in the same process).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import schemathesis
import schemathesis.hooks

from ..wire.pace import TokenBucket

try:  # the requests schemathesis's probing phase sends at an engine's start
    from schemathesis.engine.run.probes import PROBES as _ENGINE_PROBES
except ImportError:  # moved in a later release: as many as in 4.x
    _ENGINE_PROBES = (None, None)  # type: ignore[assignment]

__all__ = ["paced"]


@contextmanager
def paced(schema: Any, bucket: TokenBucket | None) -> Iterator[None]:
    """While inside, each case of ``schema`` waits for ``bucket``'s next slot before it is
    sent (re-sends and a check's own requests too: whatever the engine sends)."""
    if bucket is None:
        yield
        return

    def before_call(_context: Any, case: Any, _kwargs: Any) -> None:
        if case.operation.schema is schema:
            bucket.take()

    schemathesis.hook("before_call")(before_call)
    try:
        # the engine first probes the server (no hook sees those requests): their slots
        # are taken here, so they too are counted in the rate
        for _ in _ENGINE_PROBES:
            bucket.take()
        yield
    finally:
        schemathesis.hooks.unregister(before_call)
