"""schemathesis's generated cases (examples, coverage, fuzzing), checked by both sides.

schemathesis's engine (what ``st run`` runs) generates and sends the cases and applies its
own checks with tightened statuses; every exchange then goes through the kit's checks too.
Failures become :class:`~contract_tests.model.Finding`s located by what the case carries
(``body.observer: NUL``), so the same defect found by many cases is one finding.

When the server stops answering, the engine stops; the run's
:class:`~contract_tests.wire.outage.Watch` names the case in flight and those before it
(``server_down``), waits for the server, and the engine goes on with the next phase if it
comes back.
"""

from __future__ import annotations

import itertools
import math
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from schemathesis.config import FuzzConfig
from schemathesis.engine import events, from_schema
from schemathesis.engine.errors import ServerUnavailable

from ..cases.locate import locate, place_of
from ..cases.model import Exchange, Finding, Probe, Reply, Severity
from ..checks.answers import CheckContext, run_checks
from ..checks.causes import characterized
from ..config import SuiteConfig
from ..wire.adapter import AnswerFailed
from ..wire.outage import ServerDown, Watch
from ..wire.reproduce import curl_command, reproduced
from ..wire.transport import TRANSPORT_HEADERS, NoAnswer, Sender
from .confirm import Confirmed, attempt, confirmed, show, unanswered
from .engine import PHASES, engine_schema
from .memory import Kept, Memory
from .mutation import MUTATED_PLACE, MUTATION_SHARE, Mutation
from .sending import sent_by
from .translate import translate

__all__ = ["GeneratedRun", "run_generated"]

_ROUND = 60.0  # seconds of a campaign's fuzzing on one engine and seed


@dataclass
class GeneratedRun:
    """What a run of the engine sent; its findings went to ``on_case`` as they came."""

    cases: int = 0
    errors: list[str] = field(default_factory=list)
    places: set[str] = field(default_factory=set)  # where the cases aimed (``body.observer``)
    stopped: ServerDown | None = None  # the server stopped answering and did not come back
    layers: Counter[str] = field(default_factory=Counter)  # the mutated cases, by layer


def run_generated(
    config: SuiteConfig,
    document: Path,
    ctx: CheckContext,
    auth_headers: Sequence[tuple[str, str]],
    sender: Sender,
    *,
    on_case: Callable[[list[Finding]], None],
    watch: Watch | None = None,
    stop: Callable[[], bool] = lambda: False,
    campaign: float | None = None,
    memory: Memory | None = None,
    lane: tuple[int, int] = (0, 1),
    mutation: Mutation | None = None,
    confirmations: Confirmed | None = None,
) -> GeneratedRun:
    """Run schemathesis's phases against ``config.base_url`` and check every exchange; each
    failure is sent once more by ``sender``, on a fresh connection, before it counts. Each
    case's findings (with their reproducers) go to ``on_case`` as soon as it is checked. With
    a ``watch``, a server that stops answering is a ``server_down`` finding, and the run stops
    (``stopped``) if it does not come back.

    With ``campaign`` (seconds), the engine fuzzes instead, ``config.workers`` threads
    drawing new cases until the time is up, in rounds of a minute, each on a seed of its
    own (lane ``(i, n)`` of a campaign fuzzing in ``n`` processes: seeds no other lane
    uses). The engine stops as soon as ``stop()`` is true (an interrupt, enough failures);
    under ``config.shard`` it sends only this runner's cases. With a ``mutation``, each
    round of a campaign mutates the valid request first, for its share of the round.

    With a ``memory`` (``--example-db``), the failing cases it keeps go first (but in a
    campaign), and each case that fails is offered to it."""
    checker = _Checker(config, ctx, bool(auth_headers), sender, watch, on_case, stop, memory,
                       confirmations=confirmations)  # fmt: skip
    try:
        if campaign is None and memory is not None:
            for kept in memory.kept(config.shard):
                if stop():
                    break
                checker.replay(kept)
        if campaign is None:
            phases = PHASES
            while phases and not stop():
                phase = checker.execute(engine_schema(config, document, ctx, auth_headers, phases))
                # the engine stops when the server goes away: on with the next phase once back
                phases = phases[phases.index(phase) + 1 :] if phase in phases else ()
        else:
            deadline = time.monotonic() + campaign
            schema = engine_schema(config, document, ctx, auth_headers, ())
            for round_ in itertools.count(1):
                left = deadline - time.monotonic()
                if stop() or left <= 0:
                    break
                seed = config.seed + (round_ - 1) * lane[1] + lane[0] + 1
                span = min(left, _ROUND)
                if mutation is not None:
                    checker.mutate(mutation, span * MUTATION_SHARE, seed)
                    left = deadline - time.monotonic()
                    if stop() or left <= 0:
                        break
                # a fresh engine each round, on a seed of its own: new cases, and what the
                # engine keeps of the cases it drew goes with it, so memory stays flat (one
                # schema for all rounds: a schema loaded anew each round leaves caches behind)
                schema.config.seed = seed
                checker.execute(schema, fuzz_for=min(left, span))
    except ServerDown as exc:
        checker.run.stopped = exc
    return checker.run


