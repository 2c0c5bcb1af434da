"""Hostile probes beyond schemathesis's generator, sent as raw bytes.

Built from the document's facts (field names, which are strings, which are enums, which
are required): no field of trigger_dream is named here.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass

from honcho_spec import SpecDocument, example_for_schema

from .facts import ContractFacts
from .model import Expect, Probe

__all__ = [
    "DEFAULT_WORKSPACE",
    "MINIMAL_VALID",
    "ProbeSet",
    "build_probes",
    "json_text",
    "raw_valid",
    "valid_body",
]

MINIMAL_VALID = "a minimal valid body"
# The workspace probes go to unless --workspace-id names one.
DEFAULT_WORKSPACE = "contract-kit"

JSON = (("content-type", "application/json"),)
LONG_LENGTHS = (1_000, 1_400, 10_000, 100_000, 1_000_000)
NON_FINITE = ("NaN", "Infinity", "-Infinity", "1e999")
WRONG_TYPES = {"integer": "42", "float": "4.2", "boolean": "true", "list": '["x"]', "object": "{}"}
CONTENT_TYPES = (
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=kit",
    "application/xml",
    "application/octet-stream",
)
_PLAIN_STRING = "contract-kit"


@dataclass(frozen=True)
class ProbeSet:
    """Builds probes against one workspace, with one set of credentials."""

    facts: ContractFacts
    document: SpecDocument
    workspace_id: str
    auth_headers: tuple[tuple[str, str], ...] = ()
    seed: int = 0

    def path(self, workspace_id: str | None = None) -> str:
        ws = workspace_id if workspace_id is not None else self.workspace_id
        values = dict.fromkeys(self.facts.path_parameters, ws)
        return self.facts.path_for(**values)

    def probe(
        self,
        name: str,
        location: str,
        body: bytes | None,
        expect: Expect,
        *,
        headers: tuple[tuple[str, str], ...] = JSON,
        method: str | None = None,
        path: str | None = None,
    ) -> Probe:
        return Probe(
            name=name,
            location=location,
            method=method or self.facts.operation.method,
            path=path or self.path(),
            body=body,
            headers=(*headers, *self.auth_headers),
            expect=expect,
            credentials=bool(self.auth_headers),
        )


def valid_body(facts: ContractFacts, document: SpecDocument) -> dict[str, object]:
    """The smallest valid body: each required field with its first allowed value."""
    body = {}
    for name in facts.fields:
        if name in facts.required:
            value = example_for_schema(facts.field_schemas[name], document)
            body[name] = _PLAIN_STRING if value == "string" else value
    return body


def json_text(members: dict[str, str]) -> bytes:
    """A JSON object from raw member texts (which need not be valid JSON values)."""
    inner = ",".join(f"{json.dumps(key)}:{raw}" for key, raw in members.items())
    return ("{" + inner + "}").encode("utf-8", "surrogatepass")


def build_probes(probes: ProbeSet) -> list[Probe]:
    """Every hostile probe, in a fixed order (the seed only picks the unknown workspace)."""
    return [
        *_valid(probes),
        *_field_probes(probes),
        *_document_probes(probes),
        *_encoding_probes(probes),
        *_path_probes(probes),
    ]


def raw_valid(probes: ProbeSet) -> dict[str, str]:
    """The valid body's members as JSON texts."""
    return {k: json.dumps(v) for k, v in valid_body(probes.facts, probes.document).items()}


def _valid(probes: ProbeSet) -> Iterator[Probe]:
    facts, raw = probes.facts, raw_valid(probes)
    yield probes.probe(MINIMAL_VALID, "body", json_text(raw), Expect.ACCEPT)
    full = dict(raw)
    for name in facts.fields:
        if name not in full:
            full[name] = json.dumps(_PLAIN_STRING) if facts.is_string_field(name) else "null"
    yield probes.probe("every field given", "body", json_text(full), Expect.ACCEPT)
    extra = {**raw, '"kit_extra"': "1"}
    yield probes.probe("an undeclared key", "body", json_text(extra), Expect.ANY)
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


