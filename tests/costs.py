"""What the test command costs: each tox env, and the costliest test files, from tox's log.

    python3 -m tox -- --durations=0 2>&1 | tee tox.log
    python3 tests/costs.py tox.log

prints two Markdown tables: each env's time as tox reports it (setup, that is the venv and
its installs, then its commands), and the twenty test files whose tests took longest,
summed over setup, call and teardown, per env that ran them. Under pytest-xdist the sums
count every worker, so they add up to more than the env's wall time: they say where the
time goes, not how long one waits.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

# "  test: OK (456.31=setup[13.84]+cmd[12.29,430.18] seconds)"
_ENV = re.compile(
    r"^\s+(?P<env>[\w.-]+): (?P<status>OK|FAIL|SKIP)[^(]*\((?P<total>[\d.]+)"
    r"=setup\[(?P<setup>[\d.]+)\]\+cmd\[(?P<cmd>[\d.,]*)\] seconds\)"
)
_COMMAND = re.compile(r"^(?P<env>[\w.-]+): commands\[\d+\]> ")
_DURATION = re.compile(r"^(?P<seconds>[\d.]+)s (?:setup|call|teardown)\s+(?P<file>[^:\s]+)::")
# "  congratulations :) (793.14 seconds)", or "  evaluation failed :( (...)": the whole run
_WHOLE = re.compile(
    r"^\s+(?:congratulations|evaluation failed) :[()] \((?P<seconds>[\d.]+) seconds\)"
)
_TOTAL = re.compile(r"^=*\s*(?P<summary>\d+ (?:passed|failed).*?) in [\d.]+s")


@dataclass
class Env:
    name: str
    status: str
    total: float
    setup: float
    commands: list[float]
    tests: str = ""  # pytest's summary: "1849 passed, 1 skipped"


@dataclass
class Costs:
    envs: list[Env] = field(default_factory=list)
    whole: float = 0.0  # the whole run, packaging the kit included
    # file -> env -> seconds
    files: dict[str, dict[str, float]] = field(default_factory=lambda: defaultdict(dict))


def read(log: str) -> Costs:
    """The envs and the per-file test times in a tox log run with ``--durations=0``."""
    costs = Costs()
    summaries: dict[str, str] = {}
    env = ""
    for line in log.splitlines():
        if match := _COMMAND.match(line):
            env = match["env"]
        elif match := _DURATION.match(line):
            times = costs.files[match["file"]]
            times[env] = times.get(env, 0.0) + float(match["seconds"])
        elif match := _TOTAL.match(line):
            summaries[env] = match["summary"]
        elif match := _WHOLE.match(line):
            costs.whole = float(match["seconds"])
        elif match := _ENV.match(line):
            commands = [float(c) for c in match["cmd"].split(",") if c]
            costs.envs.append(
                Env(match["env"], match["status"], float(match["total"]),
                    float(match["setup"]), commands, summaries.get(match["env"], ""))
            )  # fmt: skip
    return costs


def render(costs: Costs, top: int = 20) -> str:
    """The two tables, as Markdown."""
    lines = ["| env | result | total | venv and installs | commands | tests |",
             "|---|---|---|---|---|---|"]  # fmt: skip
    for env in costs.envs:
        commands = " + ".join(f"{c:.0f} s" for c in env.commands) or "-"
        lines.append(f"| `{env.name}` | {env.status} | {env.total:.0f} s | {env.setup:.0f} s "
                     f"| {commands} | {env.tests or '-'} |")  # fmt: skip
    whole = costs.whole or sum(env.total for env in costs.envs)
    lines += [f"| all | | {whole:.0f} s ({whole / 60:.1f} min) | | | |", ""]
    envs = sorted({env for times in costs.files.values() for env in times})
    lines += ["| test file | " + " | ".join(f"`{env}`" for env in envs) + " |",
              "|---|" + "---|" * len(envs)]  # fmt: skip
    ranked = sorted(costs.files.items(), key=lambda item: -sum(item[1].values()))
    for name, times in ranked[:top]:
        cells = " | ".join(f"{times[env]:.0f} s" if env in times else "-" for env in envs)
        lines.append(f"| `{name}` | {cells} |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python3 tests/costs.py TOX_LOG", file=sys.stderr)
        return 2
    try:
        log = Path(argv[0]).read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        print(f"costs: {argv[0]}: {exc.strerror}", file=sys.stderr)
        return 2
    costs = read(log)
    if not costs.envs:
        print(f"costs: {argv[0]}: no tox summary in it (run tox to the end)", file=sys.stderr)
        return 2
    print(render(costs))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
