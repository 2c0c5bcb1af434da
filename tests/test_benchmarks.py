"""The benchmarks' pure parts: wrk scripts and output, /proc parsing, targets and tables.

Nothing here starts a server or times anything; ``python -m benchmarks`` does that.
"""

from __future__ import annotations

import ast
import datetime
import doctest
import http.client
import importlib
import importlib.util
import json
import os
import sys
import time
from pathlib import Path

import pytest

from honcho_spec import load_golden_cases

ROOT = Path(__file__).resolve().parent.parent
if importlib.util.find_spec("benchmarks") is None:  # a wheel install: benchmarks/ is not in it
    sys.path.append(str(ROOT))

from benchmarks import BenchError, Check, Goal, Outcome, Table, render_outcome, render_table  # noqa: E402
from benchmarks.cli import main  # noqa: E402
from benchmarks.context import Bench, LoadRun, Options  # noqa: E402
from benchmarks.load import Measured, median_of, throughput_outcome  # noqa: E402
from benchmarks.memory import long_run_outcome, next_round_seconds  # noqa: E402
from benchmarks.processes import Spawned, free_port, send  # noqa: E402
from benchmarks.procfs import (  # noqa: E402
    descendants,
    parse_busy_ticks,
    parse_cpu_ticks,
    parse_ppid,
    parse_vmrss_kb,
    tree_cpu_seconds,
    tree_rss_kb,
)
from benchmarks.results import Run, read, record, write  # noqa: E402
from benchmarks.sections import SECTIONS  # noqa: E402
from benchmarks.servers import CONTROLS_OFF, LOG_MODES, Server, Tools, make_servers  # noqa: E402
from benchmarks.startup import startup_outcome  # noqa: E402
from benchmarks.wrk import (  # noqa: E402
    HttpRequest,
    WrkResult,
    lua_script,
    lua_string,
    parse_wrk_output,
    wrk_command,
)

from readme import text  # noqa: E402

WRK_STDOUT = """\
Running 10s test @ http://127.0.0.1:40123/v2/workspaces/ws-1/trigger_dream
  2 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     8.12ms    1.20ms  40.01ms   91.90%
    Req/Sec     3.10k   292.55     3.50k    85.00%
  61862 requests in 10.01s, 6.67MB read
  Non-2xx or 3xx responses: 61862
Requests/sec:   6180.02
Transfer/sec:    682.01KB
@bench requests=61862 duration_us=10010000 p50_us=7980 p99_us=12450 mean_us=8120 max_us=40010 \
connect=0 read=2 write=0 status=61862 timeout=1
"""


def _measured(rps: float) -> Measured:
    return Measured(rps, 5.0, 9.0, 40 * 1024)


def _servers() -> list[Server]:
    def command(port: int, _mode: object) -> list[str]:
        return [str(port)]

    return [
        Server("mock", "honcho-mock", command),
        Server("bare", "bare Starlette 204", command, answers=204, bodies=("valid",)),
        Server(CONTROLS_OFF, "honcho-mock --no-control", command),
        Server("bare_422", "bare 422", command, answers=422, bodies=("invalid",)),
        Server("prism", "Prism mock", command),
    ]


# -- wrk ------------------------------------------------------------------------------------


def test_parse_wrk_output_reads_the_result_line() -> None:
    result = parse_wrk_output(WRK_STDOUT)
    assert result == WrkResult(
        requests=61862,
        duration_s=10.01,
        p50_ms=7.98,
        p99_ms=12.45,
        mean_ms=8.12,
        max_ms=40.01,
        socket_errors=3,
        status_errors=61862,
    )
    assert result.requests_per_second == pytest.approx(6180.02, abs=0.01)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("Requests/sec: 6180.02\n", "no result line", id="no-marker"),
        pytest.param("@bench requests=1 duration_us=5\n", "lacks p50_us", id="missing-fields"),
    ],
)
def test_parse_wrk_output_without_a_full_result_is_one_error(text: str, message: str) -> None:
    with pytest.raises(BenchError, match=message) as info:
        parse_wrk_output(text)
    assert "\n" not in str(info.value)


def test_zero_duration_is_zero_rate() -> None:
    assert WrkResult(0, 0.0, 0, 0, 0, 0, 0, 0).requests_per_second == 0.0


