"""schemathesis's generated cases (examples, coverage, fuzzing), checked by both sides.

schemathesis's engine (what ``st run`` runs) generates and sends the cases and applies its
own checks with tightened statuses; every exchange then goes through the kit's checks too.
Failures become :class:`~contract_tests.model.Finding`s located by what the case carries
(``body.observer: NUL``), so the same defect found by many cases is one finding.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import schemathesis
from schemathesis.engine import events, from_schema

from ..cases.locate import locate, place_of
from ..cases.model import Exchange, Finding, Probe, Reply, Severity
from ..checks.answers import BODY_LIMIT_FLOOR, CheckContext, run_checks
from ..checks.strict_json import is_strict_json
from ..config import SuiteConfig
from ..wire.reproduce import curl_command
from ..wire.transport import Sender
from .confirm import confirmed, show

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
    """What a run of the engine sent; its findings went to ``on_case`` as they came."""

    cases: int = 0
    errors: list[str] = field(default_factory=list)
    places: set[str] = field(default_factory=set)  # where the cases aimed (``body.observer``)


def run_generated(
    config: SuiteConfig,
    document: Path,
    ctx: CheckContext,
    auth_headers: Sequence[tuple[str, str]],
    sender: Sender,
    *,
    on_case: Callable[[list[Finding]], None],
) -> GeneratedRun:
    """Run schemathesis's phases against ``config.base_url`` and check every exchange; each
    failure is sent once more by ``sender``, on a fresh connection, before it counts. Each
    case's findings (with their reproducers) go to ``on_case`` as soon as it is checked."""
    operation = ctx.facts.operation  # the one under test, in a document that may hold more
    schema = schemathesis.openapi.from_path(
        document, config=_engine_config(config, auth_headers)
    ).include(method=operation.method, path=operation.path)
    credentials = bool(auth_headers)
    run = GeneratedRun()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            _collect(event, ctx, credentials, config, run, sender=sender, on_case=on_case)
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
    if config.rate_limit is not None:  # its own limiter, shared by its workers
        settings["rate-limit"] = str(config.rate_limit)
    return schemathesis.Config.from_dict(settings)


def _collect(
    event: events.ScenarioFinished,
    ctx: CheckContext,
    credentials: bool,
    config: SuiteConfig,
    run: GeneratedRun,
    *,
    sender: Sender,
    on_case: Callable[[list[Finding]], None],
) -> None:
    recorder = event.recorder
    for case_id, node in recorder.cases.items():
        response = recorder.find_response(case_id=case_id)
        if response is None:
            continue
        run.cases += 1
        probe = _probe(node.value, response, credentials)
        run.places.add(place_of(probe.location))
        curl = curl_command(config.root_url, _resendable(probe), show_secrets=True,
                            bodies=config.reproducers_dir)  # fmt: skip
        exchange = Exchange(probe, _reply(response))
        translated = [
            finding
            for check in recorder.checks.get(case_id, ())
            if check.failure_info is not None
            for finding in [_translate(check.name, check.failure_info.failure, exchange, ctx)]
            if finding is not None
        ]
        findings = _confirmed(exchange, translated, ctx, sender)
        on_case([replace(finding, reproducer=curl) for finding in findings])


def _confirmed(
    exchange: Exchange, theirs: list[Finding], ctx: CheckContext, sender: Sender
) -> list[Finding]:
    """The kit's findings and schemathesis's, each failure sent again on a fresh connection:
    schemathesis's hold when the server gives the same status again."""
    probe, first = exchange.probe, exchange.reply

    def judge(reply: Reply | None, reason: str) -> list[Finding]:
        if reply is None:
            return [Finding("no_answer", Severity.FAILURE, None, probe.location, reason)]
        again = run_checks(Exchange(probe, reply), ctx)
        return again + theirs if reply.status == first.status else again

    findings = run_checks(exchange, ctx) + theirs
    return confirmed(probe, findings, show(first), lambda p: sender.confirm(_resendable(p)), judge)


def _translate(name: str, failure: Any, exchange: Exchange, ctx: CheckContext) -> Finding | None:
    status, probe = exchange.reply.status, exchange.probe
    if name in _STATUS_CHECKS:
        if status >= 500:
            return None  # the kit's server_error reports it, located
        if status in _AUTH_STATUSES and not probe.credentials:
            return None
        allowed = _allowed_refusal(status, probe, ctx)
        if allowed is not None:
            return _warning(allowed, status, probe, ctx)
        if ctx.profile == "contract" and _read_or_refused(name, status, probe):
            return None
    if name == "unsupported_method" and status == 501:
        return None  # RFC 9110: a method the server does not recognise
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


def _allowed_refusal(status: int, probe: Probe, ctx: CheckContext) -> tuple[str, str] | None:
    """A refusal HTTP allows though the document does not list it: (check, why)."""
    if status == 400 and not _is_text(probe.body):
        return "undocumented_status", "400 for bytes that are no text"
    if status == 415:
        return "undocumented_status", "415 for a media type the server does not take"
    if status == 413 and len(probe.body or b"") >= BODY_LIMIT_FLOOR:
        return "body_limit", "413 for a body past 1 MiB"
    return None


def _warning(allowed: tuple[str, str], status: int, probe: Probe, ctx: CheckContext) -> Finding:
    check, why = allowed
    return Finding(
        check=check,
        severity=Severity.FAILURE if ctx.strict else Severity.WARNING,
        status=status,
        location=probe.location,
        message=f"{why}; the contract documents no {status}",
    )


def _read_or_refused(name: str, status: int, probe: Probe) -> bool:
    """A request the standards let a server read or refuse: both answers keep the contract."""
    untyped = not any(key.lower() == "content-type" for key, _ in probe.headers)
    lenient = not is_strict_json(probe.body) or probe.location.endswith("lone surrogate")
    if name == "positive_data_acceptance" and status == 422:
        return untyped or lenient
    return name == "negative_data_rejection" and 200 <= status < 300 and untyped


def _resendable(probe: Probe) -> Probe:
    # The headers as the engine sent them, less those the transport writes itself.
    hop = {"content-length", "transfer-encoding", "host", "connection"}
    return replace(probe, headers=tuple((k, v) for k, v in probe.headers if k.lower() not in hop))


def _is_text(body: bytes | None) -> bool:
    try:
        (body or b"").decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
