"""RFC 3629's UTF-8, and the class of the first ill-formed sequence in bytes that are not.

RFC 3629 §4 gives the well-formed sequences; whatever else a decoder meets is one of a few
classes, each of which some lenient decoder reads as something (U+FFFD, the code point an
overlong form spells, a surrogate), so a server keeps text the client never sent.

>>> ill_formed(b'{"observer": "kit\\xc0\\x80"}')
(17, 'an overlong form')
>>> ill_formed("ゆき".encode()) is None
True
"""

from __future__ import annotations

__all__ = ["CLASSES", "SURROGATE", "ill_formed"]

# Each class of ill-formed UTF-8, named as findings and probes name them.
CLASSES = (
    "a stray continuation byte",  # 80-BF with no lead byte before it
    "a truncated sequence",  # a lead byte without all of its continuation bytes
    "an overlong form",  # C0, C1; E0 80-9F; F0 80-8F: a code point in more bytes than it needs
    "an encoded surrogate",  # ED A0-BF: U+D800-U+DFFF, which UTF-8 must not carry
    "a code point past U+10FFFF",  # F4 90-BF, F5-F7
    "a byte UTF-8 never uses",  # F8-FF
)
_STRAY, _TRUNCATED, _OVERLONG, SURROGATE, _PAST, _NEVER = CLASSES


def ill_formed(data: bytes) -> tuple[int, str] | None:
    """The offset and class of the first ill-formed sequence in ``data``; ``None`` when
    ``data`` is well-formed UTF-8 (what CPython's strict codec decodes)."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start, _class_at(data, exc.start)
    return None


def _class_at(data: bytes, at: int) -> str:
    lead = data[at]
    second = data[at + 1] if at + 1 < len(data) else None
    if 0x80 <= lead <= 0xBF:
        return _STRAY
    if lead in (0xC0, 0xC1):
        return _OVERLONG
    if lead >= 0xF8:
        return _NEVER
    if 0xF5 <= lead <= 0xF7:
        return _PAST
    if second is None or not 0x80 <= second <= 0xBF:
        return _TRUNCATED
    if (lead == 0xE0 and second < 0xA0) or (lead == 0xF0 and second < 0x90):
        return _OVERLONG
    if lead == 0xED and second >= 0xA0:
        return SURROGATE
    if lead == 0xF4 and second >= 0x90:
        return _PAST
    return _TRUNCATED  # the lead and second byte are fine: a later continuation is missing
