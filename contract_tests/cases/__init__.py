"""What the suite sends and what it finds, as data: probes, golden cases, tokens, findings.

Built from the document's facts by plain functions. It may import :mod:`honcho_spec` and
:mod:`contract_tests.errors`; nothing that sends, judges or reports.
"""

from .facts import ContractFacts
from .model import Exchange, Expect, Finding, Probe, Reply, Severity

__all__ = ["ContractFacts", "Exchange", "Expect", "Finding", "Probe", "Reply", "Severity"]
