"""``--rate-limit``: one bucket spaces every request of a run, across threads, the
engine's too."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from schemathesis.engine import from_schema

from contract_tests.cases.model import Probe
from contract_tests.config import Rate, parse_rate, resolve_config
from contract_tests.errors import UsageError
from contract_tests.run.sending import sent_by
from contract_tests.wire.pace import TokenBucket
from contract_tests.wire.transport import Sender
from honcho_spec import default_document_path

from raw_server import Answer, Traffic, raw_server


@pytest.mark.parametrize(
    ("text", "rate", "interval"),
    [
        pytest.param("50/s", Rate(50, 1.0), 0.02, id="per-second"),
        pytest.param(" 300 / m ", Rate(300, 60.0), 0.2, id="per-minute-spaced"),
        pytest.param("1800/h", Rate(1800, 3600.0), 2.0, id="per-hour"),
    ],
)
def test_rates_parse(text: str, rate: Rate, interval: float) -> None:
    assert parse_rate(text) == rate
    assert parse_rate(text).interval == pytest.approx(interval)
    assert parse_rate(str(rate)) == rate  # as schemathesis's engine is given it


@pytest.mark.parametrize("text", ["fast", "50", "0/s", "2.5/s", "-1/s", "50/d", "/s"])
def test_a_bad_rate_says_what_to_give(text: str) -> None:
    with pytest.raises(UsageError, match="not a rate") as info:
        parse_rate(text)
    assert "50/s" in str(info.value)


def test_the_rate_comes_from_the_environment_too() -> None:
    environ = {"HONCHO_CONTRACT_RATE_LIMIT": "20/s"}
    config = resolve_config({"base_url": "http://127.0.0.1:1"}, environ)
    assert config.rate_limit == Rate(20, 1.0)
    flagged = resolve_config({"base_url": "http://127.0.0.1:1", "rate_limit": Rate(5, 60)}, environ)
    assert flagged.rate_limit == Rate(5, 60.0)
    with pytest.raises(UsageError, match="HONCHO_CONTRACT_RATE_LIMIT='fast' is not a rate"):
        resolve_config({"base_url": "http://127.0.0.1:1"}, {"HONCHO_CONTRACT_RATE_LIMIT": "fast"})


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0
        self.lock = threading.Lock()

    def __call__(self) -> float:
        with self.lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self.lock:
            self.now += seconds


def test_threads_share_one_bucket_and_each_slot_goes_once() -> None:
    clock = _Clock()
    bucket = TokenBucket(0.05, clock=clock, sleep=lambda _s: None)
    with ThreadPoolExecutor(8) as pool:
        waits = list(pool.map(lambda _i: bucket.reserve(), range(40)))
    assert sorted(round(w / 0.05) for w in waits) == list(range(40))  # no two share a slot


def test_an_idle_bucket_saves_no_burst() -> None:
    """After a pause the next request goes at once, and the one after it waits a full slot."""
    clock = _Clock()
    bucket = TokenBucket(0.5, clock=clock, sleep=clock.sleep)
    bucket.take()
    clock.sleep(10)
    assert [bucket.reserve(), bucket.reserve()] == [0.0, 0.5]


def _stamping(arrivals: list[float], answer: Answer) -> Callable[..., Answer]:
    """A raw server's handler that notes when each request arrives."""

    def stamp(method: str, path: str, headers: dict[str, str], body: bytes) -> Answer:
        arrivals.append(time.monotonic())
        return answer

    return stamp


@pytest.mark.slow
def test_the_sender_waits_for_a_slot_before_each_request() -> None:
    """Measured at the server: request k arrives no sooner than k slots after the bucket was
    made (a slow machine only delays arrivals, so this bound holds however loaded it is)."""
    arrivals: list[float] = []
    stamp = _stamping(arrivals, (200, [("content-type", "text/plain")], b"ok"))
    traffic = Traffic()
    with raw_server(stamp, traffic=traffic) as url:
        started = time.monotonic()
        with Sender(url, timeout=5, pace=TokenBucket(0.05)) as sender:
            for index in range(6):
                probe = Probe(f"p{index}", "test", "GET", f"/{index}", None)
                (sender.confirm if index % 2 else sender.send)(probe)
    assert len(traffic.requests) == 6
    assert all(at - started >= 0.05 * k for k, at in enumerate(arrivals)), arrivals


class _Counted(TokenBucket):
    def __init__(self, interval: float) -> None:
        super().__init__(interval)
        self.taken = 0

    def take(self) -> None:
        self.taken += 1  # the engine's workers: one thread here
        super().take()


def _engine_schema(url: str) -> Any:
    settings = {"base-url": url, "seed": 1, "workers": 1,
                # as the kit runs it: no Authorization generated (h11 refuses 'Bearer ')
                "generation": {"max-examples": 8, "database": "none",
                               "with-security-parameters": False},
                "phases": {"examples": {"enabled": False}, "coverage": {"enabled": False},
                           "stateful": {"enabled": False}}}  # fmt: skip
    return schemathesis.openapi.from_path(
        default_document_path(), config=schemathesis.Config.from_dict(settings)
    )


def test_the_engine_takes_from_the_runs_bucket_for_its_own_schema_only() -> None:
    """schemathesis's requests go through the run's Sender, so they wait for the same slots
    as the kit's: counted at the server, every request the engine sent (its opening probes
    of the server too) took one; another schema in the process sent its own way."""
    arrivals: list[float] = []
    stamp = _stamping(arrivals, (422, [("content-type", "application/json")], b'{"detail":[]}'))
    traffic = Traffic()
    with raw_server(stamp, traffic=traffic) as url:
        schema, other = _engine_schema(url), _engine_schema(url)
        bucket = _Counted(0.02)
        started = time.monotonic()
        with Sender(url, timeout=5, pace=bucket) as sender, sent_by(schema, sender):
            list(from_schema(schema).execute())
            sent = len(traffic.requests)
            assert sent > 0
            # one more: the engine's probe with a NUL in a header, which HTTP cannot carry,
            # takes its slot and is never sent
            taken = bucket.taken
            assert taken == sent + 1
            list(from_schema(other).execute())
        assert len(traffic.requests) > sent
        assert bucket.taken == taken
        list(from_schema(schema).execute())  # out of the block: its own way again
        assert bucket.taken == taken
    assert all(at - started >= 0.02 * k for k, at in enumerate(arrivals[:sent])), arrivals


def test_buckets_on_one_file_share_its_slots(tmp_path: Path) -> None:
    """Two buckets on one file, as two pytest-xdist workers hold them: each slot goes once,
    whichever claims it; a bucket on another file is a rate of its own."""
    clock = _Clock()
    first = TokenBucket.in_file(0.25, tmp_path / "pace", clock=clock)
    second = TokenBucket.in_file(0.25, tmp_path / "pace", clock=clock)
    waits = [bucket.reserve() for bucket in (first, second, second, first, second)]
    assert waits == [0.0, 0.25, 0.5, 0.75, 1.0]
    other = TokenBucket.in_file(0.25, tmp_path / "other", clock=clock)
    assert other.reserve() == 0.0


def test_threads_share_a_file_bucket_too(tmp_path: Path) -> None:
    clock = _Clock()
    bucket = TokenBucket.in_file(0.05, tmp_path / "pace", clock=clock)
    with ThreadPoolExecutor(8) as pool:
        waits = list(pool.map(lambda _i: bucket.reserve(), range(40)))
    assert sorted(round(w / 0.05) for w in waits) == list(range(40))
