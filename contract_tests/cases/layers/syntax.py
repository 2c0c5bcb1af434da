"""JSON syntax (RFC 8259's grammar): token-level changes of the valid body that a lenient
decoder reads as JSON and RFC 8259 does not (data after the value, a second value, comments,
trailing commas, quotes and numbers of other languages, raw control characters, invalid
escapes, whitespace JSON does not know, truncation at each token boundary, no text at all),
and the changes the grammar allows, which a naive one refuses (escapes in keys and values,
insignificant whitespace everywhere, numbers in every form).

Every probe's expectation is the oracle's: a reader of RFC 8259 takes the allowed changes
and refuses the others.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from ...oracle import Expect
from ..builder import ProbeSet, json_text, raw_valid
from ..model import Probe
from . import SYNTAX

__all__ = ["MALFORMED", "json_tokens", "syntax_probes"]

MALFORMED = "malformed"  # the kind of every text that is not JSON: one cause however made
_EXTRA = '"kit_extra"'


def json_tokens(members: dict[str, str]) -> list[str]:
    """The tokens of the object :func:`~contract_tests.cases.builder.json_text` writes of
    ``members`` (raw member texts, each taken as one token).

    >>> json_tokens({"a": "1"})
    ['{', '"a"', ':', '1', '}']
    """
    tokens = ["{"]
    for at, (key, raw) in enumerate(members.items()):
        tokens += [",", json.dumps(key), ":", raw] if at else [json.dumps(key), ":", raw]
    return [*tokens, "}"]


def syntax_probes(probes: ProbeSet) -> Iterator[Probe]:
    raw = raw_valid(probes)
    valid = json_text(raw).decode()
    first_key = next(iter(raw), None)
    for kind, text in _changes(raw, valid, first_key).items():
        body = text.encode("utf-8", "surrogatepass")
        read = probes.oracle.read(body)
        refused = read.expect is Expect.REJECT and read.lenient  # not JSON at all
        yield probes.probe(kind, f"body: {MALFORMED if refused else 'JSON syntax'}", body,
                           layer=SYNTAX)  # fmt: skip


def _changes(raw: dict[str, str], valid: str, first_key: str | None) -> dict[str, str]:
    tokens = json_tokens(raw)
    comma = valid.index(",") + 1 if "," in valid else len(valid) - 1

    def extra(text: str) -> str:
        return valid[:-1] + f",{_EXTRA}:{text}}}"

    def in_first(text: str) -> str:
        return json_text({**raw, first_key: text}).decode() if first_key else extra(text)

    changes = {
        # after the value
        "data after the value": valid + " kit",
        "a second value": valid + valid,
        "a second value on a line of its own": valid + "\n" + valid,
        "a closing brace too many": valid + "}",
        "a comma after the value": valid + ",",
        "null after the value": valid + " null",
        # comments
        "a block comment before the value": "/* kit */" + valid,
        "a line comment inside": valid[:comma] + "// kit\n" + valid[comma:],
        "a hash comment inside": valid[:comma] + "# kit\n" + valid[comma:],
        # commas
        "a trailing comma": valid[:-1] + ",}",
        "a trailing comma in an array": extra("[1,]"),
        "a missing comma": valid.replace(",", " ", 1) if "," in valid else valid[:-1] + ' "k":1}',
        # quotes and names
        "single quotes": valid.replace('"', "'"),
        "a single-quoted value": in_first("'kit'"),
        "unquoted keys": "{" + ",".join(f"{k}:{v}" for k, v in raw.items()) + "}",
        # numbers of other languages
        "a leading zero": extra("01"),
        "a plus sign": extra("+1"),
        "a hexadecimal number": extra("0x1F"),
        "a fraction without its integer": extra(".5"),
        "a point without a fraction": extra("1."),
        "an exponent without digits": extra("1e"),
        # literals of other languages
        "True": extra("True"),
        "NULL": extra("NULL"),
        "undefined": extra("undefined"),
        # strings
        "a raw tab in a string": in_first('"kit\tpeer"'),
        "a raw line feed in a string": in_first('"kit\npeer"'),
        "a raw NUL in a string": in_first('"kit\x00peer"'),
        "a raw unit separator in a string": in_first('"kit\x1fpeer"'),
        "an invalid escape \\x": in_first('"kit\\x41"'),
        "an escaped single quote": in_first('"kit\\\'s"'),
        "a unicode escape of two digits": in_first('"kit\\u41"'),
        "an escape \\U of eight digits": in_first('"kit\\U0001F319"'),
        # whitespace JSON does not know (RFC 8259 §2: space, tab, line feed, return)
        "a no-break space between tokens": valid.replace(":", ":\u00a0", 1),
        "a vertical tab between tokens": valid.replace(":", ":\x0b", 1),
        "a form feed between tokens": valid.replace(":", ":\x0c", 1),
        "a line separator between tokens": valid.replace(":", ":\u2028", 1),
        "a byte order mark between tokens": valid.replace(":", ":\ufeff", 1),
        # no text
        "an empty body": "",
        "whitespace only": " \r\n\t",
        "not JSON": "kit=1&peer=2",
        # what the grammar allows
        "whitespace around every token": " \r\n\t".join(["", *tokens, ""]),
        "numbers in every form": extra("[-0,0.5,1E2,1e+2,-1.5e-3,10]"),
        "an empty key": extra("1").replace(_EXTRA, '""', 1),
        "an escaped solidus": extra('"kit\\/peer"'),
        "a surrogate pair escape": extra('"\\ud83c\\udf19"'),
    }
    if first_key is not None:
        escaped = "".join(f"\\u{ord(c):04x}" for c in first_key)
        changes["a key written in escapes"] = valid.replace(f'"{first_key}"', f'"{escaped}"', 1)
        value = json.loads(raw[first_key])
        if isinstance(value, str) and value:
            spelt = json.dumps(value)[1:-1]
            changes["a value written in escapes"] = in_first(f'"\\u{ord(spelt[0]):04x}{spelt[1:]}"')
    for at in range(1, len(tokens)):
        changes[f"truncated after {at} of its {len(tokens)} tokens"] = "".join(tokens[:at])
    return changes
