"""The contract suite's speed: a default ``honcho-contract run`` against the mock, beside
vanilla ``st run`` on the same document, seed and phases (with --continue-on-failure, so
vanilla does not stop at its first finding)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from .context import Bench
from .report import Check, Goal, Outcome, Table, fmt_seconds
from .servers import LOG_MODES

__all__ = ["SUITE_LIMIT", "SUITE_RATIO", "SuiteSpeed", "suite_outcome", "vanilla_cases"]

SUITE_LIMIT = Goal("default suite run against the mock", 30.0, higher_is_better=False, unit="s")
SUITE_RATIO = Goal("suite cases/s / vanilla st run cases/s", 0.9, unit="x")
SEED = 20250101
_GENERATED = re.compile(r"(\d+) generated")


def vanilla_cases(output: str) -> int:
    """The case count of ``st run``'s summary (``Test cases: N generated, ...``)."""
    match = _GENERATED.search(output)
    return int(match.group(1)) if match else 0


class SuiteSpeed:
    key = "suite"
    title = "Contract suite"

    def run(self, bench: Bench) -> Outcome:
        mock = bench.server("mock")
        if mock is None:
            return Outcome()
        bin_dir = Path(sys.executable).parent
        with bench.serve(mock, LOG_MODES[1]) as running:
            report = bench.workdir / "suite.json"
            kit_s = _timed([str(bin_dir / "honcho-contract"), "run", "--base-url", running.url,
                            "--seed", str(SEED), "--report-json", str(report)])  # fmt: skip
            kit_cases = int(json.loads(report.read_text())["cases"])
            config = bench.workdir / "st.toml"
            config.write_text('[generation]\ndatabase = "none"\n')
            started = time.monotonic()
            done = subprocess.run(
                [str(bin_dir / "st"), "--config-file", str(config), "run", str(bench.document),
                 "--url", running.url, "--seed", str(SEED), "-n", "100", "--phases",
                 "examples,coverage,fuzzing", "--continue-on-failure", "--no-color"],
                capture_output=True, text=True, timeout=600, check=False,
            )  # fmt: skip
            vanilla_s = time.monotonic() - started
        bench.progress(f"suite {kit_cases} cases in {kit_s:.1f} s; st run {vanilla_s:.1f} s")
        return suite_outcome(kit_s, kit_cases, vanilla_s, vanilla_cases(done.stdout))


def _timed(command: Sequence[str]) -> float:
    started = time.monotonic()
    subprocess.run(command, capture_output=True, timeout=600, check=False)
    return time.monotonic() - started


def suite_outcome(kit_s: float, kit_cases: int, vanilla_s: float, vanilla_n: int) -> Outcome:
    """The two runs side by side, and the checks against the targets.

    >>> outcome = suite_outcome(2.0, 290, 2.0, 137)
    >>> [check.verdict for check in outcome.checks]
    ['PASS', 'PASS']
    """
    kit_rate = kit_cases / kit_s if kit_s else 0.0
    vanilla_rate = vanilla_n / vanilla_s if vanilla_s and vanilla_n else 0.0
    ratio = Check(SUITE_RATIO, kit_rate / vanilla_rate if vanilla_rate else None)
    limit = Check(SUITE_LIMIT, kit_s)
    rows = (
        ("honcho-contract run (default)", str(kit_cases), fmt_seconds(kit_s), f"{kit_rate:.0f}"),
        ("vanilla st run -n 100", str(vanilla_n), fmt_seconds(vanilla_s), f"{vanilla_rate:.0f}"),
    )
    notes = (
        "wall time of the whole command, process start-up included, same seed and phases; "
        "the suite's cases also include its hostile probes and golden cases, and every answer "
        "goes through the kit's checks as well as schemathesis's",
        "anchor: schemathesis about 110-125 cases/s with checks",
    )
    table = Table("Contract suite against the mock", ("run", "cases", "seconds", "cases/s"),
                  rows, notes)  # fmt: skip
    return Outcome(tables=(table,), checks=(limit, ratio))
