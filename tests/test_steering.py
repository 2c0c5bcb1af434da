"""``Prefer`` as the mock reads it, and the plan a request gets: plain functions."""

from __future__ import annotations

import pytest

from mock_server.controls.chaos import Chaos, Latency, parse_fault_rate
from mock_server.controls.steering import (
    Plan,
    PreferenceError,
    Preferences,
    Steering,
    is_documented,
    parse_prefer,
)

DOCUMENTED = ("204", "422")


@pytest.mark.parametrize(
    ("header", "preferences"),
    [
        pytest.param("code=422", Preferences(code=422), id="code"),
        pytest.param("Code = 422", Preferences(code=422), id="any-case-spaced"),
        pytest.param('code="422"', Preferences(code=422), id="quoted"),
        pytest.param("delay=200", Preferences(delay=0.2), id="delay-ms"),
        pytest.param("delay=1s", Preferences(delay=1.0), id="delay-seconds"),
        pytest.param("fault=RESET", Preferences(fault="reset"), id="fault"),
        pytest.param(
            "code=422, delay=50; x=1, fault=503",
            Preferences(422, 0.05, "503"),
            id="several-with-parameters",
        ),
        pytest.param("return=minimal, respond-async", Preferences(), id="others-ignored"),
        pytest.param("example=foo, dynamic=true", Preferences(), id="prism-others-ignored"),
        pytest.param("", Preferences(), id="empty"),
    ],
)
def test_parse_prefer(header: str, preferences: Preferences) -> None:
    assert parse_prefer(header) == preferences


@pytest.mark.parametrize(
    ("header", "message"),
    [
        pytest.param("code=abc", "code=abc is not an HTTP status", id="code-word"),
        pytest.param("code=99", "code=99 is not an HTTP status", id="code-too-low"),
        pytest.param("code=600", "code=600 is not an HTTP status", id="code-too-high"),
        pytest.param("delay=soon", "delay=soon is not a delay", id="delay-word"),
        pytest.param("delay=-1", "delay=-1 is not a delay", id="delay-negative"),
        pytest.param("fault=boom", "fault=boom", id="fault-unknown"),
    ],
)
def test_parse_prefer_refuses(header: str, message: str) -> None:
    with pytest.raises(PreferenceError, match=message):
        parse_prefer(header)


@pytest.mark.parametrize(
    ("code", "responses", "documented"),
    [
        pytest.param(422, DOCUMENTED, True, id="exact"),
        pytest.param(500, DOCUMENTED, False, id="absent"),
        pytest.param(404, ("200", "4XX"), True, id="range"),
        pytest.param(503, ("200", "default"), True, id="default"),
    ],
)
def test_is_documented(code: int, responses: tuple[str, ...], documented: bool) -> None:
    assert is_documented(code, responses) is documented


def steering(*, allow_faults: bool = False, chaos: Chaos | None = None) -> Steering:
    return Steering(label="POST /x", responses=DOCUMENTED, allow_faults=allow_faults, chaos=chaos)


@pytest.mark.parametrize(
    ("prefer", "allow_faults", "plan"),
    [
        pytest.param(None, False, None, id="nothing"),
        pytest.param("return=minimal", False, None, id="nothing-the-mock-reads"),
        pytest.param("code=422", False, Plan(code=422), id="documented-code"),
        pytest.param("code=204", False, Plan(code=204), id="documented-success"),
        pytest.param("code=500", True, Plan(code=500), id="undocumented-code-faults-allowed"),
        pytest.param("delay=200", False, Plan(delay=0.2), id="delay-needs-nothing"),
        pytest.param("fault=503", True, Plan(fault="503"), id="fault-allowed"),
        pytest.param("fault=timeout", True, Plan(fault="timeout"), id="timeout-allowed"),
    ],
)
def test_plan(prefer: str | None, allow_faults: bool, plan: Plan | None) -> None:
    assert steering(allow_faults=allow_faults).plan(prefer) == plan


@pytest.mark.parametrize(
    ("prefer", "message"),
    [
        pytest.param(
            "code=500",
            "Prefer: code=500 is not a documented response of POST /x (documented: 204, 422); "
            "ask for one of those, or start the mock with --allow-faults",
            id="undocumented-code",
        ),
        pytest.param(
            "fault=reset",
            "Prefer: fault=reset injects a fault; start the mock with --allow-faults to allow it",
            id="fault",
        ),
        pytest.param("code=4x", "Prefer: code=4x is not an HTTP status (100-599)", id="malformed"),
    ],
)
def test_plan_refuses(prefer: str, message: str) -> None:
    plan = steering().plan(prefer)
    assert plan is not None
    assert plan.refusal == message


def test_prefer_beats_drawn_faults_and_latency() -> None:
    chaos = Chaos(latency=Latency(0.05, 0.05), fault_rate=parse_fault_rate("1:500"))
    rules = steering(allow_faults=True, chaos=chaos)
    assert rules.plan(None) == Plan(delay=0.05, fault="500")
    assert rules.plan("code=422") == Plan(delay=0.05, code=422)
    assert rules.plan("fault=reset, delay=0") == Plan(fault="reset")


def test_no_control_ignores_prefer() -> None:
    rules = Steering(label="POST /x", responses=DOCUMENTED, allow_faults=False, read_prefer=False)
    assert rules.plan("code=500, fault=reset") is None


@pytest.mark.parametrize(
    ("plan", "shown"),
    [
        pytest.param(Plan(code=422), {"code": 422}, id="code"),
        pytest.param(Plan(delay=0.2, fault="503"), {"fault": "503", "delay_ms": 200.0}, id="fault"),
        pytest.param(Plan(refusal="no"), {"refused": "no"}, id="refused"),
    ],
)
def test_plan_as_journal_json(plan: Plan, shown: dict[str, object]) -> None:
    assert plan.as_json() == shown
