"""A campaign's mutator: Hypothesis draws changes of the valid request at every layer (the
framing and the media type it is sent in; bytes of its body flipped or made ill-formed
UTF-8; tokens of its JSON inserted, deleted, doubled and swapped; its keys in other cases),
and the oracle says what each result must get. Hypothesis shrinks a failing one towards
fewer, plainer changes: the first of each list below is the plainest.

Before it draws, a campaign sweeps the single edits of the body's tokens in order (as a
fuzzer's deterministic stage precedes its random one): each token deleted, doubled and
swapped with the next, each key in each case, each of JSON's own tokens inserted at each
boundary. There are 130 here; a bug one edit shows is found in the first seconds of a
campaign however slow the server, not when the draws happen on it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from ..cases.builder import ProbeSet, raw_valid
from ..cases.layers import ENCODING, FRAMING, KEYS, MEDIA_TYPE, SYNTAX
from ..cases.layers.encoding import ILL_FORMED
from ..cases.layers.framing import FRAMINGS
from ..cases.layers.keys import PROTOTYPE_PROPERTIES, key_variants
from ..cases.layers.media import JSON_SPELLINGS, OTHER_TYPES
from ..cases.layers.syntax import json_tokens
from ..cases.model import Framing, Probe

__all__ = ["MUTATED", "Mutant", "mutants", "single_edits"]

MUTATED = "mutated"  # the kind of input of every mutant, at its layer's place
# Tokens an insertion draws from: JSON's own (the sweep inserts these), then other
# languages', then whitespace.
_JSON_TOKENS = (",", ":", "{", "}", "[", "]", '""', "0", "null", "true", '"kit"')
_TOKENS = (
    *_JSON_TOKENS,
    "/**/", "//\n", "#\n", "NaN", "Infinity", "'kit'", "+1", "0x1", "01", ".5", "undefined",
    " ", "\t", "\n", "\r", "\u00a0", "\x0b", "\u2028", "\ufeff", "\x00",
)  # fmt: skip
_PLAIN_TYPE = "application/json"


@dataclass(frozen=True)
class Mutant:
    """One drawn request: the valid body's tokens changed, its bytes changed, sent in a
    media type and framing; ``changes`` says what was done, in order."""

    tokens: tuple[str, ...]
    flips: tuple[tuple[int, int], ...]  # (position, byte xor'd into it)
    inserted: tuple[tuple[int, bytes], ...]  # (position, an ill-formed UTF-8 sequence)
    content_type: str | None
    framing: Framing | None
    changes: tuple[str, ...]
    layer: str

    def body(self) -> bytes:
        data = bytearray("".join(self.tokens).encode("utf-8", "surrogatepass"))
        for place, sequence in self.inserted:
            at = place % (len(data) + 1)
            data[at:at] = sequence
        for at, xor in self.flips:
            if data:
                data[at % len(data)] ^= xor
        return bytes(data)


def mutants(probes: ProbeSet) -> st.SearchStrategy[Probe]:
    """Probes of the valid request changed at one layer or more, each judged by the
    oracle (under the run's profile) and placed at ``mutation: LAYER``."""
    raw = raw_valid(probes)
    tokens = json_tokens(raw)
    keys = [token for token in tokens if token.strip('"') in probes.facts.fields]
    variants = sorted({v for key in probes.facts.fields for v in key_variants(key).values()})
    vocabulary = (*_TOKENS, *(f'"{v}"' for v in variants),
                  *(f'"{name}"' for name in PROTOTYPE_PROPERTIES))  # fmt: skip
    edit = st.one_of(
        st.tuples(st.just("delete"), st.integers(0, 64)),
        st.tuples(st.just("insert"), st.integers(0, 64), st.sampled_from(vocabulary)),
        st.tuples(st.just("double"), st.integers(0, 64)),
        st.tuples(st.just("swap"), st.integers(0, 64), st.integers(0, 64)),
        st.tuples(st.just("key case"), st.integers(0, 64), st.sampled_from(_CASES)),
    )
    byte_edit = st.one_of(
        st.tuples(st.just("flip"), st.integers(0, 255), st.integers(1, 255)),
        st.tuples(st.just("ill-formed"), st.integers(0, 255), st.sampled_from(list(ILL_FORMED))),
    )
    others = [*OTHER_TYPES, "application/vnd.kit+json"]
    media = st.one_of(st.just(_PLAIN_TYPE), st.sampled_from(list(JSON_SPELLINGS.values())),
                      st.sampled_from(others), st.none())  # fmt: skip
    framing = st.one_of(st.none(), st.sampled_from(list(FRAMINGS.values())))

    @st.composite
    def drawn(draw: Callable[..., Any]) -> Probe:
        mutant = _apply(
            tokens,
            keys,
            draw(st.lists(edit, max_size=4)),
            draw(st.lists(byte_edit, max_size=2)),
            envelope=(draw(media), draw(framing)),
        )
        return _probe(probes, mutant)

    return drawn()


def single_edits(probes: ProbeSet) -> Iterator[Probe]:
    """The valid body changed by one edit of its tokens, sent as it is (application/json,
    Content-Length): each token deleted, doubled and swapped with the next, each key in
    each case, then each of JSON's own tokens inserted at each boundary; each body once."""
    tokens = json_tokens(raw_valid(probes))
    keys = [token for token in tokens if token.strip('"') in probes.facts.fields]
    edits: list[tuple[Any, ...]] = [
        *(("delete", at) for at in range(len(tokens))),
        *(("double", at) for at in range(len(tokens))),
        *(("swap", at, at + 1) for at in range(len(tokens) - 1)),
        *(("key case", at, how) for at in range(len(keys)) for how in _CASES),
        *(("insert", at, token) for token in _JSON_TOKENS for at in range(len(tokens) + 1)),
    ]
    seen: set[bytes] = set()
    for edit in edits:
        mutant = _apply(tokens, keys, [edit], [], envelope=(_PLAIN_TYPE, None))
        if (body := mutant.body()) not in seen:  # a comma doubled is one inserted after it
            seen.add(body)
            yield _probe(probes, mutant)


def _probe(probes: ProbeSet, mutant: Mutant) -> Probe:
    headers = () if mutant.content_type is None else (("content-type", mutant.content_type),)
    return probes.probe(
        f"a mutant: {'; '.join(mutant.changes) or 'unchanged'}",
        f"mutation: {mutant.layer}",
        mutant.body(),
        layer=mutant.layer,
        headers=headers,
        framing=mutant.framing,
    )


_CASES = ("upper", "capitalized", "swapped")


def _apply(
    base: list[str],
    keys: list[str],
    edits: list[tuple[Any, ...]],
    byte_edits: list[tuple[Any, ...]],
    *,
    envelope: tuple[str | None, Framing | None],
) -> Mutant:
    content_type, framing = envelope
    tokens, changes, layers = list(base), [], []
    for edit in edits:
        kind, at = edit[0], edit[1] % (len(tokens) + 1)
        if kind == "insert":
            tokens.insert(at, edit[2])
            changes.append(f"{edit[2]!r} inserted at token {at}")
        elif not tokens:
            continue
        elif kind == "delete":
            at %= len(tokens)
            changes.append(f"token {at} ({tokens.pop(at)!r}) deleted")
        elif kind == "double":
            at %= len(tokens)
            tokens.insert(at, tokens[at])
            changes.append(f"token {at} ({tokens[at]!r}) doubled")
        elif kind == "swap":
            at, other = at % len(tokens), edit[2] % len(tokens)
            tokens[at], tokens[other] = tokens[other], tokens[at]
            changes.append(f"tokens {at} and {other} swapped")
        elif kind == "key case" and keys:
            key = keys[at % len(keys)]
            if key in tokens:
                spelt = _cased(key.strip('"'), edit[2])
                tokens[tokens.index(key)] = f'"{spelt}"'
                changes.append(f"key {key} as {spelt!r}")
                layers.append(KEYS)
                continue
        else:
            continue
        layers.append(SYNTAX)
    flips, inserted = [], []
    for kind, at, what in byte_edits:
        if kind == "flip":
            flips.append((at, what))
            changes.append(f"byte {at} xor {what:#04x}")
        else:
            inserted.append((at, ILL_FORMED[what]))
            changes.append(f"{what} at byte {at}")
        layers.append(ENCODING)
    if content_type != _PLAIN_TYPE:
        changes.append(f"sent as {content_type or 'no media type'}")
        layers.append(MEDIA_TYPE)
    if framing is not None:
        changes.append(f"framed {framing.name}")
        layers.append(FRAMING)
    return Mutant(tuple(tokens), tuple(flips), tuple(inserted), content_type, framing,
                  tuple(changes), layers[0] if layers else SYNTAX)  # fmt: skip


def _cased(key: str, how: str) -> str:
    if how == "upper":
        return key.upper()
    if how == "capitalized":
        return key[:1].upper() + key[1:]
    return key.swapcase()
