"""docs/numbers.toml: each count the README and the docs state, kept once; every page held
to it, and each count held to what makes it (the examples that print it, or a table)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from oracle import FRAMEWORK_DEFECTS
from readme import example_blocks, page, pages, text

ROOT = Path(__file__).resolve().parent.parent
NUMBERS: dict[str, Any] = tomllib.loads((ROOT / "docs" / "numbers.toml").read_text("utf-8"))


def statements(pattern: str, source: str) -> list[int]:
    """Each number ``pattern`` (``{}`` for the number) finds in ``source``."""
    regex = re.compile(pattern.replace("{}", r"(\d[\d,]*)"), re.MULTILINE)
    return [int(found.replace(",", "")) for found in regex.findall(source)]


@pytest.mark.parametrize("name", sorted(NUMBERS))
def test_every_page_states_the_count_as_the_one_place_does(name: str) -> None:
    entry = NUMBERS[name]
    found = {
        path.name: said
        for path in pages()
        if (said := [n for p in entry["patterns"] for n in statements(p, path.read_text("utf-8"))])
    }
    assert found, f"{name}: no page states it"
    assert {where: set(said) for where, said in found.items()} == {
        where: {entry["value"]} for where in found
    }


def _printed() -> str:
    return "\n".join(line for block in example_blocks() for ex in block for line in ex.output)


def _size(table: str) -> int:
    if table == "oracle.FRAMEWORK_DEFECTS":
        return len(FRAMEWORK_DEFECTS)
    if table == "test_diff.PRISM_DIFFERENCES":
        from test_diff import PRISM_DIFFERENCES

        return len(PRISM_DIFFERENCES)
    raise AssertionError(f"no table {table!r}")


@pytest.mark.parametrize("name", sorted(NUMBERS))
def test_each_count_is_held_to_what_makes_it(name: str) -> None:
    entry = NUMBERS[name]
    if entry["judge"] == "example":
        # an example's output states it, and tests/test_readme.py runs that example
        printed = [n for p in entry["patterns"] for n in statements(p, _printed())]
        assert entry["value"] in printed, name
    else:
        assert _size(entry["judge"]) == entry["value"], name


def test_the_readme_gives_the_test_commands_measured_time() -> None:
    # "about N minutes": the newest whole run of the development page's table
    (minutes,) = re.findall(r"about (\d+) minutes on 2 cores", page("README.md"))
    (seconds,) = re.findall(r"^\| all \| \| (\d+) s \(", page("development.md"), re.MULTILINE)
    assert int(minutes) == round(int(seconds) / 60)


@pytest.mark.parametrize(
    "stale",
    [
        pytest.param("being built", id="a feature called unbuilt"),
        pytest.param("shared/reference/", id="a file outside the repository"),
        pytest.param("pip install honcho-contract-kit", id="as if on PyPI"),
        pytest.param("python3 -m pip install .", id="pip outside a venv"),
    ],
)
def test_no_page_says_what_is_no_longer_true(stale: str) -> None:
    assert stale not in text()
