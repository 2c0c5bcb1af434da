"""The layering rule of the README's architecture section, enforced on the source."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("honcho_spec", "mock_server", "contract_tests")
FORBIDDEN = {
    "honcho_spec": {"mock_server", "contract_tests"},
    "mock_server": {"contract_tests"},
    "contract_tests": {"mock_server"},
}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", PACKAGES)
def test_package_imports_only_layers_below_it(package: str) -> None:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files
    for path in files:
        broken = imported_packages(path) & FORBIDDEN[package]
        assert not broken, f"{path.relative_to(ROOT)} imports {sorted(broken)}"


def test_rule_checker_sees_a_forbidden_import(tmp_path: Path) -> None:
    module = tmp_path / "bad.py"
    module.write_text("from mock_server.app import create_app\nimport contract_tests.x\n")
    assert imported_packages(module) >= {"mock_server", "contract_tests"}


def test_document_is_the_seed_unchanged() -> None:
    document = ROOT / "openapi" / "trigger_dream.openapi.yaml"
    seed = ROOT.parent / "shared" / "seeds" / "trigger_dream.openapi.yaml"
    if not seed.exists():
        pytest.skip("the seed is not beside this checkout")
    assert document.read_bytes() == seed.read_bytes()
