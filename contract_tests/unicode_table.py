"""The one table of Hypothesis's the kit writes itself: which code points UTF-8 carries."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

__all__ = ["UTF8_TABLE", "seed_utf8_table"]

# The code points UTF-8 can encode, as Hypothesis's table of a codec holds them (the encodable
# intervals, then those that do not decode back to themselves): all but the surrogates.
UTF8_TABLE = [[[0, 0xD7FF], [0xE000, 0x10FFFF]], []]


def seed_utf8_table() -> None:
    """Hypothesis's table of the code points UTF-8 can carry, written where it caches it.

    schemathesis draws strings "for the utf-8 codec"; Hypothesis finds which code points
    those are by encoding all 1.1 million of them, once per folder it caches in: lists of
    a million pairs, the run's largest use of memory by far (~170 MB at the peak, kept by
    the allocator). The kit's run has a fresh folder each time, so each run paid it. Written
    from the definition instead; if Hypothesis moves or changes its cache, it computes the
    table as before (tests/test_unicode_table.py holds the two equal).
    """
    try:
        from hypothesis.internal.charmap import charmap_file  # noqa: PLC0415

        path = Path(charmap_file("codec-v2-utf-8"))
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            with gzip.GzipFile(path, "wb", mtime=1) as table:
                table.write(json.dumps(UTF8_TABLE).encode())
    except Exception:  # an internal of Hypothesis's: only memory is at stake
        return
