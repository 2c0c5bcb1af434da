"""tests/npm_ci.py: ``npm ci`` is skipped only when node_modules holds the lock's packages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from npm_ci import installed_as_locked

LOCKED = {
    "": {"name": "kit"},
    "node_modules/a": {"version": "1.0.0", "integrity": "sha512-a"},
    "node_modules/fsevents": {"version": "2.3.3", "optional": True, "os": ["darwin"]},
}


def _write(root: Path, locked: dict[str, Any], installed: dict[str, Any] | None) -> None:
    (root / "package-lock.json").write_text(json.dumps({"packages": locked}))
    if installed is not None:
        (root / "node_modules").mkdir()
        hidden = root / "node_modules" / ".package-lock.json"
        hidden.write_text(json.dumps({"packages": installed}))


@pytest.mark.parametrize(
    ("installed", "skipped"),
    [
        pytest.param({"node_modules/a": LOCKED["node_modules/a"]}, True, id="as-locked"),
        pytest.param(None, False, id="no-node-modules"),
        pytest.param({}, False, id="one-missing"),
        pytest.param({"node_modules/a": {"version": "1.0.1"}}, False, id="another-version"),
        pytest.param(
            {"node_modules/a": LOCKED["node_modules/a"], "node_modules/b": {}}, False, id="one-more"
        ),
    ],
)
def test_npm_ci_is_skipped_only_for_the_locked_packages(
    installed: dict[str, Any] | None, skipped: bool, tmp_path: Path
) -> None:
    _write(tmp_path, LOCKED, installed)
    assert installed_as_locked(tmp_path) is skipped


def test_a_hidden_lock_npm_did_not_write_is_no_install(tmp_path: Path) -> None:
    _write(tmp_path, LOCKED, {})
    (tmp_path / "node_modules" / ".package-lock.json").write_text("not json")
    assert not installed_as_locked(tmp_path)
