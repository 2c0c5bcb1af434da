"""Latency and fault settings as text, and their seeded draws."""

from __future__ import annotations

import pytest

from mock_server.controls.chaos import (
    Chaos,
    FaultRate,
    Latency,
    fault_status,
    parse_duration,
    parse_fault,
    parse_fault_rate,
    parse_latency,
)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        pytest.param("50ms", 0.05, id="ms"),
        pytest.param("50 MS", 0.05, id="ms-any-case-spaced"),
        pytest.param("0.2s", 0.2, id="seconds"),
        pytest.param("200", 0.2, id="bare-milliseconds"),
        pytest.param(".5s", 0.5, id="leading-dot"),
        pytest.param("0", 0.0, id="zero"),
    ],
)
def test_parse_duration(text: str, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("-5ms", id="negative"),
        pytest.param("5m", id="minutes"),
        pytest.param("fast", id="word"),
        pytest.param("nan", id="nan"),
    ],
)
def test_parse_duration_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="is not a duration"):
        parse_duration(text)


@pytest.mark.parametrize(
    ("text", "latency", "shown"),
    [
        pytest.param("50ms", Latency(0.05, 0.05), "50ms", id="fixed"),
        pytest.param("20ms-200ms", Latency(0.02, 0.2), "20ms-200ms", id="range"),
        pytest.param("0.02s-0.2s", Latency(0.02, 0.2), "20ms-200ms", id="range-in-seconds"),
    ],
)
def test_parse_latency(text: str, latency: Latency, shown: str) -> None:
    assert parse_latency(text) == latency
    assert str(parse_latency(text)) == shown


def test_latency_range_must_not_run_backwards() -> None:
    with pytest.raises(ValueError, match="ends before it starts"):
        parse_latency("200ms-20ms")


@pytest.mark.parametrize(
    ("text", "fault"),
    [
        pytest.param("500", "500", id="500"),
        pytest.param(" 503 ", "503", id="spaced"),
        pytest.param("429", "429", id="4xx"),
        pytest.param("RESET", "reset", id="reset-any-case"),
        pytest.param("timeout", "timeout", id="timeout"),
    ],
)
def test_parse_fault(text: str, fault: str) -> None:
    assert parse_fault(text) == fault


@pytest.mark.parametrize("text", ["200", "600", "boom", "", "5O0"])
def test_parse_fault_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="is not a fault"):
        parse_fault(text)


@pytest.mark.parametrize(
    ("text", "shares"),
    [
        pytest.param("0.05:500", ((0.05, "500"),), id="one"),
        pytest.param("0.05:500, 0.01:reset", ((0.05, "500"), (0.01, "reset")), id="two"),
        pytest.param("1:timeout", ((1.0, "timeout"),), id="always"),
    ],
)
def test_parse_fault_rate(text: str, shares: tuple[tuple[float, str], ...]) -> None:
    assert parse_fault_rate(text) == FaultRate(shares)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("500", "is not RATE:FAULT", id="no-rate"),
        pytest.param("x:500", "is not a rate", id="rate-not-a-number"),
        pytest.param("1.5:500", "is not a rate", id="rate-above-one"),
        pytest.param("nan:500", "is not a rate", id="rate-nan"),
        pytest.param("0.6:500,0.6:503", "add up to more than 1", id="rates-above-one"),
        pytest.param("0.1:boom", "is not a fault", id="bad-fault"),
    ],
)
def test_parse_fault_rate_refuses(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_fault_rate(text)


@pytest.mark.parametrize(
    ("fault", "status"),
    [("500", 500), ("503", 503), ("reset", None), ("timeout", None)],
)
def test_fault_status(fault: str, status: int | None) -> None:
    assert fault_status(fault) == status


def draws(seed: int, count: int = 200) -> tuple[list[float], list[str | None]]:
    chaos = Chaos(
        latency=Latency(0.02, 0.2), fault_rate=parse_fault_rate("0.3:500,0.1:reset"), seed=seed
    )
    return [chaos.delay() for _ in range(count)], [chaos.fault() for _ in range(count)]


def test_same_seed_same_draws() -> None:
    assert draws(7) == draws(7)
    assert draws(7) != draws(8)


def test_draws_follow_the_settings() -> None:
    delays, faults = draws(0, 2000)
    assert all(0.02 <= d <= 0.2 for d in delays)
    assert faults.count("500") / 2000 == pytest.approx(0.3, abs=0.04)
    assert faults.count("reset") / 2000 == pytest.approx(0.1, abs=0.03)


def test_latency_does_not_shift_the_faults() -> None:
    rate = parse_fault_rate("0.5:503")
    alone = Chaos(fault_rate=rate, seed=3)
    with_latency = Chaos(latency=Latency(0.01, 0.02), fault_rate=rate, seed=3)
    for _ in range(50):
        with_latency.delay()
        assert alone.fault() == with_latency.fault()


def test_nothing_configured_draws_nothing() -> None:
    chaos = Chaos()
    assert (chaos.delay(), chaos.fault()) == (0.0, None)
