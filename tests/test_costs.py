"""tests/costs.py: the development page's table of what the test command costs, read from
tox's log."""

from __future__ import annotations

from pathlib import Path

import pytest

from costs import main, read, render

# A tox log, cut short: what tests/costs.py reads.
LOG = (Path(__file__).parent / "data_costs_tox.log").read_text(encoding="utf-8")


def test_each_env_and_its_tests() -> None:
    costs = read(LOG)
    assert [(e.name, e.status, e.total, e.setup, e.commands) for e in costs.envs] == [
        ("lint", "OK", 2.42, 2.34, [0.05, 0.04]),
        ("test", "OK", 926.09, 12.98, [10.05, 903.06]),
        ("latest", "FAIL", 848.77, 11.73, [824.44]),
    ]
    assert [e.tests for e in costs.envs] == [
        "",
        "1842 passed, 1 skipped",
        "1540 passed, 1 skipped, 302 deselected",
    ]


def test_files_are_summed_per_env() -> None:
    files = read(LOG).files
    assert files["tests/test_prism.py"] == {"test": pytest.approx(97.69)}
    assert files["tests/test_stacks.py"] == {"test": pytest.approx(3.51), "latest": 4.0}


def test_the_tables_rank_files_by_their_whole_cost() -> None:
    table = render(read(LOG), top=1)
    assert "| `test` | OK | 926 s | 13 s | 10 s + 903 s | 1842 passed, 1 skipped |" in table
    assert "| all | | 1777 s (29.6 min) | | | |" in table
    assert "| `tests/test_prism.py` | - | 98 s |" in table
    assert "test_stacks" not in table


def test_a_log_without_a_summary_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "tox.log"
    log.write_text("lint: commands[0]> ruff check .\n")
    assert main([str(log)]) == 2
    assert main([str(tmp_path / "missing.log")]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"costs: {log}: no tox summary in it (run tox to the end)"
    assert err[1].startswith(f"costs: {tmp_path / 'missing.log'}: ")