@pytest.mark.parametrize(
    ("data", "literal"),
    [
        pytest.param("plain", '"plain"', id="ascii"),
        pytest.param('{"a":1}', '"{\\034a\\034:1}"', id="quotes"),
        pytest.param("a\\b", '"a\\092b"', id="backslash"),
        pytest.param("\n\t", '"\\010\\009"', id="controls"),
        pytest.param("é", '"\\195\\169"', id="utf8"),
        pytest.param(b"\xff\x001", '"\\255\\0001"', id="bytes-then-digit"),
    ],
)
def test_lua_string_escapes_every_unsafe_byte(data: str | bytes, literal: str) -> None:
    assert lua_string(data) == literal


VALID = HttpRequest("POST", "/v2/w/1", {"content-type": "application/json"}, b'{"a":"b"}')
INVALID = HttpRequest("POST", "/v2/w/1", {"content-type": "application/json"}, b"{}")


def test_one_request_script_sets_wrk_defaults_and_reports() -> None:
    script = lua_script([VALID])
    assert 'wrk.method = "POST"' in script
    assert 'wrk.path = "/v2/w/1"' in script
    assert 'wrk.body = "{\\034a\\034:\\034b\\034}"' in script
    assert 'wrk.headers["content-type"] = "application/json"' in script
    assert "request = function" not in script  # wrk formats a static request once
    assert "done = function(summary, latency, requests)" in script
    assert '"@bench requests=%.0f' in script


def test_several_requests_script_sends_them_in_turn() -> None:
    script = lua_script([VALID, INVALID])
    assert script.count("wrk.format(") == 2
    assert "requests[1] = " in script
    assert "requests[2] = " in script
    assert "turn = turn % #requests + 1" in script


def test_a_script_needs_a_request() -> None:
    with pytest.raises(ValueError, match="at least one"):
        lua_script([])


def test_wrk_command_is_the_anchors_shape() -> None:
    command = wrk_command(
        "wrk", "http://h:1/p", Path("s.lua"), threads=2, connections=50, seconds=10.0
    )
    assert command == ["wrk", "-t2", "-c50", "-d10s", "-s", "s.lua", "http://h:1/p"]


# -- /proc ------------------------------------------------------------------------------------


def _fake_proc(root: Path, table: dict[int, tuple[int, int, int]]) -> Path:
    """A /proc with ``pid: (ppid, rss_kb, cpu_ticks)`` processes."""
    for pid, (ppid, rss, ticks) in table.items():
        (root / str(pid)).mkdir()
        stat = f"{pid} (my (odd) name) S {ppid} 0 0 0 -1 0 0 0 0 0 {ticks} 0 0 0"
        (root / str(pid) / "stat").write_text(stat)
        (root / str(pid) / "status").write_text(f"Name:\tx\nVmRSS:\t  {rss} kB\n")
    (root / "self").mkdir()
    return root


def test_tree_figures_sum_a_process_and_its_descendants(tmp_path: Path) -> None:
    proc = _fake_proc(
        tmp_path,
        {10: (1, 1000, 100), 11: (10, 200, 20), 12: (11, 30, 3), 13: (1, 99999, 9999)},
    )
    assert tree_rss_kb(10, proc=proc) == 1230
    ticks = os.sysconf("SC_CLK_TCK")
    assert tree_cpu_seconds(10, proc=proc) == pytest.approx(123 / ticks)


def test_proc_parsers() -> None:
    assert parse_ppid("7 (a) b) R 3 7 7") == 3
    assert parse_cpu_ticks("7 (x) R 1 7 7 0 -1 0 0 0 0 0 10 5 99 99") == 15
    assert parse_vmrss_kb("Name:\tzombie\nState:\tZ\n") == 0
    assert descendants({}, 5) == {5}
    with pytest.raises(ValueError, match="no cpu line"):
        parse_busy_ticks("intr 1 2 3\n")


@pytest.mark.parametrize(
    ("other_cores", "busy", "skewed"),
    [
        pytest.param(0.0, 0.6, False, id="quiet"),
        pytest.param(1.0, 0.8, False, id="busy-but-room-to-spare"),
        pytest.param(0.2, 1.0, False, id="saturated-by-us"),
        pytest.param(1.0, 1.0, True, id="saturated-by-others"),
    ],
)
def test_a_load_run_is_skewed_when_others_saturate_the_machine(
    other_cores: float, busy: float, skewed: bool
) -> None:
    run = LoadRun(WrkResult(1, 1.0, 1, 1, 1, 1, 0, 0), 100.0, other_cores, busy)
    assert run.disturbed is skewed


