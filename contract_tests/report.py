"""A run's findings as text for people, JUnit XML for CI, and JSON for tools."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from .model import Finding, Severity
from .runner import Report

__all__ = ["render_text", "summary_line", "write_json", "write_junit"]


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


def _as_dict(finding: Finding, count: int) -> dict[str, Any]:
    return {
        "check": finding.check,
        "severity": finding.severity.value,
        "status": finding.status,
        "location": finding.location,
        "message": finding.message,
        "reproducer": finding.reproducer,
        "cases": count,
    }


def write_json(report: Report, path: Path) -> None:
    distinct = report.distinct()
    document = {
        "base_url": report.config.root_url,
        "seed": report.config.seed,
        "cases": report.cases,
        "duration_s": round(report.duration, 3),
        "failures": [_as_dict(f, n) for f, n in distinct if f.severity is Severity.FAILURE],
        "warnings": [_as_dict(f, n) for f, n in distinct if f.severity is Severity.WARNING],
        "errors": report.errors,
        "summary": summary_line(report),
    }
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_junit(report: Report, path: Path) -> None:
    """One test case per distinct finding (warnings as skipped), or one passing case."""
    distinct = report.distinct()
    suite = ET.Element(
        "testsuite",
        name="honcho-contract",
        tests=str(max(1, len(distinct))),
        failures=str(report.count(Severity.FAILURE)),
        errors=str(len(report.errors)),
        skipped=str(report.count(Severity.WARNING)),
        time=f"{report.duration:.3f}",
    )
    for finding, count in distinct:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=finding.check,
            name=f"{finding.location} [{finding.status}]",
        )
        tag = "failure" if finding.severity is Severity.FAILURE else "skipped"
        element = ET.SubElement(case, tag, message=finding.message)
        element.text = f"{count} cases\n{finding.reproducer}"
    if not distinct:
        ET.SubElement(suite, "testcase", classname="contract", name="trigger_dream")
    for error in report.errors:
        case = ET.SubElement(suite, "testcase", classname="engine", name="error")
        ET.SubElement(case, "error", message=error)
    ET.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)
