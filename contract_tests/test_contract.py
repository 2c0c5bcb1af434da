"""The contract, as pytest tests: ``pytest --pyargs contract_tests --base-url URL``.

Collecting this module is what wakes the plugin (:mod:`contract_tests.plugin`): its options
are read, and the server contacted, only then.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from honcho_spec import GoldenCase, default_document_path, load_document, load_golden_cases

from .cases.builder import DEFAULT_WORKSPACE, ProbeSet
from .cases.facts import ContractFacts
from .cases.model import Finding, Probe
from .cases.probes import build_probes
from .cases.tokens import CREDENTIALS, credential_probes, token_probes
from .errors import UsageError
from .plugin import NO_SERVER, contract_config
from .pytest_mode import (
    check_probe,
    out_of_time,
    report_findings,
    session_for,
    skip_if_stopped,
    stopped,
)
from .run.memory import Memory
from .run.session import Session, credentials_for
from .wire.reproduce import redacted


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    names = set(metafunc.fixturenames)
    if not {"probe", "token", "golden"} & names:
        return
    try:
        config = contract_config(metafunc.config)
    except pytest.UsageError:  # said once, by the plugin, when the collection ends
        config = None
    if config is None:  # one skipped test each, with the reason
        for name in {"probe", "token", "golden"} & names:
            metafunc.parametrize(name, [pytest.param(None, marks=pytest.mark.skip(NO_SERVER))])
        return
    document = load_document(config.spec_path or default_document_path())
    probes = ProbeSet(
        facts=ContractFacts.from_document(document),
        document=document,
        workspace_id=config.workspace_id or DEFAULT_WORKSPACE,
        seed=config.seed,
        profile=config.profile,
    )
    if "probe" in names:
        items = build_probes(probes)
        metafunc.parametrize("probe", items, ids=[p.name for p in items])
    if "token" in names:
        tokens = list(token_probes(probes, config.jwt_secret)) if config.jwt_secret else []
        credentials = credentials_for(config)
        if credentials:
            tokens += credential_probes(replace(probes, auth_headers=credentials))
        metafunc.parametrize("token", tokens, ids=[p.name for p in tokens])
    if "golden" in names:
        cases = load_golden_cases()
        metafunc.parametrize("golden", cases, ids=[case.name for case in cases])


@pytest.fixture(scope="session")
def contract_session(request: pytest.FixtureRequest) -> Iterator[Session]:
    config = contract_config(request.config)
    if config is None:
        pytest.skip(NO_SERVER)
    session = session_for(request.config, config)
    yield session
    session.close()


def test_auth_expectations(contract_session: Session) -> None:
    report_findings(contract_session.auth_findings)


def test_hostile_probe(contract_session: Session, probe: Probe) -> None:
    check_probe(contract_session, contract_session.authorize(probe))


def test_token(contract_session: Session, token: Probe) -> None:
    if contract_session.config.auth == "off":
        pytest.skip("--auth off")
    if token.location.startswith(CREDENTIALS + ":") and not contract_session.auth.enforced:
        pytest.skip("the server does not enforce credentials")
    check_probe(contract_session, token)


def test_golden_case(contract_session: Session, golden: GoldenCase) -> None:
    fixture = contract_session.fixture_probe(golden)
    honcho_only = golden.profile == "honcho" != contract_session.config.profile
    if fixture is None and honcho_only:
        pytest.skip("a case of Honcho's own answers: --profile honcho replays it")
    if fixture is None:
        pytest.skip("needs a server that enforces auth and --jwt-secret")
    check_probe(contract_session, fixture.probe, fixture)


def test_generated_cases(contract_session: Session) -> None:
    skip_if_stopped()
    session = contract_session
    findings: list[Finding] = []
    memory = _memory(session)
    try:
        run = session.generated(on_case=findings.extend, memory=memory, stop=out_of_time)
    finally:
        if memory is not None:
            memory.close()
    findings = list(redacted(findings, session.sent_headers, session.config.show_secrets))
    if run.stopped is not None:
        findings.append(stopped(session, run.stopped))
    assert not run.errors, run.errors
    report_findings(findings, session.config.reproducers_dir)


def _memory(session: Session) -> Memory | None:
    """``--example-db``'s kept cases; a database it cannot use ends pytest with one line."""
    try:
        return session.open_memory()
    except UsageError as exc:
        pytest.exit(f"honcho-contract: error: {exc}", returncode=2)
