"""The examples in the packages' docstrings run, in every module of every folder."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import contract_tests
import mock_server

MODULES = sorted(
    info.name
    for package in (mock_server, contract_tests)
    for info in pkgutil.walk_packages(package.__path__, prefix=package.__name__ + ".")
    if not info.name.endswith(("__main__", "test_contract"))
)


@pytest.mark.parametrize("module", MODULES)
def test_docstring_examples(module: str) -> None:
    failures, _ = doctest.testmod(importlib.import_module(module))
    assert failures == 0
