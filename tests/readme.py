"""The README's console examples, as data for the tests that run them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
_BLOCK = re.compile(r"```console\n(.*?)```", re.DOTALL)


@dataclass(frozen=True)
class Example:
    command: str
    output: list[str]

    def matches(self, actual: str) -> bool:
        """Each expected line equals the actual one; a line ending in ``...`` is a prefix."""
        lines = actual.splitlines()
        if len(lines) != len(self.output):
            return False
        return all(
            got.startswith(want[:-3]) if want.endswith("...") else got == want
            for want, got in zip(self.output, lines, strict=True)
        )


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
