"""``honcho-contract prism install``: the pinned Prism, installed with npm into a cache the
kit finds from anywhere.

The kit carries a manifest and lock file that pin Prism (``node/package.json`` and
``node/package-lock.json`` beside this module, in the wheel as in a checkout); ``npm ci``
installs exactly that into :func:`~contract_tests.prism.driver.prism_home`, where
:func:`~contract_tests.prism.driver.find_prism` looks after the working directory and the
checkout.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .driver import PRISM_BIN, PrismError, prism_home

__all__ = [
    "MANIFEST",
    "add_prism_command",
    "install_prism",
    "pinned_version",
    "run_prism_command",
]

MANIFEST = Path(__file__).resolve().parent / "node"
_PACKAGE = "@stoplight/prism-cli"


def pinned_version() -> str:
    """The Prism version the kit pins."""
    manifest = json.loads((MANIFEST / "package.json").read_text(encoding="utf-8"))
    return str(manifest["dependencies"][_PACKAGE])


def install_prism(
    home: Path | None = None, *, which: Callable[[str], str | None] = shutil.which
) -> Path:
    """Install the pinned Prism into ``home`` with ``npm ci``; the executable's path."""
    home = home or prism_home()
    npm = which("npm")
    if npm is None or which("node") is None:
        raise PrismError("Node.js and npm are needed to install Prism", where=str(home),
                         fix="install Node.js 20+ with npm, then run this again")  # fmt: skip
    try:
        home.mkdir(parents=True, exist_ok=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copyfile(MANIFEST / name, home / name)
    except OSError as exc:
        raise PrismError(f"cannot write there ({exc.strerror})", where=str(home),
                         fix="pass --home DIR in a writable place") from None  # fmt: skip
    done = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=home, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["npm failed"])[-1]
        raise PrismError(f"npm ci failed ({reason})", where=str(home),
                         fix="check the network to the npm registry and try again")  # fmt: skip
    return home / PRISM_BIN


def add_prism_command(commands: argparse._SubParsersAction[Any]) -> None:
    prism = commands.add_parser("prism", help="the pinned Stoplight Prism")
    actions = prism.add_subparsers(dest="prism_command", required=True,
                                   parser_class=type(prism))  # fmt: skip
    install = actions.add_parser("install", help="install the pinned Prism with npm")
    install.add_argument("--home", type=Path, metavar="DIR",
                         help="where to install it (HONCHO_CONTRACT_PRISM_HOME, else a cache "
                         "folder the kit looks in)")  # fmt: skip


def run_prism_command(options: dict[str, Any]) -> int:
    """``prism install``: install, then say where and which version."""
    path = install_prism(options.get("home"))
    print(f"Prism {pinned_version()} installed: {path}")
    return 0
