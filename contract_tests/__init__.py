"""The contract suite: fuzz any implementation of trigger_dream at a base URL.

It reads the contract through :mod:`honcho_spec` and never imports :mod:`mock_server`.
Importing the package imports nothing else (its pytest plugin is loaded by every pytest run
in the environment); ``load_document`` and ``load_golden_cases`` come on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from honcho_spec import load_document, load_golden_cases

__all__ = ["load_document", "load_golden_cases"]


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import honcho_spec  # noqa: PLC0415

    value = getattr(honcho_spec, name)
    globals()[name] = value
    return value
