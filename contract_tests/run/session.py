"""What a contract run holds: the server under test, set up once (:class:`Session`), and what
it found (:class:`Report`).

The CLI runs :func:`~contract_tests.run.campaign.run_suite`; the pytest entry uses a
:class:`Session` per test run and turns each probe into a test. Both apply the same checks.
A request left unanswered is judged by the session's
:class:`~contract_tests.wire.outage.Watch`: a server that stopped answering is a
``server_down`` finding, and one that does not come back ends the run with what it found
until then.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass, field, replace

from honcho_spec import (
    GoldenCase,
    default_document_path,
    honcho_claims,
    load_document,
    mint_token,
)

from ..cases.builder import DEFAULT_WORKSPACE, ProbeSet
from ..cases.facts import ContractFacts
from ..cases.golden import FixtureProbe, Replay, fixture_probe, fixture_probes
from ..cases.locate import place_of
from ..cases.model import THEIR_STATUS_CHECKS, Exchange, Finding, Probe, Reply, Severity
from ..cases.probes import build_probes
from ..cases.tokens import credential_probes, enforcement_probe, token_probes
from ..checks.answers import CheckContext, run_checks
from ..checks.auth import AuthVerdict, judge_enforcement
from ..checks.causes import characterized
from ..checks.fixtures import fixture_locations, golden_answer
from ..checks.selection import select_checks
from ..config import SuiteConfig
from ..errors import CredentialsError, UnreachableError
from ..wire.outage import Watch
from ..wire.pace import TokenBucket
from ..wire.reproduce import curl_command, reproduced
from ..wire.transport import BadAnswer, NoAnswer, Sender, tls_context
from .confirm import Confirmed, attempt, confirmed, show, unanswered
from .generated import GeneratedRun, run_generated
from .memory import Memory, open_memory
from .mutation import Key, Mutation
from .setup import check_credentials, check_reached

__all__ = ["Cause", "Report", "Session", "credentials_for"]


@dataclass(frozen=True)
class Cause:
    """One bug: the findings that break the same expectation with the same answer (or, for
    a 5xx, on the same kind of input), however many cases hit it and wherever
    (``locations`` names each place and kind of input: ``body.observer: whitespace``)."""

    finding: Finding  # its example: the kit's own check's first, with its reproducer
    count: int
    locations: tuple[str, ...]
    checks: tuple[str, ...] = ()  # every check that found it (schemathesis's among them)

    @property
    def place(self) -> str:
        """Every place it was found at, first found first: ``body, path``."""
        return ", ".join(dict.fromkeys(place_of(location) for location in self.locations))

    @property
    def key(self) -> tuple[str, str, int | None, str, str]:
        return self.finding.cause_key


# Kinds of input kept per cause: a campaign of hours finds the same cause with ever new inputs.
_LOCATIONS_KEPT = 50
# The input kind of a request that carried nothing hostile (a valid body; a path to a
# workspace that does not exist, as every probe of the path sends): a 5xx it gets too is no
# bug of the hostile inputs' (see Report.distinct).
_PLAIN = "body"
_PLAIN_PATH = "unknown workspace"


def _kept(mine: tuple[str, ...], other: tuple[str, ...]) -> tuple[str, ...]:
    """Both lists of locations, each once, up to the cap; a location at a place not yet
    named is kept past it (the places are few; the kinds of input, endless)."""
    kept = list(dict.fromkeys(mine))
    places = {place_of(location) for location in kept}
    for location in other:
        if location in kept:
            continue
        if len(kept) < _LOCATIONS_KEPT or place_of(location) not in places:
            kept.append(location)
            places.add(place_of(location))
    return tuple(kept)


def _joined(mine: Cause, other: Cause) -> Cause:
    """Two counts of one cause: its example is the kit's own check's where it has one."""
    theirs_first = mine.finding.check in _THEIRS and other.finding.check not in _THEIRS
    locations = _kept(mine.locations, other.locations)
    return Cause(
        other.finding if theirs_first else mine.finding,
        mine.count + other.count,
        locations,
        tuple(dict.fromkeys((*mine.checks, *other.checks))),
    )


def _content_type(signature: str) -> str:
    return signature.split(" ", 1)[0]


def _all_at_path(cause: Cause) -> bool:
    return cause.key[0] == "server_error" and all(
        place_of(location) == "path" for location in cause.locations
    )


def _home_of(cause: Cause) -> tuple[str, str, int | None, str]:
    """The cause ``cause`` folds into, if the run has it (see Report.distinct)."""
    family, severity, status, _, signature = cause.key
    if family == "error_locations":
        return ("expected_status", severity, status, cause.finding.signature)
    return (family, severity, status, signature)


# schemathesis's checks that share a cause with the kit's expected_status
_THEIRS = frozenset(THEIR_STATUS_CHECKS)


@dataclass
class Report:
    """Everything a run found, kept as causes (:attr:`Finding.cause_key`): a run of any
    length holds one entry per cause, counted."""

    config: SuiteConfig
    cases: int = 0
    duration: float = 0.0
    errors: list[str] = field(default_factory=list)
    places: set[str] = field(default_factory=set)  # where the cases sent aimed
    # the probes and mutated cases sent, by the layer of the request each varies
    layers: Counter[str] = field(default_factory=Counter)
    stopped: str | None = None  # why the run ended early: the server stopped answering
    notes: list[str] = field(default_factory=list)  # what the run did not do as asked, and why
    _causes: dict[tuple[str, str, int | None, str, str], Cause] = field(default_factory=dict)
    # distinct()'s answer until a cause is added: progress and --max-failures ask per case
    _distinct: list[Cause] | None = field(default=None, repr=False)

    def add(self, findings: Iterable[Finding]) -> None:
        """Count each finding under its cause; the first one found stays its example."""
        for finding in findings:
            self.add_cause(Cause(finding, 1, (finding.location,), (finding.check,)))

    def add_cause(self, cause: Cause) -> None:
        """Count ``cause`` (another run's, a shard's) with this run's own of the same key."""
        mine = self._causes.get(cause.key)
        self._causes[cause.key] = cause if mine is None else _joined(mine, cause)
        self._distinct = None

    def distinct(self) -> list[Cause]:
        """Each cause once, in the order first found, with how many cases hit it.

        Two folds make one bug one cause where the answer says so: a 5xx that plain
        requests get too is one cause with the same 5xx on hostile inputs (the kind of input
        tells 5xx causes apart only where plain requests do not fail); and a 422 whose items
        name the wrong place joins the status cause of the same answer (a server that
        refuses a valid request with a 422 about another field has one bug, not two)."""
        if self._distinct is None:
            self._distinct = self._folded()
        return list(self._distinct)

    def _folded(self) -> list[Cause]:
        causes = list(self._causes.values())
        homes: dict[tuple[str, str, int | None, str], Cause] = {}
        for cause in causes:
            family, severity, status, kind, signature = cause.key
            if (family == "server_error" and kind == _PLAIN) or family == "expected_status":
                homes.setdefault((family, severity, status, signature), cause)
            elif family == "server_error" and kind == _PLAIN_PATH:
                homes.setdefault(("path", severity, status, signature), cause)
            if family == "server_error" and kind == _PLAIN:
                homes.setdefault(("method", severity, status, _content_type(signature)), cause)
        folded: dict[tuple[str, str, int | None, str, str], Cause] = {}
        for cause in causes:
            home = homes.get(_home_of(cause))
            if home is None and _all_at_path(cause):
                home = homes.get(("path", *_home_of(cause)[1:]))
            if home is None and cause.key[:1] + cause.key[3:4] == ("server_error", "method"):
                # an undeclared method's 5xx, its body not compared (HEAD has none)
                home = homes.get(("method", *cause.key[1:3], _content_type(cause.key[4])))
            if home is not None and cause is not home:
                folded[home.key] = _joined(folded.get(home.key, home), cause)
            elif cause.key not in folded:
                folded[cause.key] = cause
        return list(folded.values())

    def count(self, severity: Severity) -> int:
        return sum(1 for cause in self.distinct() if cause.finding.severity is severity)

    @property
    def ok(self) -> bool:
        return self.count(Severity.FAILURE) == 0 and not self.errors