@dataclass
class _Checker:
    """Checks the exchanges of schemathesis's engine as they come."""

    config: SuiteConfig
    ctx: CheckContext
    credentials: bool
    sender: Sender
    watch: Watch | None
    on_case: Callable[[list[Finding]], None]
    stop: Callable[[], bool]
    memory: Memory | None = None
    confirmations: Confirmed | None = None  # the run's causes that held: not sent again
    run: GeneratedRun = field(default_factory=GeneratedRun)
    dropped: NoAnswer | None = None  # the engine's last connection error, for the case it cut

    def execute(self, schema: Any, *, fuzz_for: float | None = None) -> str | None:
        """Run the engine once (its phases, or fuzzing for ``fuzz_for`` seconds); the phase
        it stopped in if the server went away."""
        outages = self.watch.outages if self.watch else 0
        engine = from_schema(schema)
        if fuzz_for is None:
            stream = engine.execute()
        else:
            # whole seconds (the engine's type): rounded up, so a campaign lasts at least
            # its --duration and ends less than a second after
            stream = engine.fuzz(FuzzConfig(max_time=max(1, math.ceil(fuzz_for))))
        with sent_by(schema, self.sender):
            return self._consume(stream, outages)

    def mutate(self, mutation: Mutation, seconds: float, seed: int) -> None:
        """The round's share of mutation, its cases counted with the run's."""
        done = mutation.run(seconds, seed=seed, on_case=self.on_case, stop=self.stop)
        self.run.cases += done.cases
        self.run.layers.update(done.layers)
        if done.cases:
            self.run.places.add(MUTATED_PLACE)

    def _consume(self, stream: Any, outages: int) -> str | None:
        down: str | None = None
        try:
            for event in stream:
                if self.stop():
                    stream.stop()  # its next event is the last
                if isinstance(event, events.ScenarioFinished | events.FuzzScenarioFinished):
                    self.collect(event)
                elif isinstance(event, events.FatalError):
                    self.run.errors.append(str(event.exception))
                elif not isinstance(event, events.NonFatalError):
                    continue
                elif isinstance(event.value, ServerUnavailable):
                    down = event.phase.value if event.phase is not None else ""
                elif self.watch is not None and _dropped(event.value):
                    # judged with the case it cut, which the scenario's end brings
                    self.dropped = _failure(event.value)
                else:
                    self.run.errors.append(str(event.info))
        finally:
            stream.stop()  # the run may stop here, the server gone: so do the engine's workers
            stream.generator.close()
        if down is not None and self.watch is not None and self.watch.outages == outages:
            # the engine saw it go before any case of the scenario told the kit
            why = str(self.dropped) if self.dropped is not None else "no answer"
            outage = self.watch.lost(None, why, known_down=True)
            if outage is not None:
                self.on_case([outage.finding(self.curl)])
        return down

    def collect(self, event: events.ScenarioFinished | events.FuzzScenarioFinished) -> None:
        recorder = event.recorder
        for case_id, node in recorder.cases.items():
            response = recorder.find_response(case_id=case_id)
            if response is not None:
                probe = _probe(node.value, response, self.credentials)
                self.check(probe, response, recorder.checks.get(case_id, ()))
                continue
            interaction = recorder.interactions.get(case_id)
            if interaction is None or self.watch is None:
                continue
            probe = _unanswered(node.value, interaction.request, self.credentials)
            self.watch.sent(probe)
            if self.dropped is not None:  # the connection failed, not a check's own request
                failure, self.dropped = self.dropped, None
                self.record(probe, [self.unanswered(probe, failure)])

    def check(self, probe: Probe, response: Any, checks: Any) -> None:
        if self.watch is not None:
            self.watch.sent(_resendable(probe))
        exchange = Exchange(probe, _reply(response))
        translated = [
            finding
            for check in checks
            if check.failure_info is not None
            for finding in [translate(check.name, check.failure_info.failure, exchange, self.ctx)]
            if finding is not None
        ]
        findings = self.confirmed(exchange, translated)
        if self.memory is not None:
            self.memory.keep(probe, exchange.reply.status, findings, translated)
        self.record(probe, findings)

    def replay(self, kept: Kept) -> None:
        """Send a case ``--example-db`` kept: schemathesis's failures on it hold again with
        the same status; one that no longer fails is forgotten."""
        probe = kept.probe
        if self.watch is not None:
            self.watch.sent(probe)
        reply, failure = attempt(self.sender.send, probe)
        if reply is None:
            findings = [self.unanswered(probe, failure or NoAnswer("no answer"))]
        else:
            theirs = list(kept.theirs) if reply.status == kept.status else []
            findings = self.confirmed(Exchange(probe, reply), theirs)
        if self.memory is not None:
            self.memory.note(findings)
            if not any(f.severity is Severity.FAILURE or f.check == "flaky" for f in findings):
                self.memory.forget(kept)  # fixed (a flaky one may come back)
        self.record(probe, findings)

    def record(self, probe: Probe, findings: list[Finding]) -> None:
        self.run.cases += 1
        self.run.places.add(place_of(probe.location))
        self.on_case(reproduced(findings, self.curl, probe))

    def unanswered(self, probe: Probe, failure: NoAnswer) -> Finding:
        watch = self.watch
        lost = (lambda why: watch.lost(_resendable(probe), why)) if watch is not None else None
        return unanswered(probe, failure, lost, self.curl)

    def confirmed(self, exchange: Exchange, theirs: list[Finding]) -> list[Finding]:
        """The kit's findings and schemathesis's, each failure sent again on a fresh
        connection: schemathesis's hold when the server gives the same status again."""
        probe, first = exchange.probe, exchange.reply

        def judge(reply: Reply | None, failure: NoAnswer | None) -> list[Finding]:
            if reply is None:
                return [self.unanswered(probe, failure or NoAnswer("no answer"))]
            fresh = Exchange(probe, reply)
            again = run_checks(fresh, self.ctx)
            again += theirs if reply.status == first.status else []
            return self.ctx.checks.kept(characterized(fresh, again))

        findings = self.ctx.checks.kept(
            characterized(exchange, run_checks(exchange, self.ctx) + theirs)
        )
        resend = lambda p: self.sender.confirm(_resendable(p))  # noqa: E731
        return confirmed(probe, findings, show(first), resend, judge, known=self.confirmations)

    def curl(self, probe: Probe) -> str:
        """``probe`` as a reproducer, credentials shown (the run masks them in its report)."""
        return curl_command(self.config.root_url, _resendable(probe), show_secrets=True,
                            bodies=self.config.reproducers_dir,
                            headers=self.config.headers)  # fmt: skip