def _field_probes(probes: ProbeSet) -> Iterator[Probe]:
    facts, raw = probes.facts, raw_valid(probes)
    for name in facts.fields:
        where = f"body.{name}"
        if name in facts.required:
            missing = {k: v for k, v in raw.items() if k != name}
            yield probes.probe(f"{name} missing", where, json_text(missing), Expect.REJECT)
        for kind, value in WRONG_TYPES.items():
            body = json_text({**raw, name: value})
            yield probes.probe(f"{name} as {kind}", f"{where}: {kind}", body, Expect.REJECT)
        if not facts.is_nullable(name):
            body = json_text({**raw, name: "null"})
            yield probes.probe(f"{name} null", f"{where}: null", body, Expect.REJECT)
        for literal in NON_FINITE:
            body = json_text({**raw, name: literal})
            yield probes.probe(f"{name} as {literal}", f"{where}: {literal}", body, Expect.REJECT)
        nested = "[" * 50 + "]" * 50
        body = json_text({**raw, name: nested})
        yield probes.probe(f"{name} nested 50 deep", f"{where}: nested", body, Expect.REJECT)
        if facts.enum_values(name):
            yield from _enum_probes(probes, name, raw)
        if facts.is_string_field(name):
            yield from _string_probes(probes, name, raw)


def _enum_probes(probes: ProbeSet, name: str, raw: dict[str, str]) -> Iterator[Probe]:
    first = str(probes.facts.enum_values(name)[0])
    wrong = {"unknown": "kit-not-a-member", "case-changed": first.swapcase(),
             "padded": f" {first}", "empty": ""}  # fmt: skip
    for kind, value in wrong.items():
        body = json_text({**raw, name: json.dumps(value)})
        yield probes.probe(f"{name} {kind}", f"body.{name}: {kind}", body, Expect.REJECT)


def _string_probes(probes: ProbeSet, name: str, raw: dict[str, str]) -> Iterator[Probe]:
    where = f"body.{name}"
    specials = {  # a lone surrogate is valid JSON text that some parsers refuse: ANY
        "NUL": (json.dumps("kit\u0000peer"), Expect.ACCEPT),
        "lone surrogate": ('"\\ud800"', Expect.ANY),
        "unicode": (json.dumps("ゆき 🌙 é", ensure_ascii=False), Expect.ACCEPT),
        "empty": ('""', Expect.ACCEPT),
    }
    for kind, (value, expect) in specials.items():
        body = json_text({**raw, name: value})
        yield probes.probe(f"{name} with {kind}", f"{where}: {kind}", body, expect)
    rng = random.Random(f"{probes.seed}:{name}")
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789-_ "
    for length in LONG_LENGTHS:
        text = "".join(rng.choices(alphabet, k=length))
        body = json_text({**raw, name: json.dumps(text)})
        yield probes.probe(
            f"{name} of {length:,} characters", f"{where}: long", body, Expect.ACCEPT
        )


def _document_probes(probes: ProbeSet) -> Iterator[Probe]:
    raw = raw_valid(probes)
    for text in ("[]", '"kit"', "42", "true", "null", "[" + json_text(raw).decode() + "]"):
        yield probes.probe(f"body {text[:20]}", "body", text.encode(), Expect.REJECT)
    yield probes.probe("an empty body", "body", b"", Expect.REJECT)
    yield probes.probe("no body", "body", None, Expect.REJECT, headers=())
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
    yield probes.probe("duplicate keys", "body: duplicate keys", duplicate.encode(), Expect.ANY)
    for literal in NON_FINITE:
        body = json_text({**raw, '"kit_extra"': literal})
        yield probes.probe(f"{literal} in an undeclared key", "body: non-finite", body, Expect.ANY)
    deep = "[" * 100_000 + "]" * 100_000
    body = json_text({**raw, '"kit_extra"': deep})
    yield probes.probe("nesting 100,000 deep", "body: deep nesting", body, Expect.ANY)


def _encoding_probes(probes: ProbeSet) -> Iterator[Probe]:
    valid = json_text(raw_valid(probes))
    yield probes.probe("a UTF-8 BOM", "body: BOM", b"\xef\xbb\xbf" + valid, Expect.ANY)
    yield probes.probe("UTF-16", "body: UTF-16", valid.decode().encode("utf-16"), Expect.ANY)
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
    yield probes.probe("no content-type", "header.content-type", valid, Expect.ANY, headers=())


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
    for kind, segment in {
        "percent-encoded space": "kit%20ws",
        "percent-encoded unicode": "kit-%C3%A9%F0%9F%8C%99",
        "an encoded slash": "kit%2Fws",
        "an encoded NUL": "kit%00ws",
        "4,000 characters": "w" * 4000,
    }.items():
        yield probes.probe(f"workspace id with {kind}", f"path: {kind}", valid, Expect.ANY,
                           path=probes.path(segment))  # fmt: skip
    for method in ("GET", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"):
        if method != probes.facts.operation.method:
            yield probes.probe(f"method {method}", f"method {method}", valid, Expect.ANY,
                               method=method)  # fmt: skip
