"""A campaign's mutator: it reaches every layer, the oracle's word on each mutant is one the
mock's own decisions keep, a failing mutant is shrunk to its smallest change and kept, and
a campaign finds a bug the fixed probes miss."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from contract_tests.cases.builder import DEFAULT_WORKSPACE, ProbeSet, json_text, raw_valid
from contract_tests.cases.facts import ContractFacts
from contract_tests.cases.layers import CREDENTIALS, KEYS, LAYERS, REQUEST_LINE, SYNTAX, VALUES
from contract_tests.cases.model import Exchange, Expect, Finding, Probe, Reply, Severity
from contract_tests.checks.answers import CheckContext, run_checks
from contract_tests.checks.causes import characterized
from contract_tests.cli import main
from contract_tests.run.mutation import Mutation
from contract_tests.run.mutator import mutants, single_edits
from honcho_spec import load_document
from mock_server import BackgroundServer, MockSettings

from gallery import SERVER_ERROR, Case, decided

DOCUMENT = load_document()
FACTS = ContractFacts.from_document(DOCUMENT)
PROBES = ProbeSet(FACTS, DOCUMENT, DEFAULT_WORKSPACE)
CTX = CheckContext(FACTS)
MUTANTS = mutants(PROBES)


def answer(probe: Probe) -> Reply:
    status, headers, body = decided(
        probe.method, probe.path, dict(probe.headers), probe.body or b""
    )
    return Reply(status, tuple(headers), body)


def test_the_mutator_reaches_every_layer_of_the_body() -> None:
    drawn: Counter[str] = Counter()

    @settings(max_examples=400, database=None, suppress_health_check=list(HealthCheck))
    @given(MUTANTS)
    def draw(probe: Probe) -> None:
        drawn[probe.layer] += 1

    draw()
    # the request line and credentials are the fixed probes' (one path, one token)
    assert set(drawn) == set(LAYERS) - {REQUEST_LINE, CREDENTIALS, VALUES}, drawn


@settings(max_examples=300, database=None, suppress_health_check=list(HealthCheck))
@given(MUTANTS)
def test_the_mock_keeps_the_oracles_word_on_every_mutant(probe: Probe) -> None:
    # the mock decides as Honcho does (pydantic-core and Python's json), but for its
    # defects: an independent judge of what the oracle says each mutant must get
    failures = [f for f in run_checks(Exchange(probe, answer(probe)), CTX)
                if f.severity is Severity.FAILURE]  # fmt: skip
    assert failures == [], (probe.body, probe.headers, probe.expect)


class _Memory:
    def __init__(self) -> None:
        self.kept: list[tuple[Probe, int]] = []

    def keep(self, probe: Probe, status: int, _found: Any, _theirs: Any) -> None:
        self.kept.append((probe, status))


def test_a_failing_mutant_is_shrunk_to_one_change_and_kept() -> None:
    # a server that crashes on a comment anywhere in the body
    sent: list[Probe] = []

    def check(probe: Probe) -> list[Finding]:
        sent.append(probe)
        crashes = b"/*" in (probe.body or b"") or b"//" in (probe.body or b"")
        reply = Reply(500, (("content-type", "application/json"),), b'{"detail":"boom"}') \
            if crashes else answer(probe)  # fmt: skip
        exchange = Exchange(probe, reply)
        return characterized(exchange, run_checks(exchange, CTX))

    memory = _Memory()
    reported: list[list[Finding]] = []
    mutation = Mutation(PROBES, check, memory=memory)  # type: ignore[arg-type]
    done = mutation.run(3.0, seed=7, on_case=reported.append)
    failures = [f for findings in reported for f in findings if f.severity is Severity.FAILURE]
    assert failures, f"{len(sent)} sent, none found the crash"
    (probe, status), *_ = memory.kept
    assert status == 500
    # the smallest: one token inserted, nothing else changed
    assert probe.name.count(";") == 0, probe.name
    assert "inserted" in probe.name, probe.name
    assert probe.location.startswith("mutation: ")
    assert done.cases == len(sent) - len(memory.kept)  # the confirmation is not a new case
    # the cause is searched for once: later searches look for new causes only
    assert len({f.cause_key for f in failures}) == len(failures)


def test_the_sweep_makes_each_single_edit_of_the_body_once() -> None:
    edits = list(single_edits(PROBES))
    bodies = [probe.body for probe in edits]
    assert len(set(bodies)) == len(bodies)  # a comma doubled is not sent again as inserted
    assert all(";" not in probe.name for probe in edits)  # one edit each
    assert {probe.layer for probe in edits} == {SYNTAX, KEYS}
    valid = json_text(raw_valid(PROBES))
    for token in ("{", '"observer"', ":", ",", "}"):  # each token deleted
        assert any(probe.name.endswith(f"({token!r}) deleted") for probe in edits), token
    assert valid.replace(b",", b",,") in bodies
    assert valid.replace(b'"observer"', b'"OBSERVER"') in bodies
    assert valid.replace(b"}", b",}") in bodies  # a trailing comma
    # the oracle's word on each: none of them is a valid request
    assert all(probe.expect is Expect.REJECT for probe in edits)
    assert all(probe.headers == (("content-type", "application/json"),) for probe in edits)
    assert all(probe.framing is None for probe in edits)


def _sent_by(mutation: Mutation, sends: int, sent: list[bytes]) -> None:
    before = len(sent)
    mutation.run(60.0, seed=1, on_case=lambda _findings: None,
                 stop=lambda: len(sent) - before >= sends)  # fmt: skip


def test_each_share_sweeps_on_where_the_last_stopped_then_draws() -> None:
    sent: list[bytes] = []

    def check(probe: Probe) -> list[Finding]:
        sent.append(probe.body or b"")
        return characterized(Exchange(probe, answer(probe)), [])

    sweep = [probe.body for probe in single_edits(PROBES)]
    mutation = Mutation(PROBES, check)
    _sent_by(mutation, 40, sent)
    _sent_by(mutation, len(sweep), sent)
    assert sent[: len(sweep)] == sweep  # in order, none twice, across the two shares
    assert len(sent) == 40 + len(sweep)  # the second share drew once the sweep was done
    # lane 1 of 3 sweeps every third edit: the lanes of a campaign share the sweep out
    sent.clear()
    _sent_by(Mutation(PROBES, check, lane=(1, 3)), len(sweep[1::3]), sent)
    assert sent == sweep[1::3]


def _crashes_on_doubled_commas(request: Any) -> Any:
    return SERVER_ERROR if b",," in request.body else None


@pytest.mark.slow
def test_a_campaign_finds_a_bug_no_probe_sends(tmp_path: Path) -> None:
    case = Case("doubled commas crash", before=_crashes_on_doubled_commas)
    report_path = tmp_path / "r.json"
    with BackgroundServer(MockSettings(port=0, log_level="critical"), app=case.app()) as server:
        # the run ends at its first failure: the sweep's, seconds after the fixed probes
        # (which take a loaded machine past 10 s); 60 s bounds a campaign that finds nothing
        code = main(["run", "--base-url", server.url, "--duration", "60s", "--max-failures",
                     "1", "-q", "--report-json", str(report_path)])  # fmt: skip
    report = json.loads(report_path.read_text())
    crashes = [f for f in report["failures"] if f["check"] == "server_error"]
    assert code == 1, report["failures"]
    (crash,) = crashes
    assert all(loc.startswith("mutation: ") for loc in crash["locations"]), crash
    # found by the sweep, before any draw: one edit, however slow the machine
    assert crash["message"].startswith("a mutant: token 4 (',') doubled: "), crash
    assert ",," in crash["reproducer"]
    assert report["layers"]["JSON syntax"] > 0
