"""Tables, targets and verdicts: plain data and text, no processes.

A section returns an ``Outcome`` (tables and checks); ``render_outcome`` prints it as
Markdown, so a run's output pastes into the README as it is.

>>> goal = Goal("mock / bare route", 0.85, unit="x")
>>> Check(goal, 0.91).cell()
'0.91x (>= 0.85x PASS)'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from .context import Bench

__all__ = [
    "Check",
    "Goal",
    "Outcome",
    "Section",
    "Table",
    "fmt_mb",
    "fmt_ms",
    "fmt_rate",
    "fmt_seconds",
    "render_outcome",
    "render_table",
]

PASS = "PASS"
MISS = "MISS"
NOT_MEASURED = "n/a"


@dataclass(frozen=True)
class Goal:
    """A target: ``value >= threshold`` (or ``<`` when ``higher_is_better`` is false)."""

    name: str
    threshold: float
    higher_is_better: bool = True
    unit: str = ""

    def holds(self, value: float) -> bool:
        if self.higher_is_better:
            return value >= self.threshold
        return value < self.threshold

    def describe(self) -> str:
        sign = ">=" if self.higher_is_better else "<"
        return f"{sign} {_number(self.threshold, self.unit)}"


@dataclass(frozen=True)
class Check:
    """A goal and the value this run measured (``None``: not measured in this run)."""

    goal: Goal
    value: float | None
    note: str = ""

    @property
    def verdict(self) -> str:
        if self.value is None:
            return NOT_MEASURED
        return PASS if self.goal.holds(self.value) else MISS

    def cell(self) -> str:
        """The value, the target and the verdict, for a table cell."""
        if self.value is None:
            return f"{NOT_MEASURED} ({self.goal.describe()})"
        return f"{_number(self.value, self.goal.unit)} ({self.goal.describe()} {self.verdict})"


@dataclass(frozen=True)
class Table:
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outcome:
    """What one section measured: tables to print and checks against targets."""

    tables: tuple[Table, ...] = ()
    checks: tuple[Check, ...] = field(default=())


class Section(Protocol):
    """One measurement. Add a new one to ``sections.SECTIONS``."""

    key: str
    title: str

    def run(self, bench: Bench) -> Outcome: ...


def render_table(table: Table) -> str:
    """A Markdown table, columns padded to line up in a terminal.

    >>> print(render_table(Table("t", ("a", "bb"), (("1", "2"),))))
    ### t
    <BLANKLINE>
    | a | bb |
    |---|----|
    | 1 | 2  |
    """
    widths = [len(h) for h in table.headers]
    for row in table.rows:
        if len(row) != len(widths):
            raise ValueError(f"row {row!r} has {len(row)} cells, expected {len(widths)}")
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    out = [f"### {table.title}", "", line(table.headers)]
    out.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    out.extend(line(row) for row in table.rows)
    if table.notes:
        out.append("")
        out.extend(f"- {note}" for note in table.notes)
    return "\n".join(out)


def render_outcome(outcome: Outcome) -> str:
    """Every table of ``outcome``, then its checks as a table of verdicts."""
    parts = [render_table(table) for table in outcome.tables]
    if outcome.checks:
        rows = tuple((c.goal.name, c.cell(), c.verdict, c.note) for c in outcome.checks)
        parts.append(
            render_table(Table("Targets", ("target", "this run", "verdict", "note"), rows))
        )
    return "\n\n".join(parts)


def fmt_rate(per_second: float) -> str:
    """``4823.4`` -> ``'4,823'``."""
    return f"{per_second:,.0f}"


def fmt_ms(milliseconds: float) -> str:
    """One decimal under 100 ms, none above."""
    return f"{milliseconds:.1f}" if milliseconds < 100 else f"{milliseconds:.0f}"


def fmt_mb(kilobytes: int) -> str:
    """Resident memory in MB (1 MB = 1024 kB), one decimal."""
    return f"{kilobytes / 1024:.1f}"


def fmt_seconds(seconds: float) -> str:
    return f"{seconds:.2f}" if seconds >= 1 else f"{seconds:.3f}"


def _number(value: float, unit: str) -> str:
    if unit == "x":
        return f"{value:.2f}x" if value < 10 else f"{value:.1f}x"
    text = f"{value:.3g}" if unit in ("s", "") else f"{value:.1f}"
    return f"{text} {unit}" if unit else text
