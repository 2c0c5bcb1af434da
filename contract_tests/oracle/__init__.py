"""The executable oracle: what the contract lets a server answer to any bytes the kit sends.

The kit's own strict reader (RFC 8259 JSON over RFC 3629 UTF-8, no extensions) reads a body,
the document's schema judges what it read, and the media type and coding the request
declares say how far a server may choose (:mod:`.verdict`). The probes, the mutator of a
campaign and the checks use the one oracle. It may import :mod:`honcho_spec`; nothing that
sends, judges answers or reports.
"""

from .media import MediaType, media_type
from .reader import NotJson, Reading, read
from .schema import BodySchema
from .utf8 import ill_formed
from .verdict import PROFILES, Expect, Oracle, Verdict

__all__ = [
    "PROFILES",
    "BodySchema",
    "Expect",
    "MediaType",
    "NotJson",
    "Oracle",
    "Reading",
    "Verdict",
    "ill_formed",
    "media_type",
    "read",
]
