"""The kit's strict reader: RFC 8259 JSON over RFC 3629 UTF-8, no extensions.

A text is JSON if it is UTF-8 and one value by RFC 8259's grammar with nothing but JSON's
whitespace around it. Where RFC 8259 itself says readers may answer otherwise (a byte order
mark, a name given twice, numbers past a double, an unpaired surrogate escape, nesting past a
reader's limit), and for the extensions that common readers make by default (``NaN`` and
``Infinity``; UTF-16 and UTF-32, which RFC 7159 allowed; a surrogate encoded in UTF-8's
bytes, which spells the same code point as the escape RFC 8259 leaves open), the text is
read, and the reading says the answer is open: a strict reader may refuse what a lenient
one reads.

>>> read(b'{"a": [1, "x"]}').value
{'a': [1, 'x']}
>>> read(b'{"a": 1, "a": 2}').open
('a name given twice in an object (RFC 8259 §4: readers differ)',)
>>> try:
...     read(b'{"a": 1,}')
... except NotJson as exc:
...     print(f"{exc.layer}: {exc}")
syntax: not RFC 8259 JSON: Expecting property name enclosed in double quotes at byte 8
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

from .utf8 import SURROGATE, ill_formed

__all__ = ["OPEN", "NotJson", "Reading", "read"]

# Where a reader may answer either way: why, by the rule that leaves it open.
OPEN = {
    "bom": "a UTF-8 byte order mark (RFC 8259 §8.1: a reader may ignore it)",
    "utf16": "UTF-16 or UTF-32 text (RFC 8259 §8.1 wants UTF-8; RFC 7159 allowed them)",
    "non-finite": "NaN or Infinity (not RFC 8259 JSON; common readers take them)",
    "number": "a number past a double's range or precision (RFC 8259 §6: readers differ)",
    "duplicate": "a name given twice in an object (RFC 8259 §4: readers differ)",
    "surrogate": "an unpaired surrogate escape (RFC 8259 §8.2: readers differ)",
    "encoded surrogate": "a surrogate encoded in the bytes (RFC 3629 forbids it; it spells "
    "what a \\ud800 escape does, which RFC 8259 §8.2 leaves to readers)",
    "depth": "nesting deeper than a reader need follow (RFC 8259 §9)",
}
_EXACT_INTEGER = 2**53 - 1  # RFC 8259 §6: integers a double holds exactly
_UTF8_BOM = b"\xef\xbb\xbf"
_SURROGATE = re.compile("[\ud800-\udfff]")


class NotJson(ValueError):  # noqa: N818 - what a body is, not a fault of the kit
    """Bytes that are not one RFC 8259 JSON text: ``layer`` is ``encoding`` (not UTF-8) or
    ``syntax`` (not the grammar); the message says what is wrong and where."""

    def __init__(self, layer: str, why: str) -> None:
        super().__init__(why)
        self.layer = layer


@dataclass(frozen=True)
class Reading:
    """A JSON text as read: its value (of a name given twice, the last member, as most
    readers keep), the value with the first member instead where that differs, and why a
    reader may answer otherwise (``OPEN``'s reasons), if it may."""

    value: Any
    open: tuple[str, ...] = ()
    first_wins: tuple[Any, ...] = ()  # the other reading of duplicate names, if any

    @property
    def values(self) -> tuple[Any, ...]:
        """Every value a reader that takes the text may read from it."""
        return (self.value, *self.first_wins)


def read(body: bytes) -> Reading:
    """``body`` read strictly; :class:`NotJson` when it is not JSON at all."""
    reasons: list[str] = []
    text = _decoded(body, reasons)
    found: dict[str, bool] = {}
    try:
        value = _parse(text, found, last_wins=True)
    except RecursionError:
        return Reading(None, (*reasons, OPEN["depth"]))
    except json.JSONDecodeError as exc:
        at = len(text[: exc.pos].encode("utf-8", "surrogatepass"))
        raise NotJson("syntax", f"not RFC 8259 JSON: {exc.msg} at byte {at}") from None
    first: tuple[Any, ...] = ()
    if found.get("duplicate"):
        first = (_parse(text, {}, last_wins=False),)
    if OPEN["encoded surrogate"] not in reasons and _has_surrogate(value):
        found["surrogate"] = True
    reasons += [OPEN[name] for name in OPEN if found.get(name)]
    return Reading(value, tuple(dict.fromkeys(reasons)), first)


def _decoded(body: bytes, reasons: list[str]) -> str:
    """The text of ``body``: UTF-8, or (an open reading) UTF-16 or UTF-32 as RFC 7159
    told them apart, a UTF-8 byte order mark set aside (also open)."""
    codec = _wide_codec(body)
    if codec is not None:
        try:
            text = body.decode(codec)
        except UnicodeDecodeError:
            raise NotJson(
                "encoding",
                f"a zero byte among the first two: {codec.upper()} by "
                "RFC 4627's rule, and not well-formed as that",
            ) from None
        reasons.append(OPEN["utf16"])
        return text.removeprefix("\ufeff")
    if body.startswith(_UTF8_BOM):
        reasons.append(OPEN["bom"])
        body = body[len(_UTF8_BOM) :]
    bad = ill_formed(body)
    if bad is None:
        return body.decode("utf-8")
    at, kind = bad
    if kind == SURROGATE:
        try:  # every ill-formed sequence a surrogate: read as the code points they spell
            text = body.decode("utf-8", "surrogatepass")
        except UnicodeDecodeError:
            pass
        else:
            reasons.append(OPEN["encoded surrogate"])
            return text
    raise NotJson("encoding", f"not UTF-8 (RFC 3629): {kind} at byte {at}")


def _wide_codec(body: bytes) -> str | None:
    """UTF-16 or UTF-32 by RFC 4627's rule, as the readers that take them apply it (a byte
    order mark; else a zero byte among the first two, which a JSON text's first two
    characters, ASCII both, cannot give in UTF-8)."""
    for mark, codec in ((b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xff\xfe\x00\x00", "utf-32-le"),
                        (b"\xfe\xff", "utf-16-be"), (b"\xff\xfe", "utf-16-le")):  # fmt: skip
        if body.startswith(mark):
            return codec
    if len(body) >= 4:
        if body[0] == 0:
            return "utf-16-be" if body[1] else "utf-32-be"
        if body[1] == 0:
            return "utf-16-le" if body[2] or body[3] else "utf-32-le"
    elif len(body) == 2 and 0 in body:
        return "utf-16-be" if body[0] == 0 else "utf-16-le"
    return None


def _parse(text: str, found: dict[str, bool], *, last_wins: bool) -> Any:
    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        members = dict(items) if last_wins else dict(reversed(items))
        if len(members) != len(items):
            found["duplicate"] = True
        return members

    def non_finite(literal: str) -> float:
        found["non-finite"] = True
        return float(literal)

    def integer(digits: str) -> int | float:
        try:
            number = int(digits)
        except ValueError:  # past CPython's digits limit: far past a double anyway
            found["number"] = True
            return -math.inf if digits.startswith("-") else math.inf
        if abs(number) > _EXACT_INTEGER:
            found["number"] = True
        return number

    def decimal(digits: str) -> float:
        number = float(digits)
        if math.isinf(number):
            found["number"] = True
        return number

    return json.loads(text, object_pairs_hook=pairs, parse_constant=non_finite,
                      parse_int=integer, parse_float=decimal)  # fmt: skip


def _has_surrogate(value: Any) -> bool:
    """Whether a string in ``value`` holds a surrogate: the text was UTF-8, so only an
    escape (``\\ud800``) that no other escape pairs can have put it there."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False
