"""The Watch tells a server that stopped answering from one request left unanswered."""

from __future__ import annotations

import pytest

from contract_tests.cases.model import SERVER_DOWN, Probe, Severity
from contract_tests.run.confirm import unanswered
from contract_tests.wire.outage import ServerDown, Watch
from contract_tests.wire.transport import NoAnswer, Sender

from raw_server import Answer, Silence, Traffic, raw_server


def answer(method: str, path: str, headers: dict[str, str], body: bytes) -> Answer | Silence:
    if path == "/die":
        return Silence.CRASH
    if path == "/slow":
        return Silence.STALL
    return 204, [], b""


def probe(path: str) -> Probe:
    return Probe(name=f"GET {path}", location=f"test: {path}", method="GET", path=path, body=None)


def crash(sender: Sender, watch: Watch) -> None:
    watch.sent(probe("/die"))
    with pytest.raises(NoAnswer):
        sender.send(probe("/die"))


def test_one_request_unanswered_while_the_server_answers_is_no_outage() -> None:
    traffic = Traffic()
    with raw_server(answer, traffic=traffic) as url, Sender(url, timeout=0.3) as sender:
        watch = Watch(sender, probe("/alive"), wait=5, timeout=0.3)
        watch.sent(probe("/slow"))
        assert watch.lost(probe("/slow"), "timed out") is None
    assert traffic.requests == ["GET /alive"]  # asked once, and it answered
    assert watch.outages == 0


@pytest.mark.parametrize(
    ("revive_after", "back"),
    [pytest.param(None, False, id="gone"), pytest.param(0.3, True, id="back")],
)
@pytest.mark.slow
def test_a_server_down_names_the_last_requests_and_is_waited_for(
    revive_after: float | None, back: bool
) -> None:
    said: list[str] = []
    with (
        raw_server(answer, revive_after=revive_after) as url,
        Sender(url, timeout=2) as sender,
    ):
        watch = Watch(sender, probe("/alive"), wait=10 if back else 0.3, timeout=2,
                      say=said.append)  # fmt: skip
        for path in ("/a", "/b", "/c"):
            watch.sent(probe(path))
        crash(sender, watch)
        if back:
            outage = watch.lost(probe("/die"), "reset")
        else:
            with pytest.raises(ServerDown) as raised:
                watch.lost(probe("/die"), "reset")
            outage = raised.value.outage
    assert outage is not None
    assert [p.path for p in outage.requests] == ["/b", "/c", "/die"]  # the one in flight last
    assert (outage.back_after is not None) is back
    finding = outage.finding(lambda p: f"curl {p.path}")
    assert (finding.check, finding.severity, finding.status) == (
        SERVER_DOWN,
        Severity.FAILURE,
        None,
    )
    assert finding.location == "test: /die"
    assert finding.reproducer == "curl /b ; curl /c ; curl /die"
    assert said[0] == "the server stopped answering at GET /die: waiting up to " + (
        "10 s for it" if back else "0.3 s for it"
    )
    assert len(said) == 2


def test_a_request_in_flight_during_an_outage_gets_that_outage() -> None:
    with raw_server(answer, revive_after=0.2) as url, Sender(url, timeout=2) as sender:
        watch = Watch(sender, probe("/alive"), wait=10, timeout=2)
        ticket = watch.sent(probe("/other"))  # sent by another thread before the crash
        crash(sender, watch)
        outage = watch.lost(probe("/die"), "reset")
        assert watch.lost(probe("/other"), "reset", ticket=ticket) is outage
        assert watch.outages == 1


def test_once_gone_every_later_loss_stops_the_run() -> None:
    with raw_server(answer) as url, Sender(url, timeout=2) as sender:
        watch = Watch(sender, probe("/alive"), wait=0, timeout=2)
        crash(sender, watch)
        with pytest.raises(ServerDown) as first:
            watch.lost(probe("/die"), "reset")
        with pytest.raises(ServerDown) as later:
            watch.lost(probe("/next"), "refused")
    assert later.value.outage is first.value.outage


@pytest.mark.parametrize(
    ("value", "severity"),
    [
        pytest.param("Bearer kit\u00e9", Severity.WARNING, id="obs-text"),
        pytest.param("Bearer kit", Severity.FAILURE, id="ascii"),
    ],
)
def test_a_connection_closed_on_a_header_past_ascii_is_a_warning(
    value: str, severity: Severity
) -> None:
    # RFC 9112 §2.2: a parser that refuses obs-text SHOULD answer 400; one that closes the
    # connection instead breaks a SHOULD, where any other request left unanswered fails
    probe = Probe("a token", "header.authorization: t", "POST", "/", b"{}",
                  (("authorization", value),))  # fmt: skip
    finding = unanswered(probe, NoAnswer("the server closed the connection"), None, str)
    assert (finding.check, finding.severity) == ("no_answer", severity)
