"""Probes aimed at one field: wrong types, non-finite numbers, enum look-alikes, strings that
break other stacks, and strings past common size limits.

Strings the schema allows must be accepted whatever they hold: whitespace, padding,
zero-width and bidi characters, combining marks, astral characters, line breaks, NUL,
names that are special in other runtimes. Enum values are matched exactly: a look-alike
(another case, padding, a zero-width character, a prototype property name) is refused.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator

from .builder import ProbeSet, json_text, raw_valid
from .layers import VALUES
from .model import Probe

__all__ = ["LONG_LENGTHS", "NON_FINITE", "field_probes"]

NON_FINITE = ("NaN", "Infinity", "-Infinity", "1e999")
WRONG_TYPES = {"integer": "42", "float": "4.2", "boolean": "true", "list": '["x"]', "object": "{}"}
# 1 MiB and 10 MiB are common frameworks' default body limits; the document sets none.
LONG_LENGTHS = (1_000, 1_400, 10_000, 100_000, 1_000_000, (1 << 20) + 1, (10 << 20) + 1)
# Valid strings that trip validators written for other stacks.
STRING_VARIANTS = {
    "whitespace": "   ",
    "padded": " kit peer ",
    "zero-width": "kit\u200bpeer",
    "bidi": "kit\u202epeer",
    "combining": "kit\u0065\u0301",
    "astral": "kit \U0001f319 \U0001d11e",
    "line breaks": "kit\npeer\r\n\u2028",
    "unicode": "ゆき 🌙 é",
    "empty": "",
    "NUL": "kit\u0000peer",
    "constructor": "constructor",
    "__proto__": "__proto__",
}
# Enum look-alikes: what a lenient comparison or a plain-object look-up lets through.
PROTOTYPE_NAMES = ("constructor", "__proto__", "toString", "hasOwnProperty", "valueOf")


def field_probes(probes: ProbeSet) -> Iterator[Probe]:
    facts, raw = probes.facts, raw_valid(probes)
    for name in facts.fields:
        where = f"body.{name}"
        if name in facts.required:
            missing = {k: v for k, v in raw.items() if k != name}
            yield probes.probe(f"{name} missing", where, json_text(missing), layer=VALUES)
        for kind, value in WRONG_TYPES.items():
            body = json_text({**raw, name: value})
            yield probes.probe(f"{name} as {kind}", f"{where}: {kind}", body, layer=VALUES)
        if not facts.is_nullable(name):
            body = json_text({**raw, name: "null"})
            yield probes.probe(f"{name} null", f"{where}: null", body, layer=VALUES)
        for literal in NON_FINITE:
            # Not JSON (RFC 8259): refused as a whole, or read as a number and refused here.
            body = json_text({**raw, name: literal})
            yield probes.probe(f"{name} as {literal}", f"{where}: {literal}", body, layer=VALUES)
        nested = "[" * 50 + "]" * 50
        body = json_text({**raw, name: nested})
        yield probes.probe(f"{name} nested 50 deep", f"{where}: nested", body, layer=VALUES)
        if facts.enum_values(name):
            yield from _enum_probes(probes, name, raw)
        if facts.is_string_field(name):
            yield from _string_probes(probes, name, raw)


def _enum_probes(probes: ProbeSet, name: str, raw: dict[str, str]) -> Iterator[Probe]:
    first = str(probes.facts.enum_values(name)[0])
    wrong: dict[str, object] = {
        "unknown": "kit-not-a-member",
        "case-changed": first.swapcase(),
        "padded": f" {first}",
        "trailing newline": f"{first}\n",
        "zero-width": f"{first}\u200b",
        "fullwidth": "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in first),
        "empty": "",
        "in a list": [first],
        **{name_: name_ for name_ in PROTOTYPE_NAMES},
    }
    for kind, value in wrong.items():
        body = json_text({**raw, name: json.dumps(value)})
        yield probes.probe(f"{name} {kind}", f"body.{name}: {kind}", body, layer=VALUES)


def _string_probes(probes: ProbeSet, name: str, raw: dict[str, str]) -> Iterator[Probe]:
    where = f"body.{name}"
    for kind, text in STRING_VARIANTS.items():
        body = json_text({**raw, name: json.dumps(text, ensure_ascii=False)})
        yield probes.probe(f"{name} with {kind}", f"{where}: {kind}", body, layer=VALUES)
    # Valid JSON text, but an unpaired surrogate (RFC 8259 §8.2): a reader may refuse it or
    # read it. A high one, and a low one, which a decoder that looks for a high one first
    # and then for its pair may let through as bytes that are not UTF-8.
    for kind, escape in (("lone surrogate", "\\ud800"), ("lone low surrogate", "\\udfff")):
        body = json_text({**raw, name: f'"{escape}"'})
        yield probes.probe(f"{name} with {kind}", f"{where}: lone surrogate", body,
                           layer=VALUES)  # fmt: skip
    rng = random.Random(f"{probes.seed}:{name}")
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789-_ "
    chunk = "".join(rng.choices(alphabet, k=1 << 16))
    for length in LONG_LENGTHS:
        text = (chunk * (length // len(chunk) + 1))[:length]
        body = json_text({**raw, name: json.dumps(text)})
        yield probes.probe(f"{name} of {length:,} characters", f"{where}: long", body,
                           layer=VALUES)  # fmt: skip
