"""A campaign's share of mutation: the mutator's requests (:mod:`.mutator`) sent until the
share's time is up, each judged by the checks on what the oracle says it must get. A
request that fails in a way not seen yet is shrunk by Hypothesis to the smallest change
that still fails the same way, confirmed, reported and kept in ``--example-db``.

The single edits of the valid body (:func:`.mutator.single_edits`) go first, once per
campaign, each share going on where the last one stopped. Then each search is
``hypothesis.find`` on a seed of its own: the request that fails in a new
way, the plainest one found. Shrinking sends requests too; once the share's time is up,
or the run must stop, no more are sent and what is left of the search ends at once.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from itertools import islice

from hypothesis import HealthCheck, Phase, find, settings
from hypothesis.errors import Flaky, FlakyFailure, NoSuchExample, Unsatisfiable

from ..cases.builder import ProbeSet
from ..cases.model import MUTATED_PLACE, Finding, Probe, Severity
from ..wire.outage import ServerDown
from .memory import Memory
from .mutator import mutants, single_edits

__all__ = ["MUTATED_PLACE", "MUTATION_SHARE", "Mutation", "MutationRun"]

MUTATION_SHARE = 0.25  # of each round of a campaign
_EXAMPLES = 200  # requests a search draws before it starts anew on another seed
_SEARCH = settings(max_examples=_EXAMPLES, database=None, deadline=None,
                   phases=(Phase.generate, Phase.shrink), report_multiple_bugs=False,
                   suppress_health_check=list(HealthCheck))  # fmt: skip
Key = tuple[str, str, int | None, str, str]


@dataclass
class MutationRun:
    """What a share of mutation sent: its cases, by layer."""

    cases: int = 0
    layers: Counter[str] = field(default_factory=Counter)


@dataclass
class Mutation:
    """Mutates the valid request of ``probes`` against a server: ``check`` sends a probe
    and judges its answer (a failure confirmed on a fresh connection, with a reproducer);
    ``known`` are the causes the run has found already (none of them is searched for)."""

    probes: ProbeSet
    check: Callable[[Probe], list[Finding]]
    known: Callable[[], set[Key]] = set
    memory: Memory | None = None
    lane: tuple[int, int] = (0, 1)  # (i, n): lane i of n sweeps every n-th single edit
    _found: set[Key] = field(default_factory=set)
    _sweep: Iterator[Probe] = field(init=False)

    def __post_init__(self) -> None:
        index, lanes = self.lane
        self._sweep = islice(single_edits(self.probes), index, None, lanes)

    def run(
        self,
        seconds: float,
        *,
        seed: int,
        on_case: Callable[[list[Finding]], None],
        stop: Callable[[], bool] = lambda: False,
    ) -> MutationRun:
        """Mutate for ``seconds``; each case's findings go to ``on_case`` (those of a search
        that fails: its shrunk request's, once)."""
        deadline = time.monotonic() + seconds
        done = MutationRun()
        strategy = mutants(self.probes)
        down: list[ServerDown] = []
        smallest: list[
            Probe
        ] = []  # the last that failed anew: each one smaller than the one before

        def over() -> bool:
            return bool(down) or stop() or time.monotonic() >= deadline

        def fails(probe: Probe) -> bool:
            if over():
                return False  # no request past the share: the search ends at once
            try:
                findings = self.check(probe)
            except ServerDown as exc:  # the run's to end: not a failure to shrink
                down.append(exc)
                return False
            done.cases += 1
            done.layers[probe.layer] += 1
            new = self._new(findings)
            if new:
                smallest.append(probe)
            else:
                on_case([f for f in findings if f.severity is not Severity.FAILURE])
            return new

        # the single edits first, where the last round's share left them (one edit each:
        # nothing to shrink)
        while not over() and (probe := next(self._sweep, None)) is not None:
            if fails(probe):
                self._confirm(probe, on_case)
        rng = random.Random(seed)
        while not over():
            smallest.clear()
            # what find returns is the last that failed; if the share ended mid-shrink, the
            # replay of it fails no more (Hypothesis calls that flaky): the last one still
            with suppress(NoSuchExample, Unsatisfiable, FlakyFailure, Flaky):
                find(strategy, fails, settings=_SEARCH, random=rng)
            if down or not smallest:
                continue
            self._confirm(smallest[-1], on_case)
        if down:
            raise down[0]
        return done

    def _confirm(self, found: Probe, on_case: Callable[[list[Finding]], None]) -> None:
        """Send ``found`` again: its findings are the report's, and a failing one is kept."""
        findings = self.check(found)
        self._found |= {f.cause_key for f in findings if f.severity is Severity.FAILURE}
        on_case(findings)
        failing = [f for f in findings if f.severity is Severity.FAILURE]
        if self.memory is not None and failing:
            self.memory.keep(found, failing[0].status or 0, failing, ())

    def _new(self, findings: list[Finding]) -> bool:
        """Whether ``findings`` hold a failure of a cause neither the run nor this
        mutation has found yet."""
        causes = {f.cause_key for f in findings if f.severity is Severity.FAILURE}
        return bool(causes - self._found - self.known())
