"""What /proc says about a process tree and the machine: memory, CPU time, other load.

>>> parse_cpu_ticks("42 (a (b) c) S 7 42 42 0 -1 0 0 0 0 0 150 25 0 0")
175
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

__all__ = [
    "busy_cpu_seconds",
    "descendants",
    "parse_busy_ticks",
    "parse_cpu_ticks",
    "parse_ppid",
    "parse_vmrss_kb",
    "tree_cpu_seconds",
    "tree_rss_kb",
]

PROC = Path("/proc")
_TICKS = os.sysconf("SC_CLK_TCK")


def _fields(stat: str) -> list[str]:
    # After the command name, which may hold spaces and parens: state is field 3.
    return stat[stat.rindex(")") + 2 :].split()


def parse_ppid(stat: str) -> int:
    """The parent pid from ``/proc/PID/stat``.

    >>> parse_ppid("42 (a (b) c) S 7 42 42 0")
    7
    """
    return int(_fields(stat)[1])


def parse_cpu_ticks(stat: str) -> int:
    """User plus system CPU time from ``/proc/PID/stat``, in clock ticks."""
    fields = _fields(stat)
    return int(fields[11]) + int(fields[12])


def parse_vmrss_kb(status: str) -> int:
    """``VmRSS`` in kB from ``/proc/PID/status`` (0 for a zombie, which has none).

    >>> parse_vmrss_kb("Name:\\tpython\\nVmRSS:\\t  31234 kB\\n")
    31234
    """
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def parse_busy_ticks(stat: str) -> int:
    """Ticks every CPU spent busy (user, nice, system, irq, softirq, steal), from
    ``/proc/stat``.

    >>> parse_busy_ticks("cpu  100 5 50 9000 20 3 2 1 0 0\\ncpu0 50 2 25 4500 10 1 1 0 0 0\\n")
    161
    """
    for line in stat.splitlines():
        if line.startswith("cpu "):
            user, nice, system, _idle, _iowait, irq, softirq, steal = (
                int(x) for x in line.split()[1:9]
            )
            return user + nice + system + irq + softirq + steal
    raise ValueError("no cpu line in /proc/stat")


def descendants(parents: Mapping[int, int], root: int) -> set[int]:
    """``root`` and every process below it, from a pid -> parent pid map.

    >>> sorted(descendants({2: 1, 3: 2, 4: 1, 5: 3}, 2))
    [2, 3, 5]
    """
    children: dict[int, list[int]] = {}
    for pid, ppid in parents.items():
        children.setdefault(ppid, []).append(pid)
    found, todo = {root}, [root]
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:  # the process ended while we looked
        return None


def _pids(proc: Path) -> Iterable[int]:
    return (int(entry.name) for entry in proc.iterdir() if entry.name.isdigit())


def _tree_stats(root: int, proc: Path) -> dict[int, str]:
    stats = {pid: _read(proc / str(pid) / "stat") for pid in _pids(proc)}
    found = {pid: stat for pid, stat in stats.items() if stat is not None}
    tree = descendants({pid: parse_ppid(stat) for pid, stat in found.items()}, root)
    return {pid: found[pid] for pid in tree if pid in found}


def tree_rss_kb(root: int, proc: Path = PROC) -> int:
    """Resident memory of ``root`` and its descendants, in kB (the sum of their VmRSS)."""
    total = 0
    for pid in _tree_stats(root, proc):
        status = _read(proc / str(pid) / "status")
        if status is not None:
            total += parse_vmrss_kb(status)
    return total


def tree_cpu_seconds(root: int, proc: Path = PROC) -> float:
    """CPU time ``root`` and its living descendants have used, in seconds."""
    return sum(parse_cpu_ticks(stat) for stat in _tree_stats(root, proc).values()) / _TICKS


def busy_cpu_seconds(proc: Path = PROC) -> float:
    """CPU time the whole machine has spent busy since boot, in seconds (all CPUs)."""
    return parse_busy_ticks((proc / "stat").read_text(encoding="ascii")) / _TICKS
