"""The layering rules of docs/architecture.md, enforced on the source.

Between the packages: ``honcho_spec`` at the bottom, ``mock_server`` and ``contract_tests`` on
it, never importing each other. Inside each package, every folder may import only the parts
named for it below (the modules at a package's top, its command line and entry points, may
import anything of it).
"""

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
# part -> the parts of the same package it may import (itself always)
PARTS = {
    "mock_server": {
        "answer": set(),
        "controls": {"answer"},
        "settings": {"controls"},
        "edge": {"answer", "controls", "settings"},
    },
    "contract_tests": {
        "errors": set(),
        "untrusted": set(),  # a server's bytes made safe to show, wherever they are shown
        "unicode_table": set(),  # Hypothesis's table of UTF-8, for whatever draws strings
        "options": {"errors"},
        "config": {"errors", "options"},
        "oracle": set(),  # what a body must get: the strict reader and the document's schema
        "cases": {"errors", "oracle"},
        "checks": {"cases", "errors", "oracle"},
        "wire": {"cases", "errors", "options"},
        "run": {
            "cases",
            "checks",
            "oracle",
            "wire",
            "config",
            "errors",
            "untrusted",
            "unicode_table",
        },
        "report": {"cases", "checks", "run", "config", "errors", "untrusted"},
        "diff": {
            "cases",
            "checks",
            "wire",
            "options",
            "config",
            "errors",
            "untrusted",
            "unicode_table",
        },
        "prism": {"config", "errors", "untrusted"},
    },
}
# part -> third-party packages it must not import (HTTP stays at the edge)
NO_HTTP = {"starlette", "uvicorn", "httpx", "requests"}
THIRD_PARTY_FORBIDDEN = {
    ("mock_server", "answer"): NO_HTTP,
    ("mock_server", "controls"): {"uvicorn", "httpx", "requests"},
    ("contract_tests", "cases"): {"httpx", "requests", "schemathesis", "hypothesis", "pytest"},
    ("contract_tests", "checks"): {"httpx", "requests", "schemathesis", "hypothesis", "pytest"},
    ("contract_tests", "oracle"): {"httpx", "requests", "schemathesis", "hypothesis", "pytest"},
}
# controls/ reads a path as Starlette's router does, and nothing else of Starlette
STARLETTE_IN_CONTROLS = {"starlette.routing"}


def module_name(path: Path) -> str:
    base = ROOT if path.is_relative_to(ROOT) else path.parent
    parts = list(path.relative_to(base).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, relative imports resolved to absolute names."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                base = node.module or ""
            else:
                anchor = package[: len(package) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def imported_packages(path: Path) -> set[str]:
    return {name.split(".")[0] for name in imported_modules(path)}


def part_of(module: str) -> str | None:
    """The part a module belongs to: ``mock_server.edge.app`` -> ``edge``."""
    pieces = module.split(".")
    return pieces[1] if len(pieces) > 1 else None


@pytest.mark.parametrize("package", PACKAGES)
def test_package_imports_only_layers_below_it(package: str) -> None:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files
    for path in files:
        broken = imported_packages(path) & FORBIDDEN[package]
        assert not broken, f"{path.relative_to(ROOT)} imports {sorted(broken)}"


@pytest.mark.parametrize("package", sorted(PARTS))
def test_each_part_imports_only_the_parts_below_it(package: str) -> None:
    rules = PARTS[package]
    for path in sorted((ROOT / package).rglob("*.py")):
        part = part_of(module_name(path))
        if part not in rules:
            continue  # the package's top: command line, entry points, public names
        for name in imported_modules(path):
            if not name.startswith(package + "."):
                continue
            other = part_of(name)
            allowed = rules[part] | {part}
            assert other in allowed, (
                f"{path.relative_to(ROOT)} ({part}/) imports {name}; {part}/ may import only "
                f"{', '.join(sorted(allowed))}"
            )


@pytest.mark.parametrize(("package", "part"), sorted(THIRD_PARTY_FORBIDDEN))
def test_pure_parts_import_no_http(package: str, part: str) -> None:
    folder = ROOT / package / part
    files = sorted(folder.rglob("*.py"))
    assert files, folder
    for path in files:
        names = imported_modules(path)
        broken = {name.split(".")[0] for name in names} & THIRD_PARTY_FORBIDDEN[(package, part)]
        assert not broken, f"{path.relative_to(ROOT)} imports {sorted(broken)}"
        if (package, part) == ("mock_server", "controls"):
            starlette = {n for n in names if n.split(".")[0] == "starlette"}
            assert {".".join(n.split(".")[:2]) for n in starlette} <= STARLETTE_IN_CONTROLS, (
                f"{path.relative_to(ROOT)} imports {sorted(starlette)}"
            )


def test_rule_checker_sees_a_forbidden_import(tmp_path: Path) -> None:
    module = tmp_path / "bad.py"
    module.write_text("from mock_server.edge.app import create_app\nimport contract_tests.x\n")
    assert imported_packages(module) >= {"mock_server", "contract_tests"}


def test_rule_checker_resolves_relative_imports() -> None:
    path = ROOT / "mock_server" / "edge" / "app.py"
    names = imported_modules(path)
    assert "mock_server.answer.handler" in names
    assert "mock_server.edge.dispatch" in names
    assert part_of("mock_server.answer.handler") == "answer"


def test_every_part_has_a_rule() -> None:
    for package, rules in PARTS.items():
        folders = {p.name for p in (ROOT / package).iterdir() if (p / "__init__.py").exists()}
        assert folders <= set(rules), f"{package}: no rule for {sorted(folders - set(rules))}"


def test_document_is_the_seed_unchanged() -> None:
    document = ROOT / "openapi" / "trigger_dream.openapi.yaml"
    seed = ROOT.parent / "shared" / "seeds" / "trigger_dream.openapi.yaml"
    if not seed.exists():
        pytest.skip("the seed is not beside this checkout")
    assert document.read_bytes() == seed.read_bytes()
