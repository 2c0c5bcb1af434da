"""The run's verdict on one server's answer, as a diff compares it.

The checks are the run's own (:func:`contract_tests.checks.answers.run_checks`: the status
the request's expectation gives, a 204 without content, a 422's shape and its items'
places), applied to the request as that server got it (its credentials) and its answer;
what a diff compares is which checks fail it. A run also sends a failure again to confirm
it and holds golden cases to Honcho's own answers: a diff sends each request once to each
server and compares the two answers with each other.

>>> from contract_tests.cases.model import Probe, Reply
>>> from honcho_spec import default_document_path
>>> ctx = check_context(default_document_path())
>>> probe = Probe("a valid body", "body", "POST", "/v2/workspaces/w/trigger_dream", b"{}")
>>> verdicts(probe, Reply(204, (("content-length", "19"),), b""), ctx)
(('empty_204', '204 with a body (0 bytes, content-length 19)'),)
"""

from __future__ import annotations

from pathlib import Path

from honcho_spec import load_document

from ..cases.facts import ContractFacts
from ..cases.model import Exchange, Probe, Reply, Severity
from ..checks import CheckContext, run_checks

__all__ = ["check_context", "verdicts"]


def check_context(document: Path) -> CheckContext:
    """What the checks know of the operation: a run's, on the default profile."""
    return CheckContext(ContractFacts.from_document(load_document(document)))


def verdicts(probe: Probe, reply: Reply, ctx: CheckContext) -> tuple[tuple[str, str], ...]:
    """(check, message) for each check that ``reply`` to ``probe`` fails, its first message
    (a warning is no verdict: a framing a diff compares by itself, a refusal HTTP allows)."""
    failed: dict[str, str] = {}
    for finding in run_checks(Exchange(probe, reply), ctx):
        if finding.severity is Severity.FAILURE:
            failed.setdefault(finding.check, finding.message)
    return tuple(sorted(failed.items()))
