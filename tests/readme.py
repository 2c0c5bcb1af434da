"""The README's console examples, as data for the tests that run them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
_BLOCK = re.compile(r"```console\n(.*?)```", re.DOTALL)
_PYTHON = re.compile(r"```python\n(# (test_\w+\.py)\b.*?)```", re.DOTALL)
_JAVASCRIPT = re.compile(r"```js\n(// (\w+\.test\.js)\b.*?)```", re.DOTALL)


@dataclass(frozen=True)
class Example:
    command: str
    output: list[str]

    def matches(self, actual: str) -> bool:
        """Each expected line equals the actual one; a line ending in ``...`` is a prefix,
        and a line that is only ``...`` stands for any number of lines."""
        return _match(self.output, actual.splitlines())


def _match(wanted: list[str], lines: list[str]) -> bool:
    if not wanted:
        return not lines
    first, rest = wanted[0], wanted[1:]
    if first == "...":
        return any(_match(rest, lines[skip:]) for skip in range(len(lines) + 1))
    if not lines:
        return False
    head = lines[0].startswith(first[:-3]) if first.endswith("...") else lines[0] == first
    return head and _match(rest, lines[1:])


def console_blocks() -> list[list[Example]]:
    blocks = []
    for body in _BLOCK.findall(README.read_text(encoding="utf-8")):
        examples: list[Example] = []
        for line in body.splitlines():
            if line.startswith("$ "):
                examples.append(Example(line[2:], []))
            elif examples:
                examples[-1].output.append(line)
        blocks.append(examples)
    return blocks


def setup_commands() -> tuple[Example, Example]:
    """The two set-up commands: install and run the mock; install and pass the tests."""
    first, second = console_blocks()[:2]
    return first[0], second[0]


def python_test_files() -> list[tuple[str, str]]:
    """The README's Python examples that are test files: ``(name, source)``, each block
    starting with a ``# test_<name>.py`` comment."""
    return [(name, body) for body, name in _PYTHON.findall(README.read_text(encoding="utf-8"))]


def javascript_test_files() -> list[tuple[str, str]]:
    """The README's JavaScript examples that are ``node --test`` files: ``(name, source)``,
    each block starting with a ``// <name>.test.js`` comment."""
    found = _JAVASCRIPT.findall(README.read_text(encoding="utf-8"))
    return [(name, body) for body, name in found]