# -- targets and tables ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("goal", "value", "verdict", "cell"),
    [
        pytest.param(
            Goal("r", 0.85, unit="x"), 0.85, "PASS", "0.85x (>= 0.85x PASS)", id="ratio-at"
        ),
        pytest.param(
            Goal("r", 0.85, unit="x"), 0.8449, "MISS", "0.84x (>= 0.85x MISS)", id="below"
        ),
        pytest.param(Goal("r", 3.0, unit="x"), 12.34, "PASS", "12.3x (>= 3.00x PASS)", id="big"),
        pytest.param(
            Goal("s", 0.3, higher_is_better=False, unit="s"),
            0.3,
            "MISS",
            "0.3 s (< 0.3 s MISS)",
            id="limit-at",
        ),
        pytest.param(
            Goal("m", 60.0, higher_is_better=False, unit="MB"),
            41.25,
            "PASS",
            "41.2 MB (< 60.0 MB PASS)",
            id="memory",
        ),
        pytest.param(Goal("r", 3.0, unit="x"), None, "n/a", "n/a (>= 3.00x)", id="not-measured"),
    ],
)
def test_check_verdict_and_cell(goal: Goal, value: float | None, verdict: str, cell: str) -> None:
    check = Check(goal, value)
    assert check.verdict == verdict
    assert check.cell() == cell


def test_render_table_pads_columns_and_lists_notes() -> None:
    table = Table("T", ("a", "long header"), (("wide cell", "1"),), ("a note",))
    assert render_table(table).splitlines() == [
        "### T",
        "",
        "| a         | long header |",
        "|-----------|-------------|",
        "| wide cell | 1           |",
        "",
        "- a note",
    ]


def test_render_table_refuses_a_ragged_row() -> None:
    with pytest.raises(ValueError, match="2 cells"):
        render_table(Table("T", ("a",), (("1", "2"),)))


def test_render_outcome_ends_with_the_verdicts() -> None:
    check = Check(Goal("g", 1.0, unit="x"), 2.0, "quiet")
    text = render_outcome(Outcome(tables=(Table("T", ("a",), (("1",),)),), checks=(check,)))
    assert text.index("### T") < text.index("### Targets")
    assert "| g      | 2.00x (>= 1.00x PASS) | PASS    | quiet |" in text


def test_throughput_ratios_come_from_the_same_run() -> None:
    rates = {
        "mock": (9000.0, 6000.0),
        "bare": (10000.0, None),
        "bare_422": (None, 10000.0),
        CONTROLS_OFF: (9500.0, 7000.0),
        "prism": (3000.0, 2500.0),
    }
    measured = {
        (server, mode.key, body): [_measured(rate)]
        for server, (valid, invalid) in rates.items()
        for mode in LOG_MODES
        for body, rate in (("valid", valid), ("invalid", invalid))
        if rate is not None
    }
    outcome = throughput_outcome(measured, _servers(), LOG_MODES)
    verdicts = {(c.goal.name, c.note): (round(c.value or 0, 2), c.verdict) for c in outcome.checks}
    quiet = LOG_MODES[1].label
    assert verdicts[("mock / bare route, valid", quiet)] == (0.9, "PASS")
    # the invalid row is held to the route answering the same 422 bytes, not to the 204 one
    assert verdicts[("mock / bare 422 route, invalid", quiet)] == (0.6, "MISS")
    # what the controls cost while none is set: the same mock with --no-control
    assert verdicts[("mock / mock --no-control, valid", quiet)] == (0.95, "PASS")
    assert verdicts[("mock / mock --no-control, invalid", quiet)] == (0.86, "MISS")
    assert verdicts[("mock / Prism, valid", quiet)] == (3.0, "PASS")
    assert verdicts[("mock / Prism, invalid", quiet)] == (2.4, "MISS")
    (table,) = outcome.tables
    assert len(table.rows) == 16
    mock_row = dict(zip(table.headers, table.rows[0], strict=True))
    assert (mock_row["server"], mock_row["body"], mock_row["req/s"]) == (
        "honcho-mock",
        "valid",
        "9,000",
    )
    assert (mock_row["logging"], mock_row["other load"]) == (LOG_MODES[0].label, "0.00")
    assert mock_row["mock / bare"] == "0.90x (>= 0.85x PASS)"
    assert mock_row["mock / controls off"] == "0.95x (>= 0.90x PASS)"
    assert mock_row["mock / Prism"] == "3.00x (>= 3.00x PASS)"
    assert mock_row["mock / FastAPI"] == ""  # not measured in this run
    assert table.rows[1][-4:] == ("", "", "", "")  # ratios sit on the mock's rows only


