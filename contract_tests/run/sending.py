"""schemathesis's engine sends through the run's :class:`~contract_tests.wire.transport.Sender`.

So its requests are held to what the kit's own are: each answer read within its bounds
(``--timeout`` for the whole answer, ``--max-answer-size``), and every request, the engine's
opening probes of the server included, taken from the run's one ``--rate-limit``.

The engine makes each of its ``requests`` sessions with ``make_session`` (its per-thread
sessions and the probing phase's alike); while inside :func:`sent_by`, the sessions it makes
for *this* schema send through the Sender. Any other schema's (a user's own schemathesis
tests in the same process) are left as they are.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import schemathesis.engine.context as engine_context

from ..wire.adapter import SenderAdapter
from ..wire.transport import Sender

__all__ = ["sent_by"]


@contextmanager
def sent_by(schema: Any, sender: Sender) -> Iterator[None]:
    """While inside, the engine running ``schema`` sends with ``sender``."""
    make_session = engine_context.make_session
    adapter = SenderAdapter(sender)

    def sessions_of_the_sender(config: Any, *args: Any, **kwargs: Any) -> Any:
        session = make_session(config, *args, **kwargs)
        if config is schema.config:
            session.mount("http://", adapter)
            session.mount("https://", adapter)
        return session

    engine_context.make_session = sessions_of_the_sender
    try:
        yield
    finally:
        engine_context.make_session = make_session
