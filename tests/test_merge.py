"""``honcho-contract merge``: shards' JSON reports as one run's."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from contract_tests.cases.model import Finding, Severity
from contract_tests.config import Shard, SuiteConfig
from contract_tests.report.files import write_json
from contract_tests.report.merge import MergeError, merge_reports, read_report
from contract_tests.run.session import Report

from cli_process import console_script

URL = "http://127.0.0.1:8000"


def _report(shard: Shard | None, findings: list[Finding], cases: int, **config: object) -> Report:
    report = Report(SuiteConfig(base_url=URL, shard=shard, **config), cases=cases, duration=2.0)  # type: ignore[arg-type]
    report.add(findings)
    report.places.update(f.location.split(":")[0] for f in findings)
    return report


def _fail(check: str, location: str, status: int | None = 500) -> Finding:
    return Finding(
        check,
        Severity.FAILURE,
        status,
        location,
        f"{check} at {location}",
        reproducer=f"curl {location}",
    )


def _written(tmp_path: Path, name: str, report: Report) -> Path:
    path = tmp_path / name
    write_json(report, path)
    return path


def test_a_report_reads_back_as_the_run_held_it(tmp_path: Path) -> None:
    report = _report(
        Shard(1, 2),
        [_fail("server_error", "body.observer: NUL"), _fail("server_error", "body.observer: bidi")],
        cases=40,
    )
    report.errors.append("engine error: boom")
    read = read_report(_written(tmp_path, "r.json", report))
    assert (read.config.seed, read.config.shard, read.cases, read.config.profile) == (
        report.config.seed,
        Shard(1, 2),
        40,
        "contract",
    )
    assert read.errors == ["engine error: boom"]
    assert read.places == {"body.observer"}
    assert read.distinct() == report.distinct()


def test_shards_merge_into_one_report_each_cause_once(tmp_path: Path) -> None:
    one = _report(Shard(1, 2), [_fail("server_error", "body.observer: NUL")], cases=150)
    two = _report(
        Shard(2, 2),
        [
            _fail("server_error", "body.observer: bidi"),
            _fail("server_error", "body.observer: NUL"),
            _fail("not_a_server_error", "body.dream_type: unknown", 200),
        ],
        cases=160,
    )
    paths = [_written(tmp_path, f"s{i}.json", r) for i, r in ((2, two), (1, one))]
    merged = merge_reports([(path, read_report(path)) for path in paths])
    assert merged.cases == 310
    assert merged.config.shard is None
    causes = {(c.finding.check, c.place): (c.count, c.locations) for c in merged.distinct()}
    assert causes == {
        ("server_error", "body.observer"): (3, ("body.observer: NUL", "body.observer: bidi")),
        ("not_a_server_error", "body.dream_type"): (1, ("body.dream_type: unknown",)),
    }
    assert merged.distinct()[0].finding.reproducer == "curl body.observer: NUL"  # shard 1's
    assert not merged.ok


@pytest.mark.parametrize(
    ("shards", "message"),
    [
        pytest.param([Shard(1, 3), Shard(2, 3)], "shard 3 of 3 missing", id="missing"),
        pytest.param([Shard(1, 2), Shard(1, 2)], "both shard 1/2", id="twice"),
        pytest.param([Shard(1, 2), Shard(2, 3)], "one of 2", id="other-total"),
    ],
)
def test_reports_that_are_not_one_runs_shards_are_refused(
    tmp_path: Path, shards: list[Shard], message: str
) -> None:
    paths = [_written(tmp_path, f"{i}.json", _report(s, [], 10)) for i, s in enumerate(shards)]
    with pytest.raises(MergeError, match=message):
        merge_reports([(path, read_report(path)) for path in paths])


def test_shards_of_another_seed_are_refused(tmp_path: Path) -> None:
    paths = [
        _written(tmp_path, "a.json", _report(Shard(1, 2), [], 10)),
        _written(tmp_path, "b.json", _report(Shard(2, 2), [], 10, seed=7)),
    ]
    with pytest.raises(MergeError, match="seed 7"):
        merge_reports([(path, read_report(path)) for path in paths])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param("not json", "is not JSON", id="not-json"),
        pytest.param('{"seed": 1}', "not a honcho-contract report", id="not-a-report"),
    ],
)
@pytest.mark.slow
def test_a_file_that_is_no_report_is_one_line(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "r.json"
    path.write_text(content)
    done = subprocess.run(
        [console_script("honcho-contract"), "merge", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1, done.stderr
    assert message in done.stderr


@pytest.mark.slow
def test_the_merge_command_writes_every_report_with_the_wholes_exit_code(tmp_path: Path) -> None:
    clean = _written(tmp_path, "1.json", _report(Shard(1, 2), [], cases=5))
    server_error = _fail("server_error", "body")
    failing = _written(tmp_path, "2.json", _report(Shard(2, 2), [server_error], cases=5))
    reports = [
        "--junit-xml",
        str(tmp_path / "all.xml"),
        "--report-json",
        str(tmp_path / "all.json"),
    ]
    command = [console_script("honcho-contract"), "merge", str(clean), str(failing), *reports]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1, done.stderr
    assert done.stdout.splitlines()[-1].startswith("1 failure, 0 warnings in 10 cases")
    merged = json.loads((tmp_path / "all.json").read_text())
    assert (merged["cases"], merged["shard"], len(merged["failures"])) == (10, None, 1)
    assert 'failures="1"' in (tmp_path / "all.xml").read_text()
    alone = subprocess.run(command[:3], capture_output=True, text=True, timeout=60, check=False)
    assert (alone.returncode, alone.stdout) == (2, "")  # a shard alone is not the whole run
    assert "shard 2 of 2 missing" in alone.stderr


def test_shards_judged_by_another_profile_are_refused(tmp_path: Path) -> None:
    paths = [
        _written(tmp_path, "a.json", _report(Shard(1, 2), [], 10, profile="honcho")),
        _written(tmp_path, "b.json", _report(Shard(2, 2), [], 10)),
    ]
    with pytest.raises(MergeError, match=r"judged by the contract profile, .* by the honcho"):
        merge_reports([(path, read_report(path)) for path in paths])
    both = [_written(tmp_path, f"h{i}.json", _report(Shard(i, 2), [], 10, profile="honcho"))
            for i in (1, 2)]  # fmt: skip
    assert merge_reports([(path, read_report(path)) for path in both]).config.profile == "honcho"