def test_the_frameworks_ratio_is_read_not_judged() -> None:
    rates = {"mock": 9000.0, "bare": 10000.0, "fastapi": 3000.0}
    measured = {
        (server, mode.key, body): [_measured(rate)]
        for server, rate in rates.items()
        for mode in LOG_MODES
        for body in ("valid", "invalid")
    }
    servers = [*_servers()[:2], Server("fastapi", "FastAPI (oracle)", _servers()[0].command)]
    outcome = throughput_outcome(measured, servers, LOG_MODES)
    (table,) = outcome.tables
    assert dict(zip(table.headers, table.rows[0], strict=True))["mock / FastAPI"] == "3.00x"
    assert not [c for c in outcome.checks if "FastAPI" in c.goal.name]


@pytest.mark.parametrize(
    ("mock_args", "commands"),
    [
        pytest.param((), {"mock": [], CONTROLS_OFF: ["--no-control"]}, id="default"),
        pytest.param(
            ("--seed", "7"),
            {"mock": ["--seed", "7"], CONTROLS_OFF: ["--seed", "7", "--no-control"]},
            id="args",
        ),
        # the mock measured is the controls-off one already: no second row of it
        pytest.param(("--no-control",), {"mock": ["--no-control"]}, id="no-control"),
    ],
)
def test_the_mock_is_measured_beside_itself_with_its_controls_off(
    tmp_path: Path, mock_args: tuple[str, ...], commands: dict[str, list[str]]
) -> None:
    servers = make_servers(
        Tools(wrk="wrk", honcho_mock="honcho-mock", python=sys.executable),
        route="/v2/workspaces/{workspace_id}/trigger_dream",
        document=tmp_path / "unused.yaml",
        mock_args=mock_args,
    )
    prefix = ["honcho-mock", "--port", "8000", "--log-level", "warning"]
    mocks = {s.key: s.command(8000, LOG_MODES[1]) for s in servers if "mock" in s.key}
    assert mocks == {key: prefix + args for key, args in commands.items()}


@pytest.mark.slow
def test_the_oracle_serves_as_the_benchmarks_start_it(tmp_path: Path) -> None:
    servers = make_servers(
        Tools(wrk="wrk", honcho_mock="honcho-mock", python=sys.executable),
        route="/v2/workspaces/{workspace_id}/trigger_dream",
        document=tmp_path / "unused.yaml",
    )
    (oracle,) = [s for s in servers if s.key == "fastapi"]
    port = free_port()
    command = oracle.command(port, LOG_MODES[1])
    spawned = Spawned(oracle.label, command, log_path=tmp_path / "oracle.log", cwd=oracle.cwd)
    path, json_type = "/v2/workspaces/ws-1/trigger_dream", {"content-type": "application/json"}
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status = send(
                    port, "POST", path, json_type, b'{"observer":"a","dream_type":"agent"}'
                )
                break
            except OSError:
                assert spawned.exit_code() is None, spawned.log_tail()
                assert time.monotonic() < deadline, "the oracle did not answer in 30 s"
                time.sleep(0.05)
        assert (status, send(port, "POST", path, json_type, b"{}")) == (204, 422)
    finally:
        spawned.stop()


def test_throughput_without_prism_says_not_measured() -> None:
    measured = {
        (server, mode.key, body): [_measured(1000.0)]
        for server in ("mock", "bare")
        for mode in LOG_MODES
        for body in ("valid", "invalid")
    }
    outcome = throughput_outcome(measured, _servers()[:2], LOG_MODES)
    prism = [c for c in outcome.checks if "Prism" in c.goal.name]
    assert prism
    assert {c.verdict for c in prism} == {"n/a"}


def test_ratios_are_of_medians_and_note_the_spread_of_rounds() -> None:
    rates = {"mock": (8000.0, 9000.0, 9900.0), "bare": (10000.0, 10000.0, 11000.0)}
    measured = {
        (server, mode.key, body): [_measured(rate) for rate in per_round]
        for server, per_round in rates.items()
        for mode in LOG_MODES
        for body in ("valid", "invalid")
    }
    outcome = throughput_outcome(measured, _servers()[:2], LOG_MODES)
    check = outcome.checks[0]
    assert check.value == pytest.approx(0.9)
    assert check.note == f"{LOG_MODES[0].label}; rounds 0.80-0.90"
    assert outcome.tables[0].rows[0][3] == "9,000"


