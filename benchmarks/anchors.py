"""The numbers to beat (``shared/reference/anchors.md``, a 2-core machine) and the targets.

Anchors are printed beside this run's figures for orientation only; every verdict is a
ratio or a limit measured in this run.
"""

from __future__ import annotations

from .report import Goal

__all__ = [
    "BARE_ROUTE",
    "LOAD_ANCHORS",
    "MEMORY_LIMIT",
    "STARTUP_ANCHORS",
    "STARTUP_LIMIT",
    "VS_BARE",
    "VS_CONTROLS_OFF",
    "VS_PRISM",
]

# (server, logging mode, body) -> "req/s; p50 / p99; RSS" as the anchors give them.
LOAD_ANCHORS: dict[tuple[str, str, str], str] = {
    ("bare", "default", "valid"): "~6,000; 8 / 12-20 ms; 30 MB",
    ("bare", "quiet", "valid"): "~7,600-8,800 (--no-access-log); 6 / 10-13 ms; 30 MB",
    ("prism", "default", "valid"): "~2,100; 22 / 60-300 ms; ~195 MB",
    ("prism", "default", "invalid"): "~1,600; 29 / 66 ms",
    ("prism", "quiet", "valid"): "~3,300-4,000 (-v silent); 12 / 32-71 ms; ~160 MB",
}

STARTUP_ANCHORS: dict[str, str] = {
    "bare": "0.13-0.20 s (uvicorn)",
    "prism": "1.1-1.4 s",
}

# body -> the bare route the mock is held to: the same answer to the same request, written
# without deciding anything (an empty 204; the golden 422 bytes).
BARE_ROUTE: dict[str, str] = {"valid": "bare", "invalid": "bare_422"}
# body -> the mock's throughput as a share of that bare route's.
VS_BARE: dict[str, Goal] = {
    "valid": Goal("mock / bare route, valid", 0.85, unit="x"),
    "invalid": Goal("mock / bare 422 route, invalid", 0.75, unit="x"),
}
# body -> the mock's throughput as a share of its own with --no-control: a request meets no
# control while none is set, so the two serve alike, within the rounds' noise.
VS_CONTROLS_OFF: dict[str, Goal] = {
    "valid": Goal("mock / mock --no-control, valid", 0.9, unit="x"),
    "invalid": Goal("mock / mock --no-control, invalid", 0.9, unit="x"),
}
VS_PRISM: dict[str, Goal] = {
    "valid": Goal("mock / Prism, valid", 3.0, unit="x"),
    "invalid": Goal("mock / Prism, invalid", 3.0, unit="x"),
}
STARTUP_LIMIT = Goal("mock start-up to first 204", 0.3, higher_is_better=False, unit="s")
MEMORY_LIMIT = Goal("mock RSS after the long run", 60.0, higher_is_better=False, unit="MB")
