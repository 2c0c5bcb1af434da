"""The sections a run measures, in order. A new measurement is a class with ``key``,
``title`` and ``run(bench) -> Outcome`` (see ``report.Section``), appended here."""

from __future__ import annotations

from .fuzzing import RateLimit, Workers
from .load import Throughput
from .memory import LongRun
from .report import Section
from .startup import Startup
from .suite import SuiteSpeed

__all__ = ["SECTIONS"]

SECTIONS: tuple[Section, ...] = (
    Throughput(),
    Startup(),
    LongRun(),
    SuiteSpeed(),
    Workers(),
    RateLimit(),
)
