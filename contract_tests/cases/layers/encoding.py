"""The bytes' encoding (RFC 3629): each class of ill-formed UTF-8, alone and inside the valid
body (in a string field's value, in an undeclared key's value, in a key), which a lenient
decoder reads as something the client never sent (U+FFFD, the code point an overlong form
spells, a surrogate); well-formed UTF-8 at the edges of RFC 3629's table, noncharacters
among them, each read as it is; and the encodings RFC 8259 §8.1 leaves a reader free to take (a byte
order mark; UTF-16 and UTF-32, which RFC 7159 allowed).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..builder import ProbeSet, json_text, raw_valid
from ..model import Probe
from . import ENCODING

__all__ = ["ILL_FORMED", "WELL_FORMED", "encoding_probes"]

# One sequence of each class of contract_tests.oracle.utf8.CLASSES (a test holds them to it),
# named as a finding names it.
ILL_FORMED = {
    "a stray continuation byte": b"\x80",
    "a truncated sequence": b"\xe3\x81",
    "Latin-1 text": b"caf\xe9",  # a lead byte followed by ASCII: truncated, to RFC 3629
    "an overlong NUL": b"\xc0\x80",  # Java's "modified UTF-8"
    "an overlong solidus": b"\xe0\x80\xaf",
    "an encoded surrogate": b"\xed\xa0\x80",
    "CESU-8 (a surrogate pair, each half encoded)": b"\xed\xa0\xbc\xed\xbc\x99",
    "a code point past U+10FFFF": b"\xf4\x90\x80\x80",
    "a byte UTF-8 never uses": b"\xff",
}
# Well-formed UTF-8 at the edges of RFC 3629's table and the code points a strict or a
# lenient decoder may wrongly refuse (noncharacters are valid text, RFC 3629 §3): each read
# as it is.
WELL_FORMED = {
    "U+D7FF, the last before the surrogates": "\ud7ff",
    "U+E000, the first after them": "\ue000",
    "U+FFFD, the replacement character": "\ufffd",
    "U+FFFE, a noncharacter": "\ufffe",
    "U+FFFF, a noncharacter": "\uffff",
    "U+FDD0, a noncharacter": "\ufdd0",
    "U+10FFFF, the last code point": "\U0010ffff",
}
_NOT_UTF8 = "not UTF-8"


def encoding_probes(probes: ProbeSet) -> Iterator[Probe]:
    raw = raw_valid(probes)
    valid = json_text(raw)
    text = valid.decode()
    string_field = next((name for name in probes.facts.fields
                         if probes.facts.is_string_field(name) and name in raw), None)  # fmt: skip
    for kind, sequence in ILL_FORMED.items():
        yield probes.probe(f"not UTF-8: {kind}, alone", f"body: {_NOT_UTF8}", sequence,
                           layer=ENCODING)  # fmt: skip
        if string_field is not None:
            body = _with(raw, string_field, b'"kit' + sequence + b'peer"')
            where = f"body.{string_field}: {_NOT_UTF8}"
            yield probes.probe(f"not UTF-8: {kind} in {string_field}", where, body,
                               layer=ENCODING)  # fmt: skip
        body = valid[:-1] + b',"kit_extra":"kit' + sequence + b'"}'
        yield probes.probe(f"not UTF-8: {kind} in an undeclared key's value",
                           f"body: {_NOT_UTF8}", body, layer=ENCODING)  # fmt: skip
        body = valid[:-1] + b',"kit' + sequence + b'":1}'
        yield probes.probe(f"not UTF-8: {kind} in an undeclared key",
                           f"body: {_NOT_UTF8} key", body, layer=ENCODING)  # fmt: skip
    if string_field is not None:
        for kind, char in WELL_FORMED.items():
            body = _with(raw, string_field, f'"kit{char}peer"'.encode())
            yield probes.probe(f"well-formed UTF-8: {kind} in {string_field}",
                               f"body.{string_field}: UTF-8 edge", body,
                               layer=ENCODING)  # fmt: skip
    for kind, body in {
        "BOM": b"\xef\xbb\xbf" + valid,
        "UTF-16": text.encode("utf-16"),
        "UTF-32": text.encode("utf-32"),
    }.items():
        name = f"a body in {kind}" if kind != "BOM" else "a UTF-8 BOM"
        yield probes.probe(name, f"body: {kind}", body, layer=ENCODING)


def _with(raw: dict[str, str], name: str, value: bytes) -> bytes:
    """The valid body with ``name``'s value the raw bytes ``value``."""
    marker = "\x00kit-value\x00"
    body = json_text({**raw, name: marker})
    return body.replace(marker.encode(), value)
