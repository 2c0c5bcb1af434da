"""Benchmarks: the mock beside a bare Starlette route and Prism, in one run, with targets.

    python -m benchmarks [--duration 10] [--skip-prism]

Each measurement is a ``Section`` (see ``sections.py``): it runs against real processes
and returns tables and checks; the report prints them beside the anchors.
"""

from .errors import BenchError
from .report import Check, Goal, Outcome, Section, Table, render_outcome, render_table
from .wrk import WrkResult, lua_script, parse_wrk_output

__all__ = [
    "BenchError",
    "Check",
    "Goal",
    "Outcome",
    "Section",
    "Table",
    "WrkResult",
    "lua_script",
    "parse_wrk_output",
    "render_outcome",
    "render_table",
]
