"""Stoplight Prism, driven as a subprocess: the driver, its log reader and the validating proxy.

It may import :mod:`contract_tests.config` and :mod:`contract_tests.errors` only.
"""

from .driver import Prism, PrismError, find_prism
from .log import PrismLog, Violation

__all__ = ["Prism", "PrismError", "PrismLog", "Violation", "find_prism"]
