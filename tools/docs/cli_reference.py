"""The reference page's tables, made from the kit's own parsers when the site is built.

Each command's flags come from its argparse parser (subcommands walked), its defaults from
the settings it resolves into (``MockSettings``, ``SuiteConfig``, ``DiffConfig``,
``ProxyOptions``) or from argparse, and its environment variables from the names the
command reads (``HONCHO_MOCK_<FIELD>``, ``HONCHO_CONTRACT_<FIELD>``). Nothing here names a
flag: a flag added to a parser shows up, one removed goes.

>>> rows = {flag.names: flag for flag in command_tables()[0].flags}
>>> rows["--port"].environment, rows["--port"].default
('HONCHO_MOCK_PORT', '8000')
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from benchmarks import cli as bench_cli
from contract_tests import cli as contract_cli
from contract_tests import config, plugin
from contract_tests.diff.engine import DiffConfig
from contract_tests.prism.proxy import FROM_ENVIRONMENT, ProxyOptions
from mock_server import cli as mock_cli
from mock_server import settings as mock_settings
from mock_server.testing import HonchoMock

__all__ = ["Command", "Flag", "command_tables", "render"]


@dataclass(frozen=True)
class Flag:
    names: str  # "--port", "-H, --header", or a positional's metavar
    argument: str  # the metavar or choices, "" for a switch
    help: str
    default: str
    environment: str


@dataclass(frozen=True)
class Command:
    name: str  # "honcho-contract run"
    description: str
    flags: tuple[Flag, ...]


# A command's settings: each option's default, and the variable it reads (None: none).
Settings = Callable[[str], tuple[Any, str | None]]


def _from_dataclass(cls: type, prefix: str | None, readable: set[str] | None = None) -> Settings:
    defaults = {
        field.name: field.default
        for field in dataclasses.fields(cls)
        if field.default is not dataclasses.MISSING
    }
    names = {field.name for field in dataclasses.fields(cls)}
    read = names if readable is None else readable

    def settings(dest: str) -> tuple[Any, str | None]:
        variable = f"{prefix}{dest.upper()}" if prefix and dest in read else None
        return defaults.get(dest, _ARGPARSE), variable

    return settings


_ARGPARSE = object()  # no settings default: argparse's own


def _argparse_only(_dest: str) -> tuple[Any, str | None]:
    return _ARGPARSE, None


def _text(value: Any, switch: bool) -> str:
    """A default as the page shows it: a switch's as ``on`` or ``off``."""
    if value is None or value is argparse.SUPPRESS or value in ([], ()):
        return ""
    if isinstance(value, bool):
        if switch:
            return "on" if value else "off"
        return str(value).lower()
    if isinstance(value, tuple | list | frozenset):
        return ",".join(str(item) for item in value)
    return str(value)


def _flags(parser: argparse.ArgumentParser, settings: Settings) -> Iterator[Flag]:
    formatter = parser._get_formatter()
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction | argparse._SubParsersAction):
            continue
        if isinstance(action, argparse._VersionAction):
            yield Flag(", ".join(action.option_strings), "", action.help or "", "", "")
            continue
        default, variable = settings(action.dest)
        if default is _ARGPARSE:
            default = action.default
        if action.choices:
            argument = "|".join(str(choice) for choice in action.choices)
        elif action.nargs == 0:
            argument = ""
        else:
            argument = str(action.metavar or action.dest.upper())
        names = ", ".join(action.option_strings) or argument
        argument = argument if action.option_strings else ""
        help_text = formatter._expand_help(action) if action.help else ""
        if action.nargs == 0:  # a switch: in effect by default, or not; the variable's value
            shown = "on" if default == action.const else "off"
            variable = variable and f"{variable}={str(action.const).lower()}"
        else:
            shown = _text(default, switch=False)
        yield Flag(names, argument, help_text, shown, variable or "")


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def command_tables() -> list[Command]:
    """Every command of the kit, and the benchmarks', in the order the page shows them."""

    mock = _from_dataclass(mock_settings.MockSettings, mock_settings.ENV_PREFIX)
    tables = [
        Command(name, parser.description or "", tuple(_flags(parser, settings)))
        for (name, parser), settings in zip(
            mock_cli.parsers().items(), (mock, _argparse_only), strict=True
        )
    ]
    prefix = config.ENV_PREFIX
    per_command: dict[str, Settings] = {
        "run": _from_dataclass(config.SuiteConfig, prefix),
        "diff": _from_dataclass(DiffConfig, None),
        "proxy": _from_dataclass(ProxyOptions, prefix, set(FROM_ENVIRONMENT)),
        # driver.prism_home reads HONCHO_CONTRACT_PRISM_HOME for --home
        "prism install": lambda dest: (
            _ARGPARSE,
            prefix + "PRISM_HOME" if dest == "home" else None,
        ),
    }
    top = contract_cli.parser()
    tables.append(Command(top.prog, top.description or "", tuple(_flags(top, _argparse_only))))
    for name, sub in _subcommands(top).items():
        nested = _subcommands(sub)
        for inner, leaf in nested.items() or [("", sub)]:
            key = f"{name} {inner}".strip()
            settings = per_command.get(key, _argparse_only)
            title = f"{top.prog} {key}"
            tables.append(Command(title, leaf.description or sub.description or "",
                                  tuple(_flags(leaf, settings))))  # fmt: skip
    bench = bench_cli.parser()
    tables.append(Command(bench.prog, bench.description or "",
                          tuple(_flags(bench, _argparse_only))))  # fmt: skip
    return tables


