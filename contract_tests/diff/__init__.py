"""``honcho-contract diff``: the same requests to two servers, each disagreement once.

It may import :mod:`contract_tests.cases`, :mod:`~contract_tests.checks` (it judges each
answer as a run does), :mod:`~contract_tests.wire` and :mod:`~contract_tests.config`; never
the run or its reports.
"""

from .engine import DiffConfig, DiffReport, Disagreement, run_diff

__all__ = ["DiffConfig", "DiffReport", "Disagreement", "run_diff"]
