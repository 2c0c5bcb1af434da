"""``honcho-contract diff``: the same requests to two servers, every disagreement reported.

Each request (:mod:`contract_tests.diff.requests`) goes to server a, then to server b, each
with its own token; each answer is judged as a run judges it (:mod:`contract_tests.diff.judge`)
and :mod:`contract_tests.diff.compare` says how the answers differ.
Disagreements of the same kind (and header) between the same two statuses are one
disagreement, whatever the requests: it lists the places they aim at. A server that stops
answering is an :class:`~contract_tests.wire.outage.Outage` (its request is not compared);
one that does not come back within ``down_wait`` ends the diff with what it found until then.

>>> DiffConfig(a="http://127.0.0.1:8000", b="http://127.0.0.1:8001").seed
20250101
"""

from __future__ import annotations

import math
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from honcho_spec import default_document_path

from ..cases.model import Probe
from ..checks import CheckContext
from ..config import DEFAULT_SEED, reproducers_folder
from ..errors import UnreachableError, UsageError
from ..options import DEFAULT_ANSWER_SIZE
from ..wire.outage import Outage, ServerDown, Watch
from ..wire.reproduce import curl_command, long_bodies, write_bodies
from ..wire.transport import BadAnswer, NoAnswer, Sender
from .compare import COMPARED_HEADERS, KINDS, Answer, Difference, differences
from .judge import check_context, verdicts
from .requests import diff_requests, valid_request

__all__ = ["DiffConfig", "DiffReport", "Disagreement", "run_diff"]


@dataclass(frozen=True)
class DiffConfig:
    """Two servers, their tokens, and what to send and compare."""

    a: str
    b: str
    token_a: str | None = None
    token_b: str | None = None
    seed: int = DEFAULT_SEED
    max_examples: int = 100
    ignore_headers: frozenset[str] = frozenset()
    report_json: Path | None = None
    workers: int = 1
    timeout: float = 10.0
    workspace_id: str | None = None
    spec_path: Path | None = None
    down_wait: float = 10.0  # seconds to wait for a server that stopped answering
    max_time: float | None = None  # no request is sent past it
    max_answer_size: int = DEFAULT_ANSWER_SIZE

    def __post_init__(self) -> None:
        for flag, url in (("--a", self.a), ("--b", self.b)):
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise UsageError(f"{flag} {url!r} is not an http(s) URL",
                                 fix=f"e.g. {flag} http://127.0.0.1:8000")  # fmt: skip
        for name in ("max_examples", "workers"):
            if getattr(self, name) < 1:
                raise UsageError(f"--{name.replace('_', '-')} must be at least 1")
        if self.workspace_id == "":
            raise UsageError("--workspace-id must not be empty")
        if not 0 < self.timeout < math.inf:  # NaN too: no comparison holds for it
            raise UsageError("--timeout must be a positive number of seconds")
        if self.max_time is not None and not 0 < self.max_time < math.inf:
            raise UsageError("--max-time must be a positive number of seconds")
        if not 0 <= self.down_wait < math.inf:
            raise UsageError("--down-wait must be a number of seconds, 0 or more",
                             fix="0 stops at once")  # fmt: skip
        unknown = sorted(self.ignore_headers - set(COMPARED_HEADERS))
        if unknown:
            raise UsageError(f"--ignore-header {unknown[0]!r} is not compared",
                             fix=f"name one of {', '.join(COMPARED_HEADERS)}")  # fmt: skip


@dataclass(frozen=True)
class Disagreement:
    """One request the two servers answered differently, in one way."""

    difference: Difference
    probe: Probe
    a: Answer
    b: Answer
    reproducer: str  # the request as sent to a, credentials masked

    @property
    def key(self) -> tuple[str, str, int | None, int | None]:
        return (self.difference.kind, self.difference.subject, self.a.status, self.b.status)


@dataclass
class DiffReport:
    config: DiffConfig
    requests: int = 0
    duration: float = 0.0
    disagreements: list[Disagreement] = field(default_factory=list)
    outages: list[tuple[Outage, str]] = field(default_factory=list)  # with their reproducer
    stopped: str | None = None  # why the diff ended early: a server stopped answering

    def distinct(self) -> list[list[Disagreement]]:
        """The disagreements grouped by key: by kind, then in the order first found."""
        groups: dict[tuple[str, str, int | None, int | None], list[Disagreement]] = {}
        for disagreement in self.disagreements:
            groups.setdefault(disagreement.key, []).append(disagreement)
        return sorted(groups.values(), key=lambda group: KINDS.index(group[0].difference.kind))

    @property
    def ok(self) -> bool:
        return not self.disagreements and not self.outages


