"""A run's findings as text for people: each distinct finding once, the summary last."""

from __future__ import annotations

from ..cases.model import Severity
from ..run.session import Report

__all__ = ["render_text", "summary_line"]


def summary_line(report: Report) -> str:
    """``N failures, M warnings in K cases (S s)``."""
    failures, warnings = report.count(Severity.FAILURE), report.count(Severity.WARNING)
    return (
        f"{failures} failure{'s' * (failures != 1)}, {warnings} warning{'s' * (warnings != 1)}"
        f" in {report.cases} cases ({report.duration:.1f} s)"
    )


def render_text(report: Report) -> str:
    """Each distinct finding once, failures first, each with its reproducer; the summary last."""
    lines = [f"honcho-contract: {report.config.root_url} (seed {report.config.seed})"]
    ordered = sorted(report.distinct(), key=lambda pair: pair[0].severity is Severity.WARNING)
    for finding, count in ordered:
        label = "FAIL" if finding.severity is Severity.FAILURE else "WARN"
        status = finding.status if finding.status is not None else "-"
        cases = f" ({count} cases)" if count > 1 else ""
        lines.append(f"{label} {finding.check} [{status}] at {finding.location}{cases}")
        lines.append(f"  {finding.message}")
        if finding.reproducer:
            lines.append(f"  reproduce: {finding.reproducer}")
    lines.extend(f"ERROR {error}" for error in report.errors)
    lines.append(summary_line(report))
    return "\n".join(lines)
