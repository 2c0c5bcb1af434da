"""Every example in the packages' docstrings runs and passes: one test per module that has
examples (a module without any is not listed, so no test passes for want of examples)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import contract_tests
import honcho_spec
import mock_server


def _examples(module: str) -> int:
    tests = doctest.DocTestFinder().find(importlib.import_module(module))
    return sum(len(test.examples) for test in tests)


MODULES = sorted(
    info.name
    for package in (mock_server, contract_tests, honcho_spec)
    for info in pkgutil.walk_packages(package.__path__, prefix=package.__name__ + ".")
    if not info.name.endswith(("__main__", "test_contract"))
)
WITH_EXAMPLES = {module: count for module in MODULES if (count := _examples(module))}


@pytest.mark.parametrize("module", sorted(WITH_EXAMPLES))
def test_docstring_examples(module: str) -> None:
    failures, tried = doctest.testmod(importlib.import_module(module))
    assert failures == 0
    assert tried > 0  # examples marked +SKIP aside


@pytest.mark.parametrize("package", [mock_server, contract_tests, honcho_spec],
                         ids=lambda package: package.__name__)  # fmt: skip
def test_each_package_has_examples(package: object) -> None:
    name = getattr(package, "__name__", "")
    assert [module for module in WITH_EXAMPLES if module.startswith(name + ".")]
