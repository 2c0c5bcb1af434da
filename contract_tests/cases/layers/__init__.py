"""The layers a request passes through, each with its family of probes drawn from its
standard: how the body is framed (RFC 9112), which media type carries it (RFC 9110 §8.3), its
bytes' encoding (RFC 3629), its JSON syntax (RFC 8259), the names of its object keys, and the
values the document's schema describes; besides, the request line (the method and the path)
and the credentials. Reports count the probes sent by layer."""

from __future__ import annotations

__all__ = [
    "CREDENTIALS",
    "ENCODING",
    "FRAMING",
    "KEYS",
    "LAYERS",
    "MEDIA_TYPE",
    "REQUEST_LINE",
    "SYNTAX",
    "VALUES",
]

FRAMING = "framing"
MEDIA_TYPE = "media type"
ENCODING = "encoding"
SYNTAX = "JSON syntax"
KEYS = "object keys"
VALUES = "values"
REQUEST_LINE = "request line"
CREDENTIALS = "credentials"
# In the order a request passes through them.
LAYERS = (REQUEST_LINE, CREDENTIALS, FRAMING, MEDIA_TYPE, ENCODING, SYNTAX, KEYS, VALUES)
