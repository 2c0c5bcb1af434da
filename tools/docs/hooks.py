"""mkdocs hooks: the pages made from the kit's parsers and the benchmarks' data at build time.

A page holds a marker (``<!-- generated: reference -->``); the hook puts the generated
Markdown in its place before the page is rendered, so what a page shows is what the code
and the data say, never a copy kept by hand.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
# mkdocs takes back sys.path once the hook is loaded: what it needs is imported now.
sys.path.insert(0, str(HERE))
sys.path.append(str(ROOT))  # benchmarks/, not in the wheel; the installed kit comes first

import benchmark_page  # noqa: E402
import cli_reference  # noqa: E402

import benchmarks.cli  # noqa: E402, F401

MARKERS: dict[str, Callable[[], str]] = {
    "<!-- generated: reference -->": cli_reference.render,
    "<!-- generated: benchmarks -->": lambda: benchmark_page.render(benchmark_page.RESULTS),
}


def on_page_markdown(markdown: str, **_: Any) -> str:
    for marker, make in MARKERS.items():
        if marker in markdown:
            markdown = markdown.replace(marker, make())
    return markdown
