"""A run's findings as files: JUnit XML for CI and JSON for tools."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from ..cases.layers import LAYERS
from ..cases.locate import place_of
from ..cases.model import Finding, Severity
from ..checks.answers import CHECK_NAMES
from ..checks.selection import select_checks
from ..config import make_parent
from ..run.session import Cause, Report
from ..untrusted import lines, one_line
from .text import summary_line

__all__ = ["write_json", "write_junit"]


def _as_dict(cause: Cause) -> dict[str, Any]:
    finding = cause.finding
    return {
        "check": finding.check,
        "severity": finding.severity.value,
        "status": finding.status,
        "location": cause.place,
        "locations": list(cause.locations),
        "message": finding.message,
        "answer": finding.answer,
        "reproducer": finding.reproducer,
        "cases": cause.count,
        "cause": finding.cause,
        "signature": finding.signature,
        "checks": list(cause.checks),
    }


def write_json(report: Report, path: Path) -> None:
    distinct = report.distinct()
    document = {
        "base_url": report.config.root_url,
        "seed": report.config.seed,
        "profile": report.config.profile,  # what the verdict rests on
        "shard": str(report.config.shard) if report.config.shard else None,
        "cases": report.cases,
        "duration_s": round(report.duration, 3),
        "failures": [_as_dict(c) for c in distinct if c.finding.severity is Severity.FAILURE],
        "warnings": [_as_dict(c) for c in distinct if c.finding.severity is Severity.WARNING],
        "errors": report.errors,
        "checks": _applied(report),
        "stopped": report.stopped,
        "notes": report.notes,
        "places": sorted(report.places),
        "layers": {layer: report.layers[layer] for layer in LAYERS if report.layers[layer]},
        "summary": summary_line(report),
    }
    # ASCII: a server's controls, bidi marks and lone surrogates kept, as JSON escapes
    make_parent(path).write_text(json.dumps(document, indent=2) + "\n", encoding="ascii")


def write_junit(report: Report, path: Path) -> None:
    """A failing test case per cause (its findings, its reproducer), as the text report
    counts them; a skipped one per cause that is a warning; a passing one per place the run
    aimed at and check it applied there that found nothing; engine errors are errors."""
    causes = report.distinct()
    touched = {(place_of(loc), check) for cause in causes for loc in cause.locations
               for check in cause.checks}  # fmt: skip
    suite = ET.Element("testsuite", name="honcho-contract", time=f"{report.duration:.3f}")
    if report.stopped:
        ET.SubElement(ET.SubElement(suite, "properties"), "property", name="stopped",
                      value=one_line(report.stopped))  # fmt: skip
    counts = dict.fromkeys(("tests", "failures", "skipped"), 0)
    for cause in sorted(causes, key=lambda c: c.finding.severity is Severity.WARNING):
        finding = cause.finding
        name = f"{cause.place}: {finding.cause}" if finding.cause else cause.place
        case = ET.SubElement(suite, "testcase", classname=finding.check, name=one_line(name))
        counts["tests"] += 1
        failed = finding.severity is Severity.FAILURE
        counts["failures" if failed else "skipped"] += 1
        element = ET.SubElement(case, "failure" if failed else "skipped", message=_line(finding))
        element.text = lines([f"{_line(finding)} ({cause.count} case{'s' * (cause.count != 1)}: "
                              f"{', '.join(cause.locations)})", finding.reproducer])  # fmt: skip
    for place in sorted(report.places):
        for check in _applied(report):
            if (place, check) not in touched:
                ET.SubElement(suite, "testcase", classname=check, name=one_line(place))
                counts["tests"] += 1
    for error in report.errors:
        case = ET.SubElement(suite, "testcase", classname="engine", name="error")
        ET.SubElement(case, "error", message=one_line(error))
    for name, value in {**counts, "errors": len(report.errors)}.items():
        suite.set(name, str(value + (len(report.errors) if name == "tests" else 0)))
    ET.ElementTree(suite).write(make_parent(path), encoding="utf-8", xml_declaration=True)


def _applied(report: Report) -> list[str]:
    """The kit's checks the run applied: all of them, or those ``--checks`` leaves."""
    selection = select_checks(report.config.checks, report.config.exclude_checks)
    return [check for check in CHECK_NAMES if selection.reports(check)]


def _line(finding: Finding) -> str:
    """One line (XML 1.0 has no place for a server's controls: escaped)."""
    return one_line(f"{finding.check} [{finding.status}] at {finding.location}: "
                    f"{finding.message}"[:500])  # fmt: skip
