"""A run's findings as files: JUnit XML for CI and JSON for tools."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from ..cases.model import Finding, Severity
from ..run.session import Report
from .text import summary_line

__all__ = ["write_json", "write_junit"]


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
