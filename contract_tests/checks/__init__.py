"""What the suite judges: pure functions from an exchange (a probe and its answer) to findings.

It may import :mod:`contract_tests.cases`; nothing that sends or reports.
"""

from .answers import CHECKS, CheckContext, run_checks

__all__ = ["CHECKS", "CheckContext", "run_checks"]
