"""The benchmarks page's results, rendered from ``benchmarks/results/*.json``.

Each section (throughput, start-up, ...) shows the newest run that measured it, its tables
and its targets, and a chart of the throughput beside the anchors; the runs before it fold
away under the section. The figures are the data's, never typed here.
"""

from __future__ import annotations

import json
import re
from html import escape
from pathlib import Path
from typing import Any

__all__ = ["RESULTS", "chart", "load_results", "render"]

RESULTS = Path(__file__).resolve().parent.parent.parent / "benchmarks" / "results"
# The sections in the page's order; a key the list does not know comes after them.
ORDER = ("load", "startup", "memory", "suite", "workers", "rate", "campaign")
COLOURS = {"honcho-mock": "#3f51b5", "bare": "#9e9e9e", "Prism": "#ef6c00", "FastAPI": "#2e7d32"}
_NUMBER = re.compile(r"[\d,]+(?:\.\d+)?")


def load_results(folder: Path) -> list[dict[str, Any]]:
    """Every run's data, the newest first."""
    runs = [json.loads(path.read_text(encoding="utf-8")) for path in folder.glob("*.json")]
    return sorted(runs, key=lambda run: run["when"], reverse=True)


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(table: dict[str, Any]) -> list[str]:
    """The table in Markdown, without the columns no row fills (a transcribed run's)."""
    kept = [i for i in range(len(table["headers"])) if any(row[i] for row in table["rows"])]
    lines = ["| " + " | ".join(_cell(table["headers"][i]) for i in kept) + " |",
             "|" + "---|" * len(kept)]  # fmt: skip
    lines += ["| " + " | ".join(_cell(row[i]) for i in kept) + " |" for row in table["rows"]]
    return lines


def _checks(checks: list[dict[str, Any]]) -> list[str]:
    if not checks:
        return []
    lines = ["| target | measured | verdict | note |", "|---|---|---|---|"]
    for check in checks:
        sign = ">=" if check["higher_is_better"] else "<"
        unit = check["unit"]
        value = "n/a" if check["value"] is None else f"{check['value']:g}{unit}"
        target = f"{sign} {check['threshold']:g}{unit}"
        lines.append(f"| {_cell(check['target'])} | {value} ({target}) | {check['verdict']} | "
                     f"{_cell(check['note'])} |")  # fmt: skip
    return lines


def _number(text: str) -> float | None:
    found = _NUMBER.search(text)
    return float(found.group().replace(",", "")) if found else None


def _anchor_range(text: str) -> tuple[float, float] | None:
    """``"~7,600-8,800 (--no-access-log); ..."`` -> ``(7600.0, 8800.0)``."""
    head = text.split(";", 1)[0]
    numbers = [float(n.replace(",", "")) for n in _NUMBER.findall(head)]
    if not numbers:
        return None
    return min(numbers), max(numbers)


def _colour(server: str) -> str:
    return next((c for name, c in COLOURS.items() if server.startswith(name)), "#795548")


def chart(table: dict[str, Any]) -> str:
    """The throughput table as an SVG bar chart: req/s of each server for each row group
    (logging, body), an anchor's range drawn as a hatched band across its server's bar."""
    headers = table["headers"]
    at = {name: headers.index(name) for name in ("server", "logging", "body", "req/s")}
    anchor_at = next((i for i, h in enumerate(headers) if h.startswith("anchor")), None)
    bars = []
    for row in table["rows"]:
        rate = _number(row[at["req/s"]])
        if rate is None:
            continue
        anchor = _anchor_range(row[anchor_at]) if anchor_at is not None else None
        bars.append((f"{row[at['logging']]}, {row[at['body']]}", row[at["server"]], rate, anchor))
    if not bars:
        return ""
    top = max(max(rate, anchor[1] if anchor else 0) for _, _, rate, anchor in bars)
    left, width, bar, gap = 290, 420, 14, 10
    scale = width / top
    out: list[str] = []
    y, group = 20, None
    for label, server, rate, anchor in bars:
        if label != group:
            y += gap
            out.append(f'<text x="0" y="{y + 10}" font-weight="bold">{escape(label)}</text>')
            y += 16
            group = label
        out.append(f'<text x="12" y="{y + 11}">{escape(server)}</text>')
        out.append(f'<rect x="{left}" y="{y}" width="{rate * scale:.1f}" height="{bar}" '
                   f'fill="{_colour(server)}"/>')  # fmt: skip
        out.append(f'<text x="{left + rate * scale + 4:.1f}" y="{y + 11}">{rate:,.0f}</text>')
        if anchor:
            low, high = anchor
            band = max((high - low) * scale, 2)
            out.append(f'<rect x="{left + low * scale:.1f}" y="{y - 2}" width="{band:.1f}" '
                       f'height="{bar + 4}" fill="none" stroke="#000" stroke-dasharray="3 2">'
                       f"<title>anchor {low:,.0f}-{high:,.0f} req/s</title></rect>")  # fmt: skip
        y += bar + 4
    height = y + 24
    legend = (
        f'<text x="0" y="{height - 6}">req/s; a dashed box: the anchor for that server '
        "(benchmarks/anchors.py: figures measured on a 2-core machine like this one)</text>"
    )
    wide = left + width + 80
    return (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {wide} {height}" '
            f'width="100%" style="max-width: {wide}px" font-family="sans-serif" font-size="12">'
            f"<title>{escape(table['title'])}</title>{''.join(out)}{legend}</svg>")  # fmt: skip


def _run_lines(run: dict[str, Any], section: dict[str, Any]) -> list[str]:
    machine = ", ".join(
        value if value.startswith(key) else f"{key} {value}"
        for key, value in run["machine"].items()
    )
    lines = [f"Measured {run['when']} ({machine}): `{run['command']}`.", ""]
    if run.get("source"):
        lines += [f"Source: {run['source']}.", ""]
    lines += [f"- {note}" for note in run.get("notes", [])]
    for table in section["tables"]:
        if section["key"] == "load":
            svg = chart(table)
            lines += ["", svg, ""] if svg else []
        lines += ["", *_table(table), ""]
        lines += [f"- {note}" for note in table["notes"]]
    if section["checks"]:
        lines += ["", *_checks(section["checks"]), ""]
    return lines


def render(folder: Path) -> str:
    """Each section: its newest run in full, the earlier ones folded under it."""
    runs = load_results(folder)
    keys = [s["key"] for run in runs for s in run["sections"]]
    ordered = [k for k in ORDER if k in keys] + sorted(set(keys) - set(ORDER))
    out: list[str] = []
    for key in ordered:
        measured = [(run, s) for run in runs for s in run["sections"] if s["key"] == key]
        newest, section = measured[0]
        out += [f"### {section['title']}", "", *_run_lines(newest, section), ""]
        for run, earlier in measured[1:]:
            body = _run_lines(run, earlier)
            out += [f'??? note "Earlier: {run["when"]}"', ""]
            out += [f"    {line}" if line else "" for line in body] + [""]
    return "\n".join(out)
