"""``npm ci``, unless ``node_modules`` already holds exactly what package-lock.json pins.

tox's ``test`` and ``latest`` envs both need the checkout's Node packages (Prism, the npm SDK,
the Express and Fastify servers); ``npm ci`` deletes ``node_modules`` and installs it again
each time (about 12 s). npm records what it installed in ``node_modules/.package-lock.json``:
when every package there is the lock's, and every package of the lock is there or optional
(another platform's), the second env reuses the first's install.

    python tests/npm_ci.py
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
COMMAND = ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"]


def _packages(path: Path) -> dict[str, Any] | None:
    try:
        packages = json.loads(path.read_text(encoding="utf-8"))["packages"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return (
        {name: entry for name, entry in packages.items() if name}
        if isinstance(packages, dict)
        else None
    )


def installed_as_locked(root: Path = ROOT) -> bool:
    """Whether ``root/node_modules`` holds the packages ``root/package-lock.json`` pins."""
    locked = _packages(root / "package-lock.json")
    installed = _packages(root / "node_modules" / ".package-lock.json")
    if locked is None or installed is None:
        return False
    if any(locked.get(name) != entry for name, entry in installed.items()):
        return False
    return all(name in installed or entry.get("optional") for name, entry in locked.items())


def main() -> int:
    if installed_as_locked():
        print("npm_ci: node_modules holds package-lock.json's packages; npm ci skipped")
        return 0
    npm = shutil.which("npm")
    if npm is None:
        print("npm_ci: npm not found on PATH: install Node.js 20+ with npm", file=sys.stderr)
        return 1
    return subprocess.run([npm, *COMMAND[1:]], cwd=ROOT, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
