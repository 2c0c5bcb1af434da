"""Hostile probes beyond schemathesis's generator, sent as raw bytes, by the layer of the
request each varies (:mod:`contract_tests.cases.layers`).

Built from the document's facts (field names, which are strings, which are enums, which
are required): no field of trigger_dream is named here. What a probe's body must get is the
oracle's word (:mod:`contract_tests.oracle`), under the run's profile; a probe whose subject
is not its body (a method, a path) says what it must get itself. The probes aimed at one
field live in :mod:`contract_tests.cases.field_probes`.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator

from .builder import MINIMAL_VALID, PLAIN_STRING, ProbeSet, json_text, raw_valid
from .field_probes import NON_FINITE, field_probes
from .layers import REQUEST_LINE, SYNTAX, VALUES
from .layers.encoding import encoding_probes
from .layers.framing import framing_probes
from .layers.keys import key_probes
from .layers.media import media_probes
from .layers.syntax import syntax_probes
from .model import Expect, Framing, Probe

__all__ = ["METHODS", "build_probes"]

UNDECLARED_LENGTH = 100_000
# Every method of RFC 9110 (and PATCH) a client can send to the operation's path.
METHODS = ("GET", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "POST")


def build_probes(probes: ProbeSet) -> list[Probe]:
    """Every hostile probe, in a fixed order (the seed picks random text and workspaces);
    the keys last: a prototype a server lets a body pollute stays polluted."""
    return [
        *_valid(probes),
        *field_probes(probes),
        *_document_probes(probes),
        *framing_probes(probes),
        *media_probes(probes),
        *encoding_probes(probes),
        *syntax_probes(probes),
        *_path_probes(probes),
        *key_probes(probes),
    ]


def _valid(probes: ProbeSet) -> Iterator[Probe]:
    facts, raw = probes.facts, raw_valid(probes)
    yield probes.probe(MINIMAL_VALID, "body", json_text(raw), layer=VALUES)
    full = dict(raw)
    for name in facts.fields:
        if name not in full:
            full[name] = json.dumps(PLAIN_STRING) if facts.is_string_field(name) else "null"
    yield probes.probe("every field given", "body", json_text(full), layer=VALUES)
    # The schema allows any undeclared key (no additionalProperties: false).
    extra = {**raw, '"kit_extra"': "1"}
    yield probes.probe("an undeclared key", "body: undeclared key", json_text(extra),
                       layer=VALUES)  # fmt: skip
    # Undeclared values are the server's to keep or drop, however long.
    rng = random.Random(f"{probes.seed}:undeclared")
    long_text = "".join(rng.choices("abcdefghijklmnopqrstuvwxyz0123456789 ", k=UNDECLARED_LENGTH))
    yield probes.probe(f"a {UNDECLARED_LENGTH:,}-character string in an undeclared key",
                       "body: undeclared key", json_text({**extra, '"kit_extra"':
                       json.dumps(long_text)}), layer=VALUES)  # fmt: skip
    for name in facts.fields:
        if facts.is_nullable(name) and name not in facts.required:
            yield probes.probe(f"{name} null", f"body.{name}", json_text({**raw, name: "null"}),
                               layer=VALUES)  # fmt: skip


def _document_probes(probes: ProbeSet) -> Iterator[Probe]:
    raw = raw_valid(probes)
    for text in ("[]", '"kit"', "42", "true", "null", "[" + json_text(raw).decode() + "]"):
        yield probes.probe(f"body {text[:20]}", "body", text.encode(), layer=VALUES)
    yield probes.probe("no body", "body: none", None, layer=VALUES, headers=())
    valid = json_text(raw).decode()
    duplicate = valid[:-1] + "," + valid[1:]
    yield probes.probe("duplicate keys", "body: duplicate keys", duplicate.encode(), layer=SYNTAX)
    for literal in NON_FINITE:
        body = json_text({**raw, '"kit_extra"': literal})
        yield probes.probe(f"{literal} in an undeclared key", "body: non-finite", body,
                           layer=SYNTAX)  # fmt: skip
    huge = json_text({**raw, '"kit_extra"': "1" + "0" * 400})
    yield probes.probe("a 401-digit number in an undeclared key", "body: big number", huge,
                       layer=SYNTAX)  # fmt: skip
    # Past the depth a reader must follow (RFC 8259 §9), a server may refuse it any way.
    deep = "[" * 100_000 + "]" * 100_000
    body = json_text({**raw, '"kit_extra"': deep})
    yield probes.probe("nesting 100,000 deep", "body: deep nesting", body, Expect.ANY,
                       layer=SYNTAX)  # fmt: skip


def _path_probes(probes: ProbeSet) -> Iterator[Probe]:
    valid = json_text(raw_valid(probes))
    rng = random.Random(f"{probes.seed}:workspace")
    unknown = f"kit-unknown-{rng.getrandbits(48):012x}"
    yield probes.probe(
        "a workspace that does not exist",
        "path: unknown workspace",
        valid,
        layer=REQUEST_LINE,
        path=probes.path(unknown),
    )
    # Any string is a workspace id; RFC 9112 recommends request lines of 8,000 octets at least.
    for length in (101, 1_000, 4_000):
        segment = "".join(rng.choices("abcdefghijklmnopqrstuvwxyz0123456789-", k=length))
        yield probes.probe(f"a workspace id of {length:,} characters",
                           f"path: {length:,} characters", valid, layer=REQUEST_LINE,
                           path=probes.path(segment))  # fmt: skip
    # RFC 3986 §2.3: the unreserved characters, which a URI carries as they are (a router
    # whose placeholder stops at a dot, or takes only word characters, misses the operation)
    yield probes.probe("a workspace id of unreserved characters",
                       "path: unreserved characters", valid, layer=REQUEST_LINE,
                       path=probes.path("Kit.ws_1~x-Z"))  # fmt: skip
    for kind, segment in {
        "percent-encoded space": "kit%20ws",
        "percent-encoded unicode": "kit-%C3%A9%F0%9F%8C%99",
        "an encoded slash": "kit%2Fws",
        "an encoded NUL": "kit%00ws",
    }.items():
        yield probes.probe(f"workspace id with {kind}", f"path: {kind}", valid, Expect.ANY,
                           layer=REQUEST_LINE, path=probes.path(segment))  # fmt: skip
    for method in METHODS:
        if method != probes.facts.operation.method:
            # HEAD written byte for byte: its answer is read to the close, so content sent
            # after the head (RFC 9110 §9.3.2 forbids it) shows however late it comes
            framing = Framing("content-length") if method == "HEAD" else None
            yield probes.probe(f"method {method}", f"method {method}", valid, Expect.METHOD,
                               layer=REQUEST_LINE, method=method, framing=framing)  # fmt: skip