def test_rounds_combine_as_medians_with_every_error_counted() -> None:
    combined = median_of(
        [Measured(10, 1, 5, 300, 2, 90, 0.1), Measured(30, 3, 1, 100, 1, 110, 0.5)]
    )
    assert combined == Measured(20, 2, 3, 200, 3, 100, 0.5)
    with pytest.raises(ValueError, match="no rounds"):
        median_of([])


def test_startup_reports_the_median() -> None:
    outcome = startup_outcome(
        {"mock": [0.25, 0.18, 0.2], "bare": [0.12]}, {"mock": [40960], "bare": [30720]}, _servers()
    )
    (check,) = outcome.checks
    assert check.value == 0.2
    assert check.verdict == "PASS"
    assert outcome.tables[0].rows[0][:3] == ("honcho-mock", "0.200", "0.180-0.250")


def test_long_run_checks_the_last_sample() -> None:
    outcome = long_run_outcome("honcho-mock", 200_512, 39 * 1024, [45 * 1024, 61 * 1024], ())
    (check,) = outcome.checks
    assert check.verdict == "MISS"
    assert check.note == "after 200,512 requests"


@pytest.mark.parametrize(
    ("remaining", "rate", "seconds"),
    [
        pytest.param(200_000, None, 2.0, id="calibrate"),
        pytest.param(190_000, 4000.0, 48.0, id="sized"),
        pytest.param(10, 4000.0, 1.0, id="at-least-1s"),
        pytest.param(10_000_000, 10.0, 120.0, id="capped"),
        pytest.param(0, 4000.0, 0.0, id="done"),
    ],
)
def test_long_run_rounds(remaining: int, rate: float | None, seconds: float) -> None:
    assert next_round_seconds(remaining, rate) == seconds


# -- the command ------------------------------------------------------------------------------


