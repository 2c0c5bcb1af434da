"""The hostile probes beside the mock's own decisions, in process: the faithful mock passes
every probe under both profiles, and each probe's expectation is the one the document gives."""

from __future__ import annotations

import functools
from collections import Counter

import pytest

from contract_tests.cases.builder import DEFAULT_WORKSPACE, ProbeSet
from contract_tests.cases.facts import ContractFacts
from contract_tests.cases.layers import CREDENTIALS, LAYERS
from contract_tests.cases.layers.encoding import ILL_FORMED, WELL_FORMED
from contract_tests.cases.layers.framing import FRAMINGS
from contract_tests.cases.layers.keys import BINDER_HINTS, PROTOTYPE_PROPERTIES, UNNAMEABLE_KEYS
from contract_tests.cases.layers.media import JSON_SPELLINGS, OTHER_TYPES
from contract_tests.cases.model import Exchange, Expect, Probe, Reply, Severity
from contract_tests.cases.probes import METHODS, build_probes
from contract_tests.checks.answers import CheckContext, run_checks
from honcho_spec import load_document

from gallery import decided

DOCUMENT = load_document()
FACTS = ContractFacts.from_document(DOCUMENT)


@functools.cache
def probes(profile: str) -> tuple[Probe, ...]:
    return tuple(build_probes(ProbeSet(FACTS, DOCUMENT, DEFAULT_WORKSPACE, profile=profile)))


def answer(probe: Probe) -> Reply:
    headers = dict(probe.headers)
    status, out, body = decided(probe.method, probe.path, headers, probe.body or b"")
    return Reply(status, tuple(out), body)


@pytest.mark.parametrize("profile", ["contract", "honcho"])
def test_the_faithful_decision_passes_every_probe(profile: str) -> None:
    ctx = CheckContext(FACTS, profile=profile)
    failures = [
        (probe.name, finding.check, finding.message)
        for probe in probes(profile)
        for finding in run_checks(Exchange(probe, answer(probe)), ctx)
        if finding.severity is Severity.FAILURE
    ]
    assert failures == []


@pytest.mark.parametrize("profile", ["contract", "honcho"])
def test_probes_are_distinct_and_each_named_once(profile: str) -> None:
    built = probes(profile)
    assert [name for name, n in Counter(p.name for p in built).items() if n > 1] == []
    sent = Counter((p.method, p.path, p.body, p.headers, p.framing) for p in built)
    assert [request for request, n in sent.items() if n > 1] == []


@pytest.mark.parametrize(
    ("profile", "name", "expect"),
    [
        pytest.param("contract", "a minimal valid body", Expect.ACCEPT, id="minimal"),
        pytest.param("contract", "observer missing", Expect.REJECT, id="missing"),
        pytest.param("contract", "dream_type unknown", Expect.REJECT, id="enum"),
        pytest.param("contract", "observed null", Expect.ACCEPT, id="nullable"),
        pytest.param("contract", "observer null", Expect.REJECT, id="not-nullable"),
        pytest.param("contract", "no body", Expect.NOT_JSON, id="no-body-contract"),
        pytest.param("honcho", "no body", Expect.REJECT, id="no-body-honcho"),
        pytest.param("contract", "duplicate keys", Expect.EITHER, id="duplicates-contract"),
        pytest.param("honcho", "duplicate keys", Expect.ACCEPT, id="duplicates-honcho"),
        pytest.param("contract", "method GET", Expect.METHOD, id="method"),
        pytest.param("contract", "no content-type", Expect.UNTYPED, id="untyped"),
        pytest.param("contract", "a workspace that does not exist", Expect.ACCEPT,
                     id="unknown-workspace"),
        pytest.param("contract", "a workspace id of unreserved characters", Expect.ACCEPT,
                     id="unreserved-workspace"),
        pytest.param("contract", "an unnameable key: an escaped NUL", Expect.ACCEPT,
                     id="nul-key"),
        pytest.param("contract", "content-type application/json-seq", Expect.NOT_JSON,
                     id="json-seq"),
        pytest.param("contract", "well-formed UTF-8: U+FFFF, a noncharacter in observer",
                     Expect.ACCEPT, id="noncharacter"),
    ],
)  # fmt: skip
@pytest.mark.slow
def test_expectations_follow_the_document(profile: str, name: str, expect: Expect) -> None:
    (probe,) = [p for p in probes(profile) if p.name == name]
    assert probe.expect is expect


@pytest.mark.parametrize("profile", ["contract", "honcho"])
@pytest.mark.parametrize(
    ("family", "count"),
    [
        pytest.param("an undeclared key ", len(PROTOTYPE_PROPERTIES), id="prototype-keys"),
        pytest.param("a type hint ", len(BINDER_HINTS), id="binder-hints"),
        pytest.param("an unnameable key: ", len(UNNAMEABLE_KEYS), id="unnameable-keys"),
        pytest.param("body ", 6, id="bodies-that-are-no-object"),
        pytest.param("truncated after ", 8, id="truncated-at-each-token"),
        pytest.param("a valid body, ", len(FRAMINGS), id="framings"),
        pytest.param("a body in UTF-", 2, id="utf-16-and-32"),
        pytest.param("a UTF-8 BOM", 1, id="bom"),
        pytest.param("not UTF-8: ", 4 * len(ILL_FORMED), id="not-utf8"),
        pytest.param("well-formed UTF-8: ", len(WELL_FORMED), id="utf8-edges"),
        pytest.param(
            "content-type ", len(JSON_SPELLINGS) + 1 + len(OTHER_TYPES), id="content-types"
        ),
        pytest.param("the fields ", 3, id="fields-elsewhere"),
        pytest.param("a workspace id of ", 4, id="long-and-unreserved-workspace-ids"),
        pytest.param("workspace id with ", 4, id="encoded-workspace-ids"),
        pytest.param("method ", len(METHODS) - 1, id="every-other-method"),
        pytest.param("nesting 100,000 deep", 1, id="deep-nesting"),
    ],
)
@pytest.mark.slow
def test_every_family_of_probes_is_sent(profile: str, family: str, count: int) -> None:
    # A family lost (a loop over nothing, a filter too tight) passes the faithful mock,
    # and the slow gallery too where no member breaks on that family.
    names = [p.name for p in probes(profile) if p.name.startswith(family)]
    assert len(names) == count, names


@pytest.mark.parametrize("profile", ["contract", "honcho"])
def test_every_layer_has_its_probes(profile: str) -> None:
    # the credentials' probes are the session's (tokens, the run's own credentials spoilt)
    sent = Counter(p.layer for p in probes(profile))
    assert set(sent) == set(LAYERS) - {CREDENTIALS}, sent