class _Side:
    def __init__(
        self,
        flag: str,
        url: str,
        token: str | None,
        config: DiffConfig,
        alive: Probe,
        *,
        ctx: CheckContext,
    ) -> None:
        self.flag = flag
        self.ctx = ctx
        self.url = url.rstrip("/")
        self.netloc = urlsplit(url).netloc
        self.credentials = (("authorization", f"Bearer {token}"),) if token else ()
        self.sender = Sender(self.url, timeout=config.timeout, max_size=config.max_answer_size)
        self.watch = Watch(self.sender, self.authorized(alive), wait=config.down_wait,
                           timeout=config.timeout, server=f"{flag[2:]} {self.url}")  # fmt: skip
        self.reached = False  # a server never reached is a usage error, not an outage

    def authorized(self, probe: Probe) -> Probe:
        """``probe`` with this side's token in place of any ``authorization`` it carries."""
        if not self.credentials:
            return probe
        kept = tuple((k, v) for k, v in probe.headers if k.lower() != "authorization")
        return replace(probe, headers=(*kept, *self.credentials), credentials=True)

    def ask(self, probe: Probe) -> Answer | Outage:
        """The answer to ``probe``, or the outage it met (raises ServerDown if for good)."""
        sent = self.authorized(probe)
        ticket = self.watch.sent(sent)
        try:
            reply = self.sender.send(sent)
        except UnreachableError as exc:
            if not self.reached:
                raise UnreachableError(exc.what, where=exc.where,
                                       fix=f"check {self.flag} and that the server is running"
                                       ) from None  # fmt: skip
            return self.watch.lost(sent, exc.what, ticket=ticket) or Answer.missing(exc.what)
        except BadAnswer as exc:  # an answer, not a whole one: the server is there
            if not self.reached and not exc.speaks_http:
                raise UnreachableError(
                    f"the server does not speak HTTP: its answer begins {exc.head[:80]!r}",
                    where=self.url,
                    fix=f"check that {self.flag} names the server's HTTP port",
                ) from None
            self.reached = True
            return Answer.missing(f"{exc.check}: {exc}", exc.check)
        except NoAnswer as exc:
            if not self.reached:
                return Answer.missing(str(exc))
            return self.watch.lost(sent, str(exc), ticket=ticket) or Answer.missing(str(exc))
        self.reached = True
        return Answer.of(reply, self.netloc, head=sent.method == "HEAD",
                         verdicts=verdicts(sent, reply, self.ctx))  # fmt: skip


def run_diff(config: DiffConfig) -> DiffReport:
    """Send every request to both servers; raises UnreachableError if either is not there.

    With several workers, requests overlap, but the report keeps the requests' order.
    """
    started = time.monotonic()
    report = DiffReport(config)
    document = config.spec_path or default_document_path()
    alive = valid_request(document, config.workspace_id)
    ctx = check_context(document)
    side_a = _Side("--a", config.a, config.token_a, config, alive, ctx=ctx)
    side_b = _Side("--b", config.b, config.token_b, config, alive, ctx=ctx)
    requests = list(
        diff_requests(
            document,
            seed=config.seed,
            max_examples=config.max_examples,
            workspace_id=config.workspace_id,
        )
    )
    bodies = reproducers_folder(None, config.report_json)
    deadline = math.inf if config.max_time is None else started + config.max_time

    def both(probe: Probe) -> tuple[Answer | Outage, Answer | Outage] | None:
        # not sent: the diff's time is up; but the first request always is (as a run's is),
        # or a diff whose set-up took its --max-time would agree on nothing, exit 0
        if time.monotonic() >= deadline and probe is not requests[0]:
            return None
        return side_a.ask(probe), side_b.ask(probe)

    pool = ThreadPoolExecutor(max_workers=config.workers)
    try:
        for probe, answers in zip(requests, pool.map(both, requests), strict=True):
            if answers is None:
                report.stopped = (f"--max-time {config.max_time:g} s reached: the diff "
                                  f"stopped after {report.requests} requests")  # fmt: skip
                break
            answer_a, answer_b = answers
            report.requests += 1
            if isinstance(answer_a, Outage) or isinstance(answer_b, Outage):
                _record(report, answer_a, answer_b, bodies=bodies)
                continue
            found = differences(answer_a, answer_b, config.ignore_headers)
            if found:
                curl = curl_command(side_a.url, side_a.authorized(probe), show_secrets=False,
                                    bodies=bodies)  # fmt: skip
                report.disagreements.extend(
                    Disagreement(difference, probe, answer_a, answer_b, curl)
                    for difference in found
                )
    except ServerDown as exc:
        _record(report, exc.outage, bodies=bodies)
        report.stopped = (
            f"{exc.outage.server} stopped answering and did not come back within "
            f"{config.down_wait:g} s: the diff stopped after {report.requests} requests"
        )
    finally:
        pool.shutdown(cancel_futures=True)
        side_a.sender.close()
        side_b.sender.close()
    # the long bodies of the reproducers the report shows: each group's first, each outage's
    shown = [group[0].probe for group in report.distinct()]
    write_bodies(bodies, long_bodies([*shown, *(p for o, _ in report.outages for p in o.requests)]))
    report.duration = time.monotonic() - started
    return report


def _record(report: DiffReport, *found: Answer | Outage | None, bodies: Path) -> None:
    """Each outage once (a request in flight when a server went down meets the same one)."""
    for outage in found:
        if isinstance(outage, Outage) and all(outage is not o for o, _ in report.outages):
            base = outage.server.split(" ", 1)[1]  # "b http://...": the side, then its URL

            def curl(probe: Probe, base: str = base) -> str:
                return curl_command(base, probe, show_secrets=False, bodies=bodies)

            report.outages.append((outage, outage.replay(curl)))
