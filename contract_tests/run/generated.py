"""schemathesis's generated cases (examples, coverage, fuzzing), checked by both sides.

schemathesis's engine (what ``st run`` runs) generates and sends the cases and applies its
own checks with tightened statuses; every exchange then goes through the kit's checks too.
Failures become :class:`~contract_tests.model.Finding`s located by what the case carries
(``body.observer: NUL``), so the same defect found by many cases is one finding.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import schemathesis
from schemathesis.engine import events, from_schema

from ..cases.locate import locate
from ..cases.model import Exchange, Finding, Probe, Reply, Severity
from ..checks.answers import CheckContext, run_checks
from ..config import SuiteConfig

__all__ = ["GeneratedRun", "run_generated"]

# Statuses a server may answer when the request carries no valid credentials.
_AUTH_STATUSES = (401, 403)
# schemathesis's checks on the status, which the kit's own status rules replace for 5xx,
# 401/403 without credentials, and 400 for bytes that are no text.
_STATUS_CHECKS = frozenset(
    {"not_a_server_error", "positive_data_acceptance", "negative_data_rejection",
     "status_code_conformance"}
)  # fmt: skip


@dataclass
class GeneratedRun:
    cases: int = 0
    findings: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def run_generated(
    config: SuiteConfig,
    document: Path,
    ctx: CheckContext,
    auth_headers: Sequence[tuple[str, str]],
) -> GeneratedRun:
    """Run schemathesis's phases against ``config.base_url`` and check every exchange."""
    schema = schemathesis.openapi.from_path(document, config=_engine_config(config, auth_headers))
    credentials = bool(auth_headers)
    run = GeneratedRun()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            _collect(event, ctx, credentials, config, run)
        elif isinstance(event, events.FatalError | events.NonFatalError):
            run.errors.append(str(getattr(event, "info", None) or event))
    return run


def _engine_config(config: SuiteConfig, auth_headers: Sequence[tuple[str, str]]) -> Any:
    extra = list(_AUTH_STATUSES) if not auth_headers else []
    settings: dict[str, Any] = {
        "base-url": config.root_url,
        "seed": config.seed,
        "cache": {"enabled": False},
        "workers": config.workers,
        "continue-on-failure": True,
        "request-timeout": config.timeout,
        "generation": {
            "mode": "all",
            "database": "none",
            "max-examples": config.max_examples,
            # Credentials are the kit's concern (--token, --auth): none generated or removed.
            "with-security-parameters": False,
        },
        "phases": {
            "examples": {"enabled": True},
            "coverage": {"enabled": True},
            "fuzzing": {"enabled": True},
            "stateful": {"enabled": False},
        },
        "checks": {
            "positive_data_acceptance": {"expected-statuses": [204, *extra]},
            "negative_data_rejection": {"expected-statuses": [422, *extra]},
            "ignored_auth": {"enabled": False},
        },
    }
    if auth_headers:
        settings["headers"] = dict(auth_headers)
    if config.workspace_id is not None:
        settings["parameters"] = {"path.workspace_id": config.workspace_id}
    if config.max_time is not None:
        settings["max-time"] = math.ceil(config.max_time)
    return schemathesis.Config.from_dict(settings)


def _collect(
    event: events.ScenarioFinished,
    ctx: CheckContext,
    credentials: bool,
    config: SuiteConfig,
    run: GeneratedRun,
) -> None:
    recorder = event.recorder
    for case_id, node in recorder.cases.items():
        response = recorder.find_response(case_id=case_id)
        if response is None:
            continue
        run.cases += 1
        probe = _probe(node.value, response, credentials)
        curl = node.value.as_curl_command(base_url=config.root_url)
        exchange = Exchange(probe, _reply(response))
        for finding in run_checks(exchange, ctx):
            run.findings.append(_with(finding, reproducer=curl))
        for check in recorder.checks.get(case_id, ()):
            if check.failure_info is not None:
                translated = _translate(check.name, check.failure_info.failure, exchange, ctx)
                if translated is not None:
                    run.findings.append(_with(translated, reproducer=curl))


def _translate(name: str, failure: Any, exchange: Exchange, ctx: CheckContext) -> Finding | None:
    status, probe = exchange.reply.status, exchange.probe
    if name in _STATUS_CHECKS:
        if status >= 500:
            return None  # the kit's server_error reports it, located
        if status in _AUTH_STATUSES and not probe.credentials:
            return None
        if status == 400 and not _is_text(probe.body):
            return Finding(
                check="undocumented_status",
                severity=Severity.FAILURE if ctx.strict else Severity.WARNING,
                status=status,
                location=probe.location,
                message="400 for bytes that are no text; the contract documents no 400",
            )
    message = failure.title
    if failure.message:
        message += f": {str(failure.message).strip().splitlines()[0]}"
    return Finding(
        check=name, severity=Severity.FAILURE, status=status, location=probe.location,
        message=message,
    )  # fmt: skip


def _probe(case: Any, response: Any, credentials: bool) -> Probe:
    request = response.request
    body = request.body
    if isinstance(body, str):
        body = body.encode("utf-8", "surrogatepass")
    return Probe(
        name=f"{case.operation.label} ({case.meta.phase.name.value if case.meta else 'case'})",
        location=locate(body),
        method=str(request.method),
        path=str(request.path_url),
        body=body,
        headers=tuple(request.headers.items()),
        credentials=credentials,
    )


def _reply(response: Any) -> Reply:
    headers = tuple((name, value) for name, values in response.headers.items() for value in values)
    return Reply(status=response.status_code, headers=headers, body=response.content)


def _is_text(body: bytes | None) -> bool:
    try:
        (body or b"").decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _with(finding: Finding, *, reproducer: str) -> Finding:
    return Finding(finding.check, finding.severity, finding.status, finding.location,
                   finding.message, reproducer)  # fmt: skip
