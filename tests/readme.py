"""The examples of the README and of the documentation (``docs/``), as data for the tests
that run them.

Every page is read the same way: ``console`` blocks are commands (``$ ...``) with the
output expected of each, ``python`` blocks opening with ``# test_<name>.py`` are test files,
``js`` blocks opening with ``// <name>.test.js`` are ``node --test`` files, and ``yaml``
blocks are workflow steps. A block that two pages show alike is one example.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
_BLOCK = re.compile(r"```console\n(.*?)```", re.DOTALL)
_PYTHON = re.compile(r"```python\n(# (test_\w+\.py)\b.*?)```", re.DOTALL)
_JAVASCRIPT = re.compile(r"```js\n(// (\w+\.test\.js)\b.*?)```", re.DOTALL)
_YAML = re.compile(r"```yaml\n(.*?)```", re.DOTALL)
_T = TypeVar("_T")


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


def pages() -> list[Path]:
    """The README, then every page under ``docs/``, in path order."""
    return [README, *sorted(DOCS.rglob("*.md"))]


def page(name: str) -> str:
    """The text of one page: ``README.md``, or a path under ``docs/`` (``development.md``)."""
    path = README if name == README.name else DOCS / name
    return path.read_text(encoding="utf-8")


def text() -> str:
    """Every page's text, one after the other."""
    return "\n".join(path.read_text(encoding="utf-8") for path in pages())


def _blocks(source: str) -> list[list[Example]]:
    blocks = []
    for body in _BLOCK.findall(source):
        examples: list[Example] = []
        for line in body.splitlines():
            if line.startswith("$ "):
                examples.append(Example(line[2:], []))
            elif examples:
                examples[-1].output.append(line)
        blocks.append(examples)
    return blocks


def _unique(items: list[_T]) -> list[_T]:
    kept: list[_T] = []
    for item in items:
        if item not in kept:
            kept.append(item)
    return kept


def console_blocks() -> list[list[Example]]:
    """Every console block, the README's first: its set-up commands open the list."""
    return _unique([block for path in pages() for block in _blocks(path.read_text("utf-8"))])


def _readme_examples() -> list[Example]:
    return [ex for block in _blocks(README.read_text(encoding="utf-8")) for ex in block]


def setup_commands() -> tuple[Example, Example]:
    """The README's two set-up commands: install and run the mock (its first example);
    install and pass the tests (the one that runs ``python3 -m tox``)."""
    examples = _readme_examples()
    (tests,) = [ex for ex in examples if ex.command.endswith("python3 -m tox")]
    return examples[0], tests


def url_install() -> Example:
    """The README's install from the repository's URL, without a clone."""
    (example,) = [ex for ex in _readme_examples() if "git+https://" in ex.command]
    return example


def example_blocks() -> list[list[Example]]:
    """Every console block but the README's installs (``tests/test_packaging.py`` runs
    those) and its test command."""
    installs = [*setup_commands(), url_install()]
    return [block for block in console_blocks() if not any(ex in installs for ex in block)]


def readme_examples() -> list[Example]:
    """The README's own console examples, but for its installs and its test command."""
    installs = [*setup_commands(), url_install()]
    return [ex for ex in _readme_examples() if ex not in installs]


def python_test_files(source: str | None = None) -> list[tuple[str, str]]:
    """The Python examples that are test files: ``(name, source)``, each block starting with
    a ``# test_<name>.py`` comment; of every page, or of ``source`` alone."""
    found = [(name, body) for body, name in _PYTHON.findall(text() if source is None else source)]
    return _unique(found)


def javascript_test_files() -> list[tuple[str, str]]:
    """The JavaScript examples that are ``node --test`` files: ``(name, source)``, each
    block starting with a ``// <name>.test.js`` comment."""
    return _unique([(name, body) for body, name in _JAVASCRIPT.findall(text())])


def yaml_blocks() -> list[str]:
    """Every YAML block (workflow steps)."""
    return _unique(_YAML.findall(text()))
