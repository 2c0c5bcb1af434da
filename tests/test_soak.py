"""The soak script runs (briefly here); the 200k-request soak is ``python tests/soak.py``."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent / "soak.py"


@pytest.mark.slow
def test_soak_script_reports_memory() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--requests", "2000", "--", "--journal-size", "50"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "statuses: {204: 1200, 404: 100, 422: 700}" in done.stdout
    assert re.search(r"rss_start_kb=\d+ rss_end_kb=\d+ growth_kb=-?\d+ requests=2000", done.stdout)
