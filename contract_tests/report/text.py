"""A run's findings as text for people: each cause once (one bug, however many cases and
places show it), the summary last."""

from __future__ import annotations

from ..cases.layers import LAYERS
from ..cases.model import Severity
from ..run.session import Cause, Report
from ..untrusted import lines as output_lines

__all__ = ["by_layer", "render_text", "summary_line"]

_MESSAGE_LIMIT = 400
_KINDS_SHOWN = 4


def summary_line(report: Report) -> str:
    """``N failures, M warnings in K cases (S s)``, with ``, E engine errors`` after the
    warnings when schemathesis's engine reported any (they fail the run), and the probes
    sent by layer of the request (``; by layer: framing 11, ...``)."""
    failures, warnings = report.count(Severity.FAILURE), report.count(Severity.WARNING)
    errors = len(report.errors)
    engine = f", {errors} engine error{'s' * (errors != 1)}" if errors else ""
    return (
        f"{failures} failure{'s' * (failures != 1)}, {warnings} warning{'s' * (warnings != 1)}"
        f"{engine} in {report.cases} cases ({report.duration:.1f} s){by_layer(report)}"
    )


def by_layer(report: Report) -> str:
    """``; by layer: request line 15, framing 11, ...``: the probes and mutated cases the
    run sent, in the order a request passes the layers; nothing if it sent none."""
    counted = [f"{layer} {report.layers[layer]}" for layer in LAYERS if report.layers[layer]]
    return f"; by layer: {', '.join(counted)}" if counted else ""


def render_text(report: Report) -> str:
    """Each distinct finding once, failures first, each with its reproducer; why the run
    stopped early, if it did; the summary last."""
    lines = [f"honcho-contract: {report.config.root_url} (seed {report.config.seed})"]
    ordered = sorted(report.distinct(), key=lambda c: c.finding.severity is Severity.WARNING)
    for cause in ordered:
        finding = cause.finding
        label = "FAIL" if finding.severity is Severity.FAILURE else "WARN"
        status = finding.status if finding.status is not None else "-"
        lines.append(f"{label} {finding.check} [{status}] at {cause.place}{_hit(cause)}")
        lines.append(f"  {finding.message[:_MESSAGE_LIMIT]}")
        if finding.answer:
            lines.append(f"  answer: {finding.answer[:_MESSAGE_LIMIT]}")
        others = [check for check in cause.checks if check != finding.check]
        if others:
            lines.append(f"  also found by: {', '.join(others)}")
        if finding.reproducer:
            lines.append(f"  reproduce: {finding.reproducer}")
    lines.extend(f"ERROR {error}" for error in report.errors)
    lines.extend(f"NOTE {note}" for note in report.notes)
    if report.stopped:
        lines.append(f"STOPPED {report.stopped}")
    lines.append(summary_line(report))
    return output_lines(lines)  # each line's server data escaped: one line stays one


def _hit(cause: Cause) -> str:
    """`` (3 cases: whitespace, padded, bidi)``: how many cases, and the kinds of input."""
    kinds = list(dict.fromkeys(loc.split(": ", 1)[1] for loc in cause.locations if ": " in loc))
    shown = ", ".join(kinds[:_KINDS_SHOWN])
    if len(kinds) > _KINDS_SHOWN:
        shown += f" and {len(kinds) - _KINDS_SHOWN} more"
    count = f"{cause.count} case{'s' * (cause.count != 1)}"
    if not shown:
        return f" ({count})" if cause.count > 1 else ""
    return f" ({count}: {shown})"
