"""The documentation site's sources: the generated reference (tools/docs/cli_reference.py)
against each command's own --help, the benchmarks page (tools/docs/benchmark_page.py) against
the results' data, the pages mkdocs.yml lists, and the one version string."""

from __future__ import annotations

import argparse
import json
import re
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from contract_tests.config import resolve_config
from contract_tests.prism.driver import prism_home
from contract_tests.prism.proxy import ProxyOptions
from honcho_spec import kit_version
from mock_server.settings import resolve_settings

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools" / "docs"))
if str(ROOT) not in sys.path:  # benchmarks/, not in the wheel
    sys.path.append(str(ROOT))

import benchmark_page  # noqa: E402
import cli_reference  # noqa: E402

from benchmarks.results import read  # noqa: E402

REFERENCE = cli_reference.render()


def _helps() -> list[tuple[str, str]]:
    """Each command's --help, as argparse writes it."""
    from benchmarks.cli import parser as bench_parser
    from contract_tests.cli import parser as contract_parser
    from mock_server.cli import parsers as mock_parsers

    helps = [(name, parser.format_help()) for name, parser in mock_parsers().items()]
    stack = [("honcho-contract", contract_parser())]
    while stack:
        name, parser = stack.pop()
        if any(action.option_strings != ["-h", "--help"] for action in parser._actions
               if action.option_strings):  # fmt: skip
            helps.append((name, parser.format_help()))
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                stack += [(f"{name} {sub}", inner) for sub, inner in action.choices.items()]
    helps.append(("python -m benchmarks", bench_parser().format_help()))
    return helps


@pytest.mark.parametrize(("name", "help_text"), _helps(), ids=[name for name, _ in _helps()])
def test_the_reference_has_every_flag_each_command_helps_with(name: str, help_text: str) -> None:
    section = REFERENCE.split(f"## `{name}`\n", 1)[1].split("\n## ", 1)[0]
    # every option, as argparse's usage lists them after the command's name
    usage = help_text.split("\n\n", 1)[0].removeprefix(f"usage: {name}")
    flags = set(re.findall(r"(?<![\w-])(--?[a-zA-Z][\w-]*)", usage))
    flags -= {"-h", "--help"}
    assert flags
    assert {flag for flag in flags if f"`{flag}" not in section and f" {flag}`" not in section} == (
        set()
    )


@pytest.mark.parametrize(
    ("variable", "value", "reads"),
    [
        pytest.param("HONCHO_MOCK_PORT", "9", lambda env: resolve_settings({}, env).port == 9,
                     id="honcho-mock --port"),
        pytest.param("HONCHO_MOCK_CONTROL", "false",
                     lambda env: resolve_settings({}, env).control is False, id="--no-control"),
        pytest.param("HONCHO_CONTRACT_SEED", "3",
                     lambda env: resolve_config({"base_url": "http://h:1"}, env).seed == 3,
                     id="run --seed"),
        pytest.param("HONCHO_CONTRACT_UPSTREAM", "http://h:1",
                     lambda env: ProxyOptions.resolve({}, env).upstream == "http://h:1",
                     id="proxy --upstream"),
        pytest.param("HONCHO_CONTRACT_PRISM_HOME", "/opt/prism",
                     lambda env: prism_home(env) == Path("/opt/prism"), id="prism install --home"),
    ],
)  # fmt: skip
def test_a_variable_the_reference_names_is_read(variable: str, value: str, reads: Any) -> None:
    assert f"`{variable}" in REFERENCE
    assert reads({variable: value})


def test_the_fixtures_settings_are_the_fixtures_defaults() -> None:
    rows = {name: (default, flag) for name, default, flag in cli_reference.fixture_settings()}
    assert rows["port"] == ("0", "--port")  # a free port, not the command's 8000
    assert rows["control"] == ("on", "--no-control")


RUNS = sorted((ROOT / "benchmarks" / "results").glob("*.json"))


@pytest.mark.parametrize("path", RUNS, ids=[path.stem for path in RUNS])
def test_each_results_file_is_a_run_the_page_shows(path: Path) -> None:
    run = read(json.loads(path.read_text(encoding="utf-8")))
    page = benchmark_page.render(path.parent)
    assert f"Measured {run['when']} " in page
    for section in run["sections"]:
        assert f"### {section['title']}\n" in page


def test_the_chart_has_a_bar_for_each_rate_and_a_box_for_each_anchor() -> None:
    newest = benchmark_page.load_results(ROOT / "benchmarks" / "results")
    (table,) = next(s["tables"] for run in newest for s in run["sections"] if s["key"] == "load")
    svg = benchmark_page.chart(table)
    headers = table["headers"]
    anchor = next(i for i, header in enumerate(headers) if header.startswith("anchor"))
    rates = [row[headers.index("req/s")] for row in table["rows"]]
    anchors = [row for row in table["rows"] if row[anchor]]
    assert svg.count('" fill="#') == len(rates)
    assert svg.count("<title>anchor ") == len(anchors) > 0
    assert all(f">{rate}</text>" in svg for rate in rates)


def test_mkdocs_lists_every_page_and_every_generated_one_has_its_marker() -> None:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))

    def listed(nav: Any) -> list[str]:
        if isinstance(nav, str):
            return [nav]
        items = nav.values() if isinstance(nav, dict) else nav
        return [page for item in items for page in listed(item)]

    on_disk = sorted(str(p.relative_to(ROOT / "docs")) for p in (ROOT / "docs").rglob("*.md"))
    assert sorted(listed(config["nav"])) == on_disk
    assert "<!-- generated: reference -->" in (ROOT / "docs" / "reference.md").read_text()
    assert "<!-- generated: benchmarks -->" in (ROOT / "docs" / "benchmarks.md").read_text()


def test_one_version_string_and_the_changelog_knows_it() -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert kit_version() == version  # read from the installed metadata, not restated
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## \[([^\]]+)\]", changelog, re.MULTILINE)
    assert headings[0] == "Unreleased" or headings[0] == version
    assert version in changelog
    released = [tuple(map(int, h.split("."))) for h in headings if h != "Unreleased"]
    assert all(v <= tuple(map(int, version.split("."))) for v in released)