def _probe(case: Any, response: Any, credentials: bool) -> Probe:
    request = response.request
    body = request.body
    if isinstance(body, str):
        body = body.encode("utf-8", "surrogatepass")
    method = str(request.method)
    return Probe(
        name=f"{case.operation.label} ({case.meta.phase.name.value if case.meta else 'case'})",
        # schemathesis's unsupported_method sends other methods: placed as the probes are
        location=locate(body) if method == case.operation.method.upper() else f"method {method}",
        method=method,
        path=str(request.path_url),
        body=body,
        headers=tuple(request.headers.items()),
        credentials=credentials,
    )


def _dropped(error: object) -> bool:
    """A connection the server closed or refused, or an answer that broke its bounds (a
    timeout is the case's own failure)."""
    return isinstance(error, requests.ConnectionError) and not isinstance(error, requests.Timeout)


def _failure(error: object) -> NoAnswer:
    if isinstance(error, AnswerFailed):
        return error.failure
    return NoAnswer(str(error).splitlines()[0])


def _unanswered(case: Any, request: Any, credentials: bool) -> Probe:
    """The request the engine sent for ``case`` and got no answer to, as the kit resends it."""
    uri = urlsplit(str(request.uri))
    return _resendable(
        Probe(
            name=f"{case.operation.label} ({case.meta.phase.name.value if case.meta else 'case'})",
            location=locate(request.body),
            method=str(request.method),
            path=uri.path + (f"?{uri.query}" if uri.query else ""),
            body=request.body,
            headers=tuple((k, v) for k, values in request.headers.items() for v in values),
            credentials=credentials,
        )
    )


def _reply(response: Any) -> Reply:
    headers = tuple((name, value) for name, values in response.headers.items() for value in values)
    return Reply(status=response.status_code, headers=headers, body=response.content)


def _resendable(probe: Probe) -> Probe:
    # The headers as the engine sent them, less those the transport writes itself.
    kept = tuple((k, v) for k, v in probe.headers if k.lower() not in TRANSPORT_HEADERS)
    return replace(probe, headers=kept)
