"""Which of the client developer's controls are on, and the state they keep for one app.

The control paths live under :data:`CONTROL_PREFIX`, which no path of the served
document may reach: such a document is refused at start-up (serve it with
``--no-control``). With every control off, :meth:`Controls.from_settings` returns
``None`` and the app is the faithful server alone.

>>> Controls.from_settings(MockSettings(control=False, cors_origins=())) is None
True
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.routing import compile_path

from honcho_spec import KitError, Operation, SpecDocument

from .chaos import Chaos
from .journal import Journal
from .settings import MockSettings
from .steering import Steering

__all__ = [
    "CONTROL_PATHS",
    "CONTROL_PREFIX",
    "ControlPathError",
    "Controls",
    "check_control_paths",
]

CONTROL_PREFIX = "/__mock__"
CONTROL_PATHS = (f"{CONTROL_PREFIX}/requests", f"{CONTROL_PREFIX}/dreams")


class ControlPathError(KitError):
    """A path of the document reaches the mock's control paths."""


def check_control_paths(document: SpecDocument) -> None:
    """Refuse a document with a path under the control prefix or matching a control path."""
    for operation in document.operations:
        path = operation.path
        regex, _, _ = compile_path(path)
        under = path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/")
        if under or any(regex.match(control) for control in CONTROL_PATHS):
            raise ControlPathError(
                f"the document's path {path} reaches the mock's control paths "
                f"({', '.join(CONTROL_PATHS)})",
                where=document.source,
                fix="serve it with --no-control",
            )


@dataclass
class Controls:
    """The controls of one app: settings, the journal, the seeded chaos."""

    settings: MockSettings
    journal: Journal | None
    chaos: Chaos | None

    @classmethod
    def from_settings(cls, settings: MockSettings) -> Controls | None:
        chaos = journal = None
        if settings.latency is not None or settings.fault_rate is not None:
            chaos = Chaos(
                latency=settings.latency, fault_rate=settings.fault_rate, seed=settings.seed
            )
        if settings.control and settings.journal_size:
            journal = Journal(settings.journal_size)
        if not (settings.control or chaos or settings.cors_origins or settings.reload):
            return None
        return cls(settings, journal, chaos)

    @property
    def steers(self) -> bool:
        """Operations need the steered endpoint: a journal, ``Prefer`` or chaos."""
        return self.settings.control or self.chaos is not None

    def steering(self, operation: Operation) -> Steering:
        return Steering(
            label=f"{operation.method} {operation.path}",
            responses=operation.responses,
            allow_faults=self.settings.allow_faults,
            read_prefer=self.settings.control,
            chaos=self.chaos,
        )
