"""A run's findings as files: JUnit XML for CI and JSON for tools."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from ..cases.model import Finding, Severity
from ..checks.answers import CHECK_NAMES
from ..run.session import Cause, Report
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
    }


def write_json(report: Report, path: Path) -> None:
    distinct = report.distinct()
    document = {
        "base_url": report.config.root_url,
        "seed": report.config.seed,
        "shard": str(report.config.shard) if report.config.shard else None,
        "cases": report.cases,
        "duration_s": round(report.duration, 3),
        "failures": [_as_dict(c) for c in distinct if c.finding.severity is Severity.FAILURE],
        "warnings": [_as_dict(c) for c in distinct if c.finding.severity is Severity.WARNING],
        "errors": report.errors,
        "checks": list(CHECK_NAMES),
        "stopped": report.stopped,
        "places": sorted(report.places),
        "summary": summary_line(report),
    }
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_junit(report: Report, path: Path) -> None:
    """A test case per place the run aimed at and check it applied there, passed ones
    included: each failing one lists its distinct findings with their reproducers; one
    with warnings only is skipped with them; engine errors are errors."""
    cases: dict[tuple[str, str], list[tuple[Finding, int]]] = {
        (place, check): [] for place in sorted(report.places) for check in CHECK_NAMES
    }
    for cause in report.distinct():
        cases.setdefault((cause.place, cause.finding.check), []).append(
            (cause.finding, cause.count)
        )
    suite = ET.Element("testsuite", name="honcho-contract", time=f"{report.duration:.3f}")
    if report.stopped:
        ET.SubElement(ET.SubElement(suite, "properties"), "property", name="stopped",
                      value=report.stopped)  # fmt: skip
    counts = dict.fromkeys(("tests", "failures", "skipped"), 0)
    for (place, check), found in sorted(cases.items()):
        case = ET.SubElement(suite, "testcase", classname=check, name=place)
        counts["tests"] += 1
        failures = [(f, n) for f, n in found if f.severity is Severity.FAILURE]
        shown = failures or found
        if not shown:
            continue
        tag = "failure" if failures else "skipped"
        counts["failures" if failures else "skipped"] += 1
        element = ET.SubElement(case, tag, message=_line(shown[0][0]))
        element.text = "\n\n".join(
            f"{_line(f)} ({n} case{'s' * (n != 1)})\n{f.reproducer}" for f, n in shown
        )
    for error in report.errors:
        case = ET.SubElement(suite, "testcase", classname="engine", name="error")
        ET.SubElement(case, "error", message=error)
    for name, value in {**counts, "errors": len(report.errors)}.items():
        suite.set(name, str(value + (len(report.errors) if name == "tests" else 0)))
    ET.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)


def _line(finding: Finding) -> str:
    return f"{finding.check} [{finding.status}] at {finding.location}: {finding.message}"[:500]
