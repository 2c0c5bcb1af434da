"""The requests a diff sends to both servers: hostile probes, golden cases, generated cases.

Each is a :class:`~contract_tests.model.Probe` without credentials, in a fixed order. The
generated cases come from schemathesis's strategies for the document's operations,
positive and negative, drawn by Hypothesis under a fixed seed with no example database:
the same seed gives the same requests.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from itertools import chain
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import schemathesis
from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings
from schemathesis.core import NotSet
from schemathesis.core.result import Err
from schemathesis.generation import GenerationMode

from honcho_spec import load_document

from ..cases.builder import DEFAULT_WORKSPACE, ProbeSet
from ..cases.facts import ContractFacts
from ..cases.golden import Replay, fixture_probes
from ..cases.locate import locate
from ..cases.model import Probe
from ..cases.probes import build_probes
from ..cases.tokens import enforcement_probe
from ..errors import SuiteError
from ..unicode_table import seed_utf8_table

__all__ = ["diff_requests", "generated_requests", "valid_request"]

_MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)


def valid_request(document: Path, workspace_id: str | None = None) -> Probe:
    """A valid request: any answer to it shows a server is up."""
    spec = load_document(document)
    facts = ContractFacts.from_document(spec)
    return enforcement_probe(ProbeSet(facts, spec, workspace_id or DEFAULT_WORKSPACE))


def diff_requests(
    document: Path, *, seed: int, max_examples: int, workspace_id: str | None = None
) -> Iterator[Probe]:
    """Every request of a diff, each distinct one once: probes, golden cases, generated;
    ``workspace_id`` pins the workspace of all of them."""
    spec = load_document(document)
    facts = ContractFacts.from_document(spec)
    hostile = build_probes(ProbeSet(facts, spec, workspace_id or DEFAULT_WORKSPACE, seed=seed))
    # Every golden case (a diff compares, whatever the profile); auth ones need the
    # server's secret, which a diff is not given.
    golden = fixture_probes(Replay(workspace_id=workspace_id, profile="honcho"))
    generated = generated_requests(
        document, seed=seed, max_examples=max_examples, workspace_id=workspace_id
    )
    seen: set[tuple[str, str, tuple[tuple[str, str], ...], bytes | None]] = set()
    for probe in chain(hostile, (fixture.probe for fixture in golden), generated):
        key = (probe.method, probe.path, probe.headers, probe.body)
        if key not in seen:
            seen.add(key)
            yield probe


def generated_requests(
    document: Path, *, seed: int, max_examples: int, workspace_id: str | None = None
) -> list[Probe]:
    """``max_examples`` positive and as many negative cases of the operation under test.

    >>> from honcho_spec import default_document_path
    >>> first = generated_requests(default_document_path(), seed=1, max_examples=2)
    >>> first == generated_requests(default_document_path(), seed=1, max_examples=2)
    True
    """
    seed_utf8_table()
    settings: dict[str, Any] = {
        # Credentials are the diff's concern (--token-a, --token-b): none generated.
        "generation": {"database": "none", "with-security-parameters": False}
    }
    if workspace_id is not None:
        settings["parameters"] = {"path.workspace_id": workspace_id}
    config = schemathesis.Config.from_dict(settings)
    under_test = ContractFacts.from_document(load_document(document)).operation
    schema = schemathesis.openapi.from_path(document, config=config).include(
        method=under_test.method, path=under_test.path
    )
    probes: list[Probe] = []
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            raise SuiteError(f"schemathesis cannot read an operation ({result.err()})",
                             where=str(document))  # fmt: skip
        operation = result.ok()
        for mode in _MODES:
            cases = _draw(operation.as_strategy(generation_mode=mode), seed, max_examples)
            probes.extend(_probe(case, mode.value) for case in cases)
    return probes


def _draw(strategy: Any, fixed_seed: int, count: int) -> list[Any]:
    drawn: list[Any] = []

    @seed(fixed_seed)
    @settings(
        max_examples=count,
        database=None,
        derandomize=False,
        phases=(Phase.generate,),
        deadline=None,
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
        print_blob=False,
    )
    @given(strategy)
    def collect(case: Any) -> None:
        drawn.append(case)

    collect()
    return drawn


def _probe(case: Any, mode: str) -> Probe:
    path = str(case.formatted_path)
    if case.query:
        path += "?" + urlencode(case.query, doseq=True)
    headers = [(str(name).lower(), str(value)) for name, value in (case.headers or {}).items()]
    body = _body(case.body, case.media_type)
    if body is not None and case.media_type:
        headers.append(("content-type", str(case.media_type)))
    return Probe(
        name=f"generated {mode} case",
        location=locate(body),
        method=str(case.method).upper(),
        path=path,
        body=body,
        headers=tuple(headers),
    )


def _body(value: Any, media_type: str | None) -> bytes | None:
    # As schemathesis sends them: JSON through json.dumps, raw bytes as they are.
    if isinstance(value, NotSet):
        return None
    if isinstance(value, bytes):
        return value
    if isinstance(value, str) and not (media_type or "").endswith("json"):
        return value.encode("utf-8", "surrogatepass")
    return json.dumps(value).encode("utf-8")
