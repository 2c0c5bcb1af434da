"""Building probes: one workspace, one set of credentials, one profile, and the valid body
every probe starts from.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass

from honcho_spec import SpecDocument, example_for_schema

from ..oracle import BodySchema, Expect, Oracle
from .facts import ContractFacts
from .model import Framing, Probe

__all__ = [
    "DEFAULT_WORKSPACE",
    "JSON",
    "MINIMAL_VALID",
    "PLAIN_STRING",
    "ProbeSet",
    "json_text",
    "raw_valid",
    "valid_body",
]

MINIMAL_VALID = "a minimal valid body"
# The workspace probes go to unless --workspace-id names one.
DEFAULT_WORKSPACE = "contract-kit"

JSON = (("content-type", "application/json"),)
PLAIN_STRING = "contract-kit"


@dataclass(frozen=True)
class ProbeSet:
    """Builds probes against one workspace, with one set of credentials, for one profile."""

    facts: ContractFacts
    document: SpecDocument
    workspace_id: str
    auth_headers: tuple[tuple[str, str], ...] = ()
    seed: int = 0
    profile: str = "contract"

    def path(self, workspace_id: str | None = None) -> str:
        ws = workspace_id if workspace_id is not None else self.workspace_id
        values = dict.fromkeys(self.facts.path_parameters, ws)
        return self.facts.path_for(**values)

    @functools.cached_property
    def oracle(self) -> Oracle:
        """The document's oracle: what any body must get."""
        return Oracle(BodySchema(self.document, self.facts.body_schema))

    def probe(
        self,
        name: str,
        location: str,
        body: bytes | None,
        expect: Expect | None = None,
        *,
        layer: str,
        honcho: Expect | None = None,
        lenient: bool = False,
        headers: tuple[tuple[str, str], ...] = JSON,
        method: str | None = None,
        path: str | None = None,
        framing: Framing | None = None,
    ) -> Probe:
        """A probe of ``layer`` that must get what the oracle says of its body, media type
        and coding, or ``expect`` where a probe's subject is not its body (``honcho``
        instead under the honcho profile; ``lenient``: a 422 may blame the body as a whole,
        under the contract profile only)."""
        if expect is None:
            verdict = self.oracle.judge(body, _header(headers, "content-type"),
                                        content_encoding=_header(headers, "content-encoding"),
                                        profile=self.profile)  # fmt: skip
            expect, lenient = verdict.expect, verdict.lenient
        if self.profile == "honcho":
            expect, lenient = honcho or expect, False
        return Probe(
            name=name,
            location=location,
            method=method or self.facts.operation.method,
            path=path or self.path(),
            body=body,
            headers=(*headers, *self.auth_headers),
            expect=expect,
            credentials=bool(self.auth_headers),
            lenient=lenient and self.profile != "honcho",
            layer=layer,
            framing=framing,
        )


def valid_body(facts: ContractFacts, document: SpecDocument) -> dict[str, object]:
    """The smallest valid body: each required field with its first allowed value."""
    body = {}
    for name in facts.fields:
        if name in facts.required:
            value = example_for_schema(facts.field_schemas[name], document)
            body[name] = PLAIN_STRING if value == "string" else value
    return body


def json_text(members: dict[str, str]) -> bytes:
    """A JSON object from raw member texts (which need not be valid JSON values)."""
    inner = ",".join(f"{json.dumps(key)}:{raw}" for key, raw in members.items())
    return ("{" + inner + "}").encode("utf-8", "surrogatepass")


def _header(headers: tuple[tuple[str, str], ...], name: str) -> str | None:
    return next((value for key, value in headers if key.lower() == name), None)


def raw_valid(probes: ProbeSet) -> dict[str, str]:
    """The valid body's members as JSON texts."""
    return {k: json.dumps(v) for k, v in valid_body(probes.facts, probes.document).items()}
