"""Which of the client developer's controls are on, and the state they keep for one app.

With every control off the app is the faithful server alone: the edge builds no
:class:`Controls` then (:func:`mock_server.edge.app.create_app`).

>>> controls = Controls(journal=Journal(10), live=Live(), read_prefer=True, allow_faults=False)
>>> controls.steers
True
"""

from __future__ import annotations

from dataclasses import dataclass

from honcho_spec import Operation

from .journal import Journal
from .live import Live
from .steering import Steering

__all__ = ["Controls"]


@dataclass
class Controls:
    """The controls of one app: the journal, what changes at runtime (latency, faults,
    sequences), what ``Prefer`` may ask."""

    journal: Journal | None
    live: Live
    read_prefer: bool  # the control paths and ``Prefer`` are on
    allow_faults: bool

    @property
    def steers(self) -> bool:
        """Operations need the steered endpoint: a journal, ``Prefer`` or chaos."""
        return self.read_prefer or self.live.chaos is not None

    def steering(self, operation: Operation) -> Steering:
        return Steering(
            label=f"{operation.method} {operation.path}",
            responses=operation.responses,
            allow_faults=self.allow_faults,
            read_prefer=self.read_prefer,
            live=self.live,
        )
