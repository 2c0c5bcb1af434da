"""The kit writes Hypothesis's table of the code points UTF-8 carries instead of letting it
encode all 1.1 million of them each run: the table must be the one Hypothesis computes, and
sit where Hypothesis reads it (else each run pays ~170 MB again, silently).

Run in child processes, each with a Hypothesis folder of its own: the table is cached per
process and per folder.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from contract_tests.unicode_table import UTF8_TABLE

COMPUTE = """
import json, sys, tracemalloc
from hypothesis.configuration import set_hypothesis_home_dir
set_hypothesis_home_dir(sys.argv[1])
if sys.argv[2] == "seeded":
    from contract_tests.unicode_table import seed_utf8_table
    seed_utf8_table()
from hypothesis.internal.charmap import intervals_from_codec
if sys.argv[2] == "seeded":
    tracemalloc.start()  # (slows the computing twelvefold)
encodable, non_roundtrip = intervals_from_codec("utf-8")
peak = tracemalloc.get_traced_memory()[1]
print(json.dumps([[list(i) for i in encodable.intervals],
                  [list(i) for i in non_roundtrip.intervals], peak]))
"""


def _table(home: Path, how: str) -> tuple[list[object], int]:
    done = subprocess.run([sys.executable, "-c", COMPUTE, str(home), how], capture_output=True,
                          text=True, timeout=120, check=True)  # fmt: skip
    encodable, non_roundtrip, peak = json.loads(done.stdout)
    return [encodable, non_roundtrip], peak


def test_the_table_is_the_one_hypothesis_computes(tmp_path: Path) -> None:
    computed, _ = _table(tmp_path / "computed", "computed")
    assert computed == UTF8_TABLE
    seeded, seeded_peak = _table(tmp_path / "seeded", "seeded")
    assert seeded == UTF8_TABLE
    # read from the kit's file, not computed (a million pairs, ~170 MB at the peak): the
    # peak of a few small lists
    assert seeded_peak < 1 << 20, seeded_peak
