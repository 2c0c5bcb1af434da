"""Hostile probes beyond schemathesis's generator, sent as raw bytes.

Built from the document's facts (field names, which are strings, which are enums, which
are required): no field of trigger_dream is named here. Each probe says what the contract
lets a server answer and, where stricter, what Honcho 2.5.1 answers (the ``honcho``
profile). The probes aimed at one field live in :mod:`contract_tests.cases.field_probes`.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator

from .builder import MINIMAL_VALID, PLAIN_STRING, ProbeSet, json_text, raw_valid
from .field_probes import NON_FINITE, field_probes
from .model import Expect, Probe

__all__ = ["build_probes"]

CONTENT_TYPES = (
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=kit",
    "application/xml",
    "application/octet-stream",
)
# Names that are special in other runtimes' objects (JavaScript's prototype chain, Python's
# dunders): as undeclared keys, a valid body.
PROTOTYPE_KEYS = ("__proto__", "constructor", "prototype", "toString", "__class__")
UNDECLARED_LENGTH = 100_000
# Every method of RFC 9110 (and PATCH) a client can send to the operation's path.
METHODS = ("GET", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "POST")


def build_probes(probes: ProbeSet) -> list[Probe]:
    """Every hostile probe, in a fixed order (the seed picks random text and workspaces)."""
    return [
        *_valid(probes),
        *field_probes(probes),
        *_document_probes(probes),
        *_encoding_probes(probes),
        *_path_probes(probes),
    ]


def _valid(probes: ProbeSet) -> Iterator[Probe]:
    facts, raw = probes.facts, raw_valid(probes)
    yield probes.probe(MINIMAL_VALID, "body", json_text(raw), Expect.ACCEPT)
    full = dict(raw)
    for name in facts.fields:
        if name not in full:
            full[name] = json.dumps(PLAIN_STRING) if facts.is_string_field(name) else "null"
    yield probes.probe("every field given", "body", json_text(full), Expect.ACCEPT)
    # The schema allows any undeclared key (no additionalProperties: false).
    extra = {**raw, '"kit_extra"': "1"}
    yield probes.probe("an undeclared key", "body: undeclared key", json_text(extra),
                       Expect.ACCEPT)  # fmt: skip
    # Undeclared values are the server's to keep or drop, however long.
    rng = random.Random(f"{probes.seed}:undeclared")
    long_text = "".join(rng.choices("abcdefghijklmnopqrstuvwxyz0123456789 ", k=UNDECLARED_LENGTH))
    yield probes.probe(f"a {UNDECLARED_LENGTH:,}-character string in an undeclared key",
                       "body: undeclared key", json_text({**extra, '"kit_extra"':
                       json.dumps(long_text)}), Expect.ACCEPT)  # fmt: skip
    for key in PROTOTYPE_KEYS:
        body = json_text({**raw, key: '{"kit": 1}'})
        yield probes.probe(f"an undeclared key {key}", f"body: {key} key", body, Expect.ACCEPT)
    yield probes.probe(
        "a JSON content-type with charset",
        "header.content-type",
        json_text(raw),
        Expect.ACCEPT,
        headers=(("content-type", "application/json; charset=utf-8"),),
    )
    for name in facts.fields:
        if facts.is_nullable(name) and name not in facts.required:
            yield probes.probe(
                f"{name} null", f"body.{name}", json_text({**raw, name: "null"}), Expect.ACCEPT
            )


def _document_probes(probes: ProbeSet) -> Iterator[Probe]:
    raw = raw_valid(probes)
    for text in ("[]", '"kit"', "42", "true", "null", "[" + json_text(raw).decode() + "]"):
        yield probes.probe(f"body {text[:20]}", "body", text.encode(), Expect.REJECT)
    yield probes.probe("an empty body", "body", b"", Expect.REJECT)
    yield probes.probe("no body", "body: none", None, Expect.NOT_JSON, headers=(),
                       honcho=Expect.REJECT)  # fmt: skip
    valid = json_text(raw).decode()
    for kind, text in {
        "truncated": valid[: len(valid) // 2],
        "trailing comma": valid[:-1] + ",}",
        "not JSON": "kit=1&peer=2",
        "single quotes": valid.replace('"', "'"),
    }.items():
        yield probes.probe(
            f"malformed JSON: {kind}", "body: malformed", text.encode(), Expect.REJECT
        )
    duplicate = valid[:-1] + "," + valid[1:]
    yield probes.probe("duplicate keys", "body: duplicate keys", duplicate.encode(),
                       Expect.EITHER, honcho=Expect.ACCEPT, lenient=True)  # fmt: skip
    for literal in NON_FINITE:
        body = json_text({**raw, '"kit_extra"': literal})
        yield probes.probe(f"{literal} in an undeclared key", "body: non-finite", body,
                           Expect.EITHER, honcho=Expect.ACCEPT, lenient=True)  # fmt: skip
    huge = json_text({**raw, '"kit_extra"': "1" + "0" * 400})
    yield probes.probe("a 401-digit number in an undeclared key", "body: big number", huge,
                       Expect.EITHER, honcho=Expect.ACCEPT, lenient=True)  # fmt: skip
    deep = "[" * 100_000 + "]" * 100_000
    body = json_text({**raw, '"kit_extra"': deep})
    yield probes.probe("nesting 100,000 deep", "body: deep nesting", body, Expect.ANY)


def _encoding_probes(probes: ProbeSet) -> Iterator[Probe]:
    valid = json_text(raw_valid(probes))
    text = valid.decode()
    for kind, body in {
        "BOM": b"\xef\xbb\xbf" + valid,
        "UTF-16": text.encode("utf-16"),
        "UTF-32": text.encode("utf-32"),
    }.items():
        yield probes.probe(f"a body in {kind}" if kind != "BOM" else "a UTF-8 BOM",
                           f"body: {kind}", body, Expect.EITHER, honcho=Expect.ACCEPT,
                           lenient=True)  # fmt: skip
    for kind, body in {
        "Latin-1 bytes": valid.replace(b'"}', b'\xe9"}'),
        "invalid UTF-8": b'{"\xff\xfe": "\xc3\x28"}',
        "a lone continuation byte": b"\x80",
    }.items():
        yield probes.probe(f"not UTF-8: {kind}", "body: not UTF-8", body, Expect.NOT_JSON)
    for content_type in CONTENT_TYPES:
        yield probes.probe(
            f"content-type {content_type}",
            "header.content-type",
            valid,
            Expect.NOT_JSON,
            headers=(("content-type", content_type),),
        )
    yield probes.probe("no content-type", "header.content-type: none", valid, Expect.UNTYPED,
                       headers=(), honcho=Expect.ACCEPT)  # fmt: skip


def _path_probes(probes: ProbeSet) -> Iterator[Probe]:
    valid = json_text(raw_valid(probes))
    rng = random.Random(f"{probes.seed}:workspace")
    unknown = f"kit-unknown-{rng.getrandbits(48):012x}"
    yield probes.probe(
        "a workspace that does not exist",
        "path: unknown workspace",
        valid,
        Expect.ACCEPT,
        path=probes.path(unknown),
    )
    # Any string is a workspace id; RFC 9112 recommends request lines of 8,000 octets at least.
    for length in (101, 1_000, 4_000):
        segment = "".join(rng.choices("abcdefghijklmnopqrstuvwxyz0123456789-", k=length))
        yield probes.probe(f"a workspace id of {length:,} characters",
                           f"path: {length:,} characters", valid, Expect.ACCEPT,
                           path=probes.path(segment))  # fmt: skip
    for kind, segment in {
        "percent-encoded space": "kit%20ws",
        "percent-encoded unicode": "kit-%C3%A9%F0%9F%8C%99",
        "an encoded slash": "kit%2Fws",
        "an encoded NUL": "kit%00ws",
    }.items():
        yield probes.probe(f"workspace id with {kind}", f"path: {kind}", valid, Expect.ANY,
                           path=probes.path(segment))  # fmt: skip
    for method in METHODS:
        if method != probes.facts.operation.method:
            yield probes.probe(f"method {method}", f"method {method}", valid, Expect.METHOD,
                               method=method)  # fmt: skip
