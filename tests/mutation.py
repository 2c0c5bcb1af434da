"""A mutation check of three modules, run by hand (``tox -e mutation -- answers``).

cosmic-ray changes one operator, constant or comparison at a time in the module and runs
a fast, targeted selection of the kit's tests; a mutant the tests still pass *survives*
and marks a change no test notices. cosmic-ray edits files in place, so each run works on
a copy of the tree (the files git tracks) in a temporary folder, which the copy's
``PYTHONPATH`` puts ahead of the installed kit.

    python tests/mutation.py [answers] [probes] [rendering]

prints each survivor's diff and a count per module.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# module: its tests (each a few seconds), seconds a mutant may take before it counts as
# killed (a hang)
TARGETS = {
    "answers": (
        "contract_tests/checks/answers.py",
        ["tests/test_contract_checks.py", "tests/test_probes.py"],
        60,
    ),
    "probes": (
        "contract_tests/cases/probes.py",
        ["tests/test_probes.py"],
        60,
    ),
    "rendering": (
        "mock_server/answer/rendering.py",
        ["tests/test_rendering.py", "tests/test_hot_path.py", "tests/test_journal.py"],
        60,
    ),
}
# Operators whose mutants are mostly noise here (bit and power arithmetic on no integers).
SKIPPED_OPERATORS = [
    r"core/ReplaceBinaryOperator_.*_(Pow|RShift|LShift|BitOr|BitAnd|BitXor|FloorDiv|Mod)$",
    r"core/ReplaceBinaryOperator_(Pow|RShift|LShift|BitOr|BitAnd|BitXor|FloorDiv|Mod)_.*",
]


def _config(module: str, tests: list[str], timeout: int) -> str:
    command = " ".join([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
                        *tests])  # fmt: skip
    return "\n".join([
        "[cosmic-ray]",
        f"module-path = {json.dumps(module)}",
        f"timeout = {float(timeout)}",
        "excluded-modules = []",
        f"test-command = {json.dumps(command)}",
        "[cosmic-ray.distributor]",
        'name = "local"',
        "[cosmic-ray.filters.operators-filter]",
        f"exclude-operators = {json.dumps(SKIPPED_OPERATORS)}",
    ]) + "\n"  # fmt: skip


def _copy_tree(into: Path) -> None:
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                           check=True).stdout.decode().split("\0")  # fmt: skip
    for name in filter(None, files):
        source = ROOT / name
        if source.is_file():
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, into / name)


def run(target: str) -> int:
    """Mutate one module in a copy of the tree; print the survivors; return their count."""
    module, tests, timeout = TARGETS[target]
    with tempfile.TemporaryDirectory(prefix=f"mutation-{target}-") as folder:
        tree = Path(folder)
        _copy_tree(tree)
        (tree / "mutation.toml").write_text(_config(module, tests, timeout))
        env = {**os.environ, "PYTHONPATH": str(tree), "HYPOTHESIS_PROFILE": "ci"}

        def step(*command: str) -> str:
            done = subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True,
                                  check=True)  # fmt: skip
            return done.stdout

        step(str(BIN / "cosmic-ray"), "init", "mutation.toml", "session.sqlite")
        step(str(BIN / "cr-filter-operators"), "session.sqlite", "mutation.toml")
        step(str(BIN / "cosmic-ray"), "exec", "mutation.toml", "session.sqlite")
        report = step(str(BIN / "cr-report"), "--show-diff", "--surviving-only",
                      "session.sqlite")  # fmt: skip
    print(f"== {module}\n{report}", flush=True)
    return report.count("test outcome: TestOutcome.SURVIVED")


def main(argv: list[str]) -> int:
    targets = argv or list(TARGETS)
    unknown = [t for t in targets if t not in TARGETS]
    if unknown:
        print(f"mutation: unknown module {unknown[0]!r}; use {', '.join(TARGETS)}",
              file=sys.stderr)  # fmt: skip
        return 2
    for target in targets:
        run(target)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
