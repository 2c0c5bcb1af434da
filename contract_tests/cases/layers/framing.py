"""How a body is framed on the wire (RFC 9112): every way HTTP/1.1 lets a client send the
same bytes, each a probe of the framing layer. A server that reads the body one way only
(by its Content-Length, in the first read, or after a 100 it never sends) loses a valid body
sent another way.

The shapes are data (:data:`FRAMINGS`, each a :class:`~contract_tests.cases.model.Framing`);
:mod:`contract_tests.wire.raw` writes them.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator

from ..builder import JSON, ProbeSet, json_text, raw_valid
from ..model import Framing, Probe
from . import FRAMING

__all__ = ["FRAMINGS", "framing_probes"]


# Each shape once, named as its findings' locations name it.
_WHOLE = 1 << 30  # a chunk size past any body: the rest of it in one chunk
FRAMINGS = {
    framing.name: framing
    for framing in (
        Framing("chunked", chunks=(_WHOLE,)),
        Framing("chunked, a byte a chunk", chunks=(1,)),
        Framing("chunked, chunks of 1, 7 and 3 bytes and the rest", chunks=(1, 7, 3, _WHOLE),
                pieces=4),
        Framing("chunked, with chunk extensions", chunks=(16,), extension=';kit=1;kit-q="a b"'),
        Framing("chunked, with a trailer field", chunks=(_WHOLE,), trailer=(("kit-trailer", "1"),)),
        Framing("chunked, sizes zero-padded in upper-case hex", chunks=(26,), size_digits=6),
        Framing("Content-Length, the body in three writes", pieces=3),
        Framing("HTTP/1.0", version="HTTP/1.0"),
        Framing("Expect: 100-continue", expect_continue=True),
    )
}  # fmt: skip


def framing_probes(probes: ProbeSet) -> Iterator[Probe]:
    """The valid body in every shape, an invalid one chunked (a server that skips the body
    it cannot frame accepts it), and the valid body in a content coding the document does
    not declare (RFC 9110 §8.4: a server may undo it, or refuse it)."""
    raw = raw_valid(probes)
    valid = json_text(raw)
    for name, framing in FRAMINGS.items():
        yield probes.probe(f"a valid body, {name}", f"framing: {name}", valid,
                           layer=FRAMING, framing=framing)  # fmt: skip
    required = sorted(probes.facts.required)
    if required:
        missing = json_text({k: v for k, v in raw.items() if k != required[0]})
        yield probes.probe(f"{required[0]} missing, chunked", "framing: chunked, invalid body",
                           missing, layer=FRAMING,
                           framing=FRAMINGS["chunked"])  # fmt: skip
    coded = gzip.compress(valid, mtime=0)
    yield probes.probe("a valid body in gzip", "framing: content-encoding gzip", coded,
                       layer=FRAMING,
                       headers=(*JSON, ("content-encoding", "gzip")))  # fmt: skip