def pytest_options() -> list[Flag]:
    """The contract plugin's ``--contract-*`` flags, and pytest-base-url's ``--base-url``."""
    settings = _from_dataclass(config.SuiteConfig, config.ENV_PREFIX)
    base_url = ("--base-url", "base_url", "URL", "the server under test (pytest-base-url's flag)")
    rows = []
    for flag, name, argument, help_text in (base_url, *plugin.options()):
        default, variable = settings(name)
        shown = "" if default is _ARGPARSE else _text(default, switch=not argument)
        if not argument and variable:
            variable += "=true"
        rows.append(Flag(flag, argument, help_text, shown, variable or ""))
    return rows


def fixture_settings() -> list[tuple[str, str, str]]:
    """``honcho_mock_factory``'s keywords: each ``MockSettings`` field, its default and the
    flag that sets it."""
    serve = mock_cli.parsers()[mock_cli.PROG]
    flags = {action.dest: action for action in serve._actions if action.option_strings}
    settings = HonchoMock.from_options().settings  # made, not started: the fixture's defaults
    rows = []
    for field in dataclasses.fields(settings):
        action = flags.get(field.name)
        flag = action.option_strings[0] if action is not None else ""
        value = getattr(settings, field.name)
        rows.append((field.name, _text(value, switch=isinstance(value, bool)), flag))
    return rows


def _cell(text: str) -> str:
    return f"`{text}`".replace("|", "\\|") if text else ""


def _plain(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(flags: tuple[Flag, ...] | list[Flag]) -> list[str]:
    lines = ["| flag | argument | environment | default | meaning |", "|---|---|---|---|---|"]
    lines += [
        f"| {_cell(f.names)} | {_cell(f.argument)} | {_cell(f.environment)} | "
        f"{_cell(f.default)} | {_plain(f.help)} |"
        for f in flags
    ]
    return lines


def render() -> str:
    """The reference as Markdown: a section per command, then the pytest plugins'."""
    out: list[str] = []
    for command in command_tables():
        out += [f"## `{command.name}`", ""]
        if command.description:
            out += [_plain(command.description), ""]
        out += [*_table(command.flags), ""]
    out += ["## pytest options", "",
            "The contract suite's tests (`pytest --pyargs contract_tests`) take these; the "
            "flag beats the variable.", "", *_table(pytest_options()), ""]  # fmt: skip
    out += ["## The fixture's settings", "",
            "`honcho_mock_factory(...)` and `HonchoMock.from_options(...)` take these "
            "keywords, as the flags take their values; the environment is not read.", "",
            "| keyword | default | flag |", "|---|---|---|"]  # fmt: skip
    out += [f"| `{name}` | {_cell(default)} | {_cell(flag)} |"
            for name, default, flag in fixture_settings()]  # fmt: skip
    return "\n".join(out) + "\n"
