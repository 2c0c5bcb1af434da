"""Which checks a run reports: ``--checks`` and ``--exclude-checks``, by the names reports use.

A name selects the findings of that check and those of every check whose cause joins it
(:attr:`~contract_tests.cases.model.Finding.family`): ``--exclude-checks expected_status``
leaves out schemathesis's checks on a status too, as they say the same thing of the same
answers, while ``--exclude-checks status_code_conformance`` leaves out that one alone (and
the engine does not run it). The cases are sent all the same. What a run meets rather than
judges is always reported: a request left unanswered, a server gone down, a failure that
did not hold again, the hints on its set-up.

>>> only = select_checks(["server_error"], None)
>>> only.reports("server_error"), only.reports("empty_204")
(True, False)
>>> select_checks(None, ["expected_status"]).reports("status_code_conformance", "expected_status")
False
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..cases.model import SERVER_DOWN, THEIR_STATUS_CHECKS, Finding
from ..errors import UsageError

__all__ = [
    "ALL_CHECKS",
    "ALWAYS_REPORTED",
    "CHECK_CHOICES",
    "KIT_CHECKS",
    "THEIR_CHECKS",
    "CheckSelection",
    "select_checks",
]

# The kit's checks, as its reports name them.
KIT_CHECKS = (
    "server_error", "expected_status", "empty_204", "validation_error_shape", "error_locations",
    "method_not_allowed", "undocumented_status", "body_limit", "fixture_locations",
    "golden_answer", "credentials_not_enforced", "no_credentials",
)  # fmt: skip
# schemathesis's checks that a run of the one operation may report under their own names
# (its not_a_server_error never: a 5xx is the kit's server_error).
THEIR_CHECKS = (
    *THEIR_STATUS_CHECKS, "content_type_conformance", "response_schema_conformance",
    "response_headers_conformance", "missing_required_header", "allow_header_conformance",
)  # fmt: skip
CHECK_CHOICES = (*KIT_CHECKS, *THEIR_CHECKS)
# What a run meets rather than judges: reported whatever the selection.
ALWAYS_REPORTED = frozenset({SERVER_DOWN, "no_answer", "flaky", "workspace_hint", "example_db"})


@dataclass(frozen=True)
class CheckSelection:
    """The checks named by ``--checks`` (``only``; ``None``: all) less ``--exclude-checks``."""

    only: frozenset[str] | None = None
    excluded: frozenset[str] = frozenset()

    def reports(self, check: str, family: str | None = None) -> bool:
        """Whether a finding of ``check``, whose cause joins ``family``'s, is reported."""
        if check in ALWAYS_REPORTED:
            return True
        names = {check, family or check}
        if self.only is not None and not names & self.only:
            return False
        return not names & self.excluded

    def kept(self, findings: Iterable[Finding]) -> list[Finding]:
        """``findings`` that the selection reports."""
        return [f for f in findings if self.reports(f.check, f.family)]


ALL_CHECKS = CheckSelection()


def select_checks(only: Sequence[str] | None, excluded: Sequence[str] | None) -> CheckSelection:
    """The selection of ``--checks`` and ``--exclude-checks``; a name that is no check's is
    a :class:`UsageError` that lists the names."""
    for flag, names in (("--checks", only), ("--exclude-checks", excluded)):
        for name in names or ():
            if name not in CHECK_CHOICES:
                raise UsageError(f"{flag} {name!r} is no check", fix="give a comma-separated "
                                 f"list of: {', '.join(CHECK_CHOICES)}")  # fmt: skip
    return CheckSelection(None if only is None else frozenset(only), frozenset(excluded or ()))