class Session:
    """The server under test, its document's facts and the credentials to use."""

    def __init__(
        self,
        config: SuiteConfig,
        say: Callable[[str], None] | None = None,
        *,
        pace: TokenBucket | None = None,
    ) -> None:
        self.config = config
        self.document_path = config.spec_path or default_document_path()
        self.document = load_document(self.document_path)
        self.facts = ContractFacts.from_document(self.document)
        checks = select_checks(config.checks, config.exclude_checks)
        self.ctx = CheckContext(self.facts, strict=config.strict, profile=config.profile,
                                checks=checks)  # fmt: skip
        if pace is None and config.rate_limit is not None:
            pace = TokenBucket(config.rate_limit.interval)
        tls = tls_context(config.tls_verify, config.cert, config.key)
        self.sender = Sender(config.root_url, timeout=config.timeout, pace=pace,
                             headers=config.headers, tls=tls,
                             max_size=config.max_answer_size)  # fmt: skip
        self.auth_headers = credentials_for(config)
        self.probes = ProbeSet(
            facts=self.facts,
            document=self.document,
            workspace_id=config.workspace_id or DEFAULT_WORKSPACE,
            auth_headers=self.auth_headers,
            seed=config.seed,
            profile=config.profile,
        )
        self.confirmations = Confirmed()  # the causes a fresh connection showed again
        self.auth = AuthVerdict(enforced=False, finding=None)
        self.auth_findings: list[Finding] = []
        self.watch = Watch(self.sender, enforcement_probe(self.probes), wait=config.down_wait,
                           timeout=config.timeout, say=say)  # fmt: skip

    def close(self) -> None:
        self.sender.close()

    def open_memory(self) -> Memory | None:
        """``--example-db``'s database for this run's operation and document, checked before
        any request (a bad one raises UsageError); None without the option."""
        where = self.config.example_db
        if where is None:
            return None
        return open_memory(where, self.document_path, self.facts.operation, self.auth_headers,
                           unsaved=self.config.headers)  # fmt: skip

    def generated(
        self,
        *,
        on_case: Callable[[list[Finding]], None],
        stop: Callable[[], bool] = lambda: False,
        campaign: float | None = None,
        memory: Memory | None = None,
        lane: tuple[int, int] = (0, 1),
        known: Callable[[], set[Key]] = set,
    ) -> GeneratedRun:
        """schemathesis's cases against this session's server, watched by its
        :class:`~contract_tests.wire.outage.Watch` (see :func:`.generated.run_generated`);
        a campaign mutates the valid request too, for the causes not ``known`` yet."""
        mutation = None
        if campaign is not None:
            mutation = Mutation(self.probes, self.check, known=known, memory=memory, lane=lane)
        return run_generated(self.config, self.document_path, self.ctx, self.auth_headers,
                             self.sender, watch=self.watch, on_case=on_case, stop=stop,
                             campaign=campaign, memory=memory, lane=lane,
                             mutation=mutation, confirmations=self.confirmations)  # fmt: skip

    def detect_auth(self) -> list[Finding]:
        """Send a valid request without credentials (also: is the server there at all?)."""
        probe = enforcement_probe(self.probes)
        try:
            reply = self._send(probe, "a valid request")
        except BadAnswer as exc:
            if not exc.speaks_http:
                raise UnreachableError(
                    f"the server does not speak HTTP: its answer to a valid request begins "
                    f"{exc.head[:80]!r}",
                    where=self.config.root_url,
                    fix="check that --base-url names the server's HTTP port",
                ) from None
            # an answer, but not a whole one: a finding, and the run goes on (the server's
            # auth is judged by the probes that get whole answers)
            return [self.unanswered(probe, exc)]
        if reply.status in (401, 403) and not self.auth_headers:
            raise CredentialsError(
                f"the server refuses a valid request without credentials ({reply.status}): "
                "nothing past its auth can be tested",
                where=self.config.root_url,
                fix="pass --token T (or --jwt-secret S for a Honcho server)",
            )
        with suppress(BadAnswer):  # a set-up check's broken answer: the probes report it
            check_reached(self._send, probe, reply, self.config.root_url)
            if self.config.jwt_secret is not None and self.config.token is None:
                check_credentials(self._send, self.authorize(probe), self.config.jwt_secret,
                                  self.probes.workspace_id, self.config.root_url)  # fmt: skip
        findings = characterized(
            Exchange(probe, reply), run_checks(Exchange(probe, reply), self.ctx)
        )
        if self.config.auth != "off":
            self.auth = judge_enforcement(probe, reply, self.config.auth, bool(self.auth_headers))
            findings += [self.auth.finding] if self.auth.finding else []
        return self.ctx.checks.kept(findings)

    def _send(self, probe: Probe, what: str = "a request of the set-up checks") -> Reply:
        """A request of the run's set-up checks (``what`` it is), watched as every request
        is; one left unanswered is an :class:`UnreachableError`: the run cannot start."""
        self.watch.sent(probe)
        try:
            return self.sender.send(probe)
        except BadAnswer:
            raise  # an answer, though not a whole one: the caller's to judge
        except NoAnswer as exc:
            fix = "check that it is up and serving, or raise --timeout"
            if self.config.root_url.startswith("https:") and self.config.cert is None:
                fix += "; a server that wants a client certificate hangs up: pass --cert"
            raise UnreachableError(f"the server does not answer {what} ({exc})",
                                   where=self.config.root_url, fix=fix) from None  # fmt: skip

    def hostile_probes(self) -> list[Probe]:
        return build_probes(self.probes)

    def token_probes(self) -> list[Probe]:
        """Minted tokens (with ``--jwt-secret``) and, against a server that enforces
        credentials, the run's own token spoilt."""
        if self.config.auth == "off":
            return []
        found: list[Probe] = []
        if self.config.jwt_secret is not None:
            found += token_probes(self.probes, self.config.jwt_secret)
        if self.auth.enforced and self.auth_headers:
            found += credential_probes(self.probes)
        return found

    @property
    def replay(self) -> Replay:
        """How this run replays the golden cases."""
        return Replay(
            workspace_id=self.config.workspace_id,
            auth_headers=self.auth_headers,
            jwt_secret=self.config.jwt_secret,
            auth_enforced=self.auth.enforced,
            profile=self.config.profile,
        )

    def fixtures(self) -> list[FixtureProbe]:
        return list(fixture_probes(self.replay))

    def fixture_probe(self, case: GoldenCase) -> FixtureProbe | None:
        return fixture_probe(case, self.replay)

    def authorize(self, probe: Probe) -> Probe:
        """``probe`` with this run's credentials (probes built without a session have none)."""
        if not self.auth_headers or probe.credentials:
            return probe
        return replace(probe, headers=(*probe.headers, *self.auth_headers), credentials=True)

    def check(self, probe: Probe, fixture: FixtureProbe | None = None) -> list[Finding]:
        """Send ``probe`` and apply every check; a failure is confirmed on a fresh connection."""

        def judge(reply: Reply | None, failure: NoAnswer | None) -> list[Finding]:
            if reply is None:
                return [self.unanswered(probe, failure or NoAnswer("no answer"))]
            exchange = Exchange(probe, reply)
            findings = run_checks(exchange, self.ctx)
            if fixture is not None:
                findings.extend(fixture_locations(fixture, exchange, self.ctx))
                findings.extend(golden_answer(fixture, exchange, self.ctx))
            return self.ctx.checks.kept(characterized(exchange, findings))

        self.watch.sent(probe)
        reply, failure = attempt(self.sender.send, probe)
        findings = confirmed(probe, judge(reply, failure), show(reply, failure),
                             self.sender.confirm, judge, known=self.confirmations)  # fmt: skip
        return reproduced(findings, self.curl, probe)

    def unanswered(self, probe: Probe, failure: NoAnswer) -> Finding:
        """The finding of ``probe`` left without a whole answer (the watch raises
        :class:`~contract_tests.wire.outage.ServerDown` if the server does not come back)."""
        return unanswered(probe, failure, lambda why: self.watch.lost(probe, why), self.curl)

    @property
    def sent_headers(self) -> tuple[tuple[str, str], ...]:
        """The headers the run adds to requests: its credentials, then ``-H``'s."""
        return (*self.auth_headers, *self.config.headers)

    def curl(self, probe: Probe) -> str:
        return curl_command(
            self.config.root_url,
            probe,
            show_secrets=self.config.show_secrets,
            bodies=self.config.reproducers_dir,
            headers=self.config.headers,
        )


def credentials_for(config: SuiteConfig) -> tuple[tuple[str, str], ...]:
    """The ``authorization`` header a run sends: ``--token``, or an admin token minted with
    ``--jwt-secret``."""
    token = config.token
    if token is None and config.jwt_secret is not None:
        token = mint_token(config.jwt_secret, honcho_claims(admin=True))
    return (("authorization", f"Bearer {token}"),) if token else ()
