"""The names of object keys: a JSON name is matched exactly (RFC 8259 §8.3: code unit by
code unit), so each declared key in another letter case, naming convention, Unicode
compatibility or case-folding form, or with whitespace around it, is another, undeclared key.
A runtime or a binder that folds them together reads a field the client never sent.

Each variant is sent in place of a required key (the field is missing: 422) and beside the
key with a value the field refuses (it is undeclared: the success); a name given twice in
each order, which RFC 8259 §4 leaves to the reader; every property of JavaScript's
``Object.prototype``, and the type hints and class keys of JSON binders in .NET, Java, Ruby
and Python, as undeclared keys (the success), in place of a field's string (422), and
supplying a required field through a prototype (422); and names no binder's member can
hold (escaped control characters; an empty key is the JSON syntax layer's), as undeclared
keys (the success).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from ..builder import ProbeSet, json_text, raw_valid
from ..model import Probe
from . import KEYS

__all__ = ["BINDER_HINTS", "PROTOTYPE_PROPERTIES", "UNNAMEABLE_KEYS", "key_probes", "key_variants"]

# ECMAScript's Object.prototype: what a plain object inherits, and a look-up finds.
PROTOTYPE_PROPERTIES = (
    "__proto__", "constructor", "toString", "toLocaleString", "valueOf", "hasOwnProperty",
    "isPrototypeOf", "propertyIsEnumerable", "__defineGetter__", "__defineSetter__",
    "__lookupGetter__", "__lookupSetter__",
)  # fmt: skip
# Keys that JSON binders read as types or references, with a value each would act on.
BINDER_HINTS = {
    "$type": "System.Object, mscorlib",  # Json.NET's TypeNameHandling
    "__type": "Kit:#Kit.Contracts",  # DataContractJsonSerializer
    "$ref": "#",  # Json.NET's and JSON Reference's references
    "$id": "1",
    "@class": "java.lang.Object",  # Jackson's default typing
    "@type": "java.lang.Object",  # fastjson, Jackson's JsonTypeInfo
    "json_class": "Object",  # Ruby's json create_additions
    "py/object": "builtins.object",  # jsonpickle
    "__class__": "object",
    "prototype": "{}",
}
_WRAPPED = {  # a type hint around a string, as each binder writes one
    "Json.NET": {"$type": "System.String", "$value": "kit"},
    "Jackson, as a property": {"@class": "java.lang.String", "value": "kit"},
    "Jackson, as a wrapper array": ["java.lang.String", "kit"],
    "Ruby's json": {"json_class": "String", "raw": [107, 105, 116]},
    "jsonpickle": {"py/object": "builtins.str", "py/newargs": ["kit"]},
}
# Names RFC 8259 §7 allows (a name is any string) that a binder mapping keys to an object's
# members cannot hold: PHP's json_decode to an object refuses a name that begins with NUL,
# as its private members' mangled names do (an empty key is the syntax layer's). Undeclared
# keys: the success.
UNNAMEABLE_KEYS = {
    "an escaped NUL": "\x00",
    "an escaped NUL first": "\x00kit",
    "escaped control characters": "\x01\x1f",
}
_FOLDS = {"s": "\u017f", "k": "\u212a"}  # long s and the Kelvin sign: they case-fold to s, k


def key_variants(key: str) -> dict[str, str]:
    """The keys another runtime may fold into ``key``, each named (those that are ``key``
    itself left out).

    >>> list(key_variants("observer"))[:3]  # its swapped case is its upper case
    ['another case, upper', 'another case, capitalized', 'a case-folding form (U+017F, U+212A)']
    """
    words = key.split("_")
    variants = {
        "another case, upper": key.upper(),
        "another case, capitalized": key[:1].upper() + key[1:],
        "another case, swapped": key.swapcase(),
        "camelCase": words[0] + "".join(w[:1].upper() + w[1:] for w in words[1:]),
        "a case-folding form (U+017F, U+212A)": "".join(_FOLDS.get(c, c) for c in key),
        "full-width letters (NFKC folds them)": "".join(
            chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in key
        ),
        "a space before": f" {key}",
        "a space after": f"{key} ",
        "a no-break space before": f"\u00a0{key}",
        "a zero-width space after": f"{key}\u200b",
    }
    distinct: dict[str, str] = {}
    for name, variant in variants.items():
        if variant != key and variant not in distinct.values():
            distinct[name] = variant
    return distinct


def key_probes(probes: ProbeSet) -> Iterator[Probe]:
    facts, raw = probes.facts, raw_valid(probes)
    for key in facts.fields:
        refused = _refused_value(probes, key)
        for kind, variant in key_variants(key).items():
            if key in facts.required and key in raw:
                renamed = {(variant if k == key else k): v for k, v in raw.items()}
                yield probes.probe(f"{key} as {variant!r} ({kind})", f"body: {key} key variant",
                                   json_text(renamed), layer=KEYS)  # fmt: skip
            body = json_text({**raw, variant: refused})
            yield probes.probe(f"{key} valid, and {variant!r} ({kind}) with a value it refuses",
                               f"body: {key} key variant", body, layer=KEYS)  # fmt: skip
        if key in raw:
            yield from _duplicates(probes, key, raw, refused)
    for name in PROTOTYPE_PROPERTIES:
        yield probes.probe(f"an undeclared key {name}", f"body: {name} key",
                           json_text({**raw, name: '{"kit": 1}'}), layer=KEYS)  # fmt: skip
    for kind, name in UNNAMEABLE_KEYS.items():
        yield probes.probe(f"an unnameable key: {kind}", "body: unnameable key",
                           json_text({**raw, name: "1"}), layer=KEYS)  # fmt: skip
    for name, value in BINDER_HINTS.items():
        yield probes.probe(f"a type hint {name} as an undeclared key", "body: type hint key",
                           json_text({**raw, name: json.dumps(value)}), layer=KEYS)  # fmt: skip
    yield from _hints_and_prototypes(probes, raw)


def _refused_value(probes: ProbeSet, key: str) -> str:
    """A JSON value the field ``key`` refuses (a string field refuses a number; any field,
    an object)."""
    return "42" if probes.facts.is_string_field(key) or probes.facts.enum_values(key) else "{}"


def _duplicates(probes: ProbeSet, key: str, raw: dict[str, str], refused: str) -> Iterator[Probe]:
    """``key`` twice, its valid value first or last (RFC 8259 §4 leaves which to the reader)."""
    name = json.dumps(key)
    others = ",".join(f"{json.dumps(k)}:{v}" for k, v in raw.items() if k != key)
    rest = f",{others}" if others else ""
    for order, pair in (("the valid value last", (refused, raw[key])),
                        ("the valid value first", (raw[key], refused))):  # fmt: skip
        body = f"{{{name}:{pair[0]},{name}:{pair[1]}{rest}}}".encode()
        yield probes.probe(f"{key} twice, {order}", "body: duplicate keys", body, layer=KEYS)


def _hints_and_prototypes(probes: ProbeSet, raw: dict[str, str]) -> Iterator[Probe]:
    facts = probes.facts
    field = next((k for k in facts.fields if facts.is_string_field(k) and k in raw), None)
    if field is not None:
        for binder, wrapped in _WRAPPED.items():
            body = json_text({**raw, field: json.dumps(wrapped)})
            yield probes.probe(f"{field} as a string wrapped in {binder}'s type hint",
                               f"body.{field}: type hint", body, layer=KEYS)  # fmt: skip
    required = [k for k in facts.fields if k in facts.required and k in raw]
    if required:
        key = required[-1]
        supplied = json.dumps({key: json.loads(raw[key])})
        rest = {k: v for k, v in raw.items() if k != key}
        yield probes.probe(f"{key} missing, given by __proto__", "body: __proto__ key",
                           json_text({**rest, "__proto__": supplied}), layer=KEYS)  # fmt: skip
        polluting = json.dumps({"prototype": json.loads(supplied)})
        yield probes.probe(f"{key} missing, given by constructor.prototype",
                           "body: constructor key",
                           json_text({**rest, "constructor": polluting}), layer=KEYS)  # fmt: skip