def test_missing_wrk_is_one_line_with_the_fix(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert main(["--duration", "1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "wrk not found" in err
    assert "apt-get install wrk" in err


def test_a_bad_flag_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--duration", "-3"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "below 1" in err


def test_the_docs_name_only_flags_the_command_has(capsys: pytest.CaptureFixture[str]) -> None:
    commands = [ln for ln in text().splitlines() if ln.startswith("python -m benchmarks")]
    flags = {tok.split("=")[0] for ln in commands for tok in ln.split() if tok.startswith("--")}
    assert flags
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    usage = capsys.readouterr().out
    assert {flag for flag in flags if flag not in usage} == set()


def test_a_run_written_as_data_reads_back(tmp_path: Path) -> None:
    outcome = Outcome((Table("t", ("a", "b"), (("1", "2"),)),), (Check(Goal("g", 2.0), 1.0),))
    data = record(Run("2026-12-07 10:00 UTC", {"cores": "2"}, "python -m benchmarks"),
                  {"load": ("Throughput and latency", outcome)})  # fmt: skip
    when = datetime.datetime(2026, 12, 7, 10, 0, tzinfo=datetime.UTC)
    path = write(tmp_path / "results", data, when)
    assert path.name == "2026-12-07T1000.json"
    again = read(json.loads(path.read_text(encoding="utf-8")))
    assert again["sections"][0]["checks"][0]["verdict"] == "MISS"
    ragged = {**data, "sections": [{**data["sections"][0], "tables": [
        {"title": "t", "headers": ["a", "b"], "rows": [["1"]], "notes": []}]}]}  # fmt: skip
    with pytest.raises(BenchError, match="is not 2 cells wide"):
        read(ragged)


def test_sections_have_distinct_keys() -> None:
    keys = [section.key for section in SECTIONS]
    assert len(keys) == len(set(keys))


def test_benchmarks_import_neither_the_mock_nor_the_contract_suite() -> None:
    for path in sorted((ROOT / "benchmarks").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            forbidden = {"contract_tests", "mock_server"}
            assert not {n.split(".")[0] for n in names} & forbidden, path.name


@pytest.mark.parametrize(
    "module",
    ["report", "wrk", "procfs", "memory", "load", "fuzzing", "bare_app", "suite", "results"],
    ids=lambda name: name,
)
def test_docstring_examples_run(module: str) -> None:
    failures, tried = doctest.testmod(importlib.import_module(f"benchmarks.{module}"))
    assert tried
    assert failures == 0


def test_vanilla_case_count_is_read_from_st_output() -> None:
    from benchmarks.suite import vanilla_cases

    assert vanilla_cases("Test cases:\n  137 generated, 1 found 3 unique failures\n") == 137
    assert vanilla_cases("no summary") == 0


def test_suite_outcome_checks_both_targets() -> None:
    from benchmarks.suite import suite_outcome

    slow = suite_outcome(40.0, 290, 2.0, 137)
    assert [check.verdict for check in slow.checks] == ["MISS", "MISS"]
    unmeasured = suite_outcome(2.0, 290, 2.0, 0)
    assert [check.verdict for check in unmeasured.checks] == ["PASS", "n/a"]


@pytest.mark.slow
def test_the_bare_422_route_answers_the_mocks_bytes_without_deciding(tmp_path: Path) -> None:
    """The route the invalid row is held to: the golden 422, byte for byte, to any request."""
    tools = Tools(wrk="wrk", honcho_mock="honcho-mock", python=sys.executable)
    bench = Bench(Options(), tools, tmp_path)
    server = bench.server("bare_422")
    assert server is not None
    assert (server.bodies, server.starts_with_204) == (("invalid",), False)
    invalid = bench.probes["invalid"].request
    with bench.serve(server, LOG_MODES[1]) as running:  # its first answer must be a 422
        answers = []
        for body in (invalid.body, b'{"observer":"a","dream_type":"agent"}'):
            conn = http.client.HTTPConnection("127.0.0.1", running.port, timeout=10)
            try:
                conn.request("POST", invalid.path, body=body, headers=dict(invalid.headers))
                response = conn.getresponse()
                answers.append(
                    (response.status, response.getheader("content-type"), response.read())
                )
            finally:
                conn.close()
    golden = next(c for c in load_golden_cases() if c.name == bench.probes["invalid"].name)
    assert answers == [(422, "application/json", golden.expected_body)] * 2


def test_workers_outcome_gives_the_speed_up_of_each_count() -> None:
    from benchmarks.fuzzing import SuiteRun, workers_outcome

    outcome = workers_outcome({
        1: SuiteRun(20.0, 700, 30.0), 2: SuiteRun(10.0, 700, 60.0),
        4: SuiteRun(7.0, 700, 90.0), 8: SuiteRun(4.0, 700, None),
    })  # fmt: skip
    (table,) = outcome.tables
    assert [row[4] for row in table.rows] == ["1.00x", "2.00x", "2.86x", "5.00x"]
    assert [row[6] for row in table.rows] == ["1.00x", "2.00x", "3.00x", ""]
    (check,) = outcome.checks
    assert (round(check.value or 0, 2), check.verdict) == (3.0, "MISS")  # the fuzzing, at 4
    assert workers_outcome({4: SuiteRun(5.0, 700, 50.0)}).checks[0].verdict == "n/a"
    assert workers_outcome({1: SuiteRun(5.0, 700), 4: SuiteRun(5.0, 700)}).checks[0].verdict == (
        "n/a"
    )


def test_the_fuzzing_rate_is_read_between_the_campaigns_progress_lines() -> None:
    from benchmarks.fuzzing import fuzzing_rate

    lines = [(0.5, "honcho-contract: generated cases: 136 cases, 0 failures (phase done)"),
             (2.0, "honcho-contract: campaign: 100 cases, 0 failures"),
             (3.0, "honcho-contract: interrupted: ..."),
             (12.0, "honcho-contract: campaign: 600 cases, 2 failures (phase done)")]  # fmt: skip
    assert fuzzing_rate(lines) == 50.0
    assert fuzzing_rate(lines[:2]) is None  # one line: no interval
    few = [(1.0, "honcho-contract: campaign: 1 case, 0 failures"),
           (2.0, "honcho-contract: campaign: 3 cases, 0 failures")]  # fmt: skip
    assert fuzzing_rate(few) == 2.0


def test_rate_outcome_counts_the_seconds_outside_the_band() -> None:
    from benchmarks.fuzzing import per_second, rate_outcome

    per = {0: 3, 1: 10, 2: 0, 3: 12, 4: 1}  # second -> requests in it
    stamps = [f"2026-01-01T00:00:0{second}.{i:03d}Z" for second, n in per.items()
              for i in range(n)]  # fmt: skip
    assert per_second(stamps) == [10, 0, 12]  # the partial first and last seconds left out
    uneven = rate_outcome([20, 20, 23, 17, 20])
    assert (uneven.checks[0].value, uneven.checks[0].verdict) == (2, "MISS")
    assert uneven.tables[0].rows[0][1:] == ("5", "17", "20", "23", "2")
    assert rate_outcome([]).checks[0].verdict == "n/a"
