"""One contract run against one server: probes, golden cases, tokens and schemathesis's cases,
sent and checked.

It may import :mod:`contract_tests.cases`, :mod:`~contract_tests.checks`,
:mod:`~contract_tests.wire` and :mod:`~contract_tests.config`; never the diff, Prism or the
reports.
"""

from .campaign import run_suite
from .session import Report, Session

__all__ = ["Report", "Session", "run_suite"]
