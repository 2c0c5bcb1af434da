"""A run's results as data: one JSON file per run, the documentation's benchmarks page reads
every file of ``benchmarks/results/`` (``--results DIR`` writes one there).

>>> from benchmarks.report import Goal, Table
>>> outcome = Outcome((Table("t", ("a",), (("1",),)),), (Check(Goal("g", 2.0), 3.0),))
>>> data = record(Run("2026-11-28 14:28 UTC", {"cores": "2"}, "python -m benchmarks"),
...               {"load": ("Throughput and latency", outcome)})
>>> data["sections"][0]["checks"][0]["verdict"]
'PASS'
>>> read(data) == data
True
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import BenchError
from .report import Check, Outcome

__all__ = ["FORMAT", "Run", "read", "record", "write"]

FORMAT = 1


@dataclass(frozen=True)
class Run:
    """When, where and how a run was made."""

    when: str  # "2026-11-28 14:28 UTC"
    machine: Mapping[str, str]  # cores, python, uvicorn, starlette, wrk, node, prism
    command: str
    # "" for what a run wrote itself; else how the figures came here (transcribed, by hand)
    source: str = ""
    notes: tuple[str, ...] = field(default=())


def _check(check: Check) -> dict[str, Any]:
    goal = check.goal
    return {
        "target": goal.name,
        "threshold": goal.threshold,
        "higher_is_better": goal.higher_is_better,
        "unit": goal.unit,
        "value": check.value,
        "verdict": check.verdict,
        "note": check.note,
    }


def record(run: Run, sections: Mapping[str, tuple[str, Outcome]]) -> dict[str, Any]:
    """The run and each section's tables and checks, keyed by the section's ``key``."""
    return {
        "format": FORMAT,
        "when": run.when,
        "machine": dict(run.machine),
        "command": run.command,
        "source": run.source,
        "notes": list(run.notes),
        "sections": [
            {
                "key": key,
                "title": title,
                "tables": [
                    {
                        "title": table.title,
                        "headers": list(table.headers),
                        "rows": [list(row) for row in table.rows],
                        "notes": list(table.notes),
                    }
                    for table in outcome.tables
                ],
                "checks": [_check(check) for check in outcome.checks],
            }
            for key, (title, outcome) in sections.items()
        ],
    }


def read(data: Mapping[str, Any]) -> dict[str, Any]:
    """``data`` checked as a results file: its format, and each section's key and tables."""
    if data.get("format") != FORMAT:
        raise BenchError(f"results format {data.get('format')!r} is not {FORMAT}")
    for section in data["sections"]:
        for table in section["tables"]:
            width = len(table["headers"])
            if any(len(row) != width for row in table["rows"]):
                raise BenchError(f"{section['key']}: a row of {table['title']!r} is not "
                                 f"{width} cells wide")  # fmt: skip
    return dict(data)


def write(folder: Path, data: Mapping[str, Any], now: datetime.datetime) -> Path:
    """``data`` as ``folder/<UTC time>.json`` (the folder made if missing); its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{now.strftime('%Y-%m-%dT%H%M')}.json"
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
