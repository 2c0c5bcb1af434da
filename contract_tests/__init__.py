"""The contract suite: fuzz any implementation of trigger_dream at a base URL.

It reads the contract through :mod:`honcho_spec` and never imports :mod:`mock_server`.
"""

from honcho_spec import load_document, load_golden_cases

__all__ = ["load_document", "load_golden_cases"]
