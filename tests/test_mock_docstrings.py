"""The examples in ``mock_server``'s docstrings run."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import mock_server

MODULES = sorted(
    info.name for info in pkgutil.iter_modules(mock_server.__path__) if info.name != "__main__"
)


@pytest.mark.parametrize("module", MODULES)
def test_docstring_examples(module: str) -> None:
    failures, _ = doctest.testmod(importlib.import_module(f"mock_server.{module}"))
    assert failures == 0
