"""Shards' JSON reports as one run's: each cause once, counted over every shard.

``honcho-contract run --shard I/N --report-json shard-I.json`` on N runners, then
``honcho-contract merge shard-*.json``: the merged report is the one a single run would
have written (causes, case counts, places, engine errors), and its exit code is the
whole's.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..cases.model import Finding, Severity
from ..config import SuiteConfig, parse_shard
from ..errors import UsageError
from ..run.session import Cause, Report

__all__ = ["MergeError", "merge_reports", "read_report"]

_FIX = "pass reports written by honcho-contract run --report-json"


class MergeError(UsageError):
    """Reports that are not the shards of one run, or a file that is no report."""


def read_report(path: Path) -> Report:
    """A report written by ``--report-json``, as the run that wrote it held it."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise MergeError(f"cannot read {path} ({exc.strerror})") from None
    except ValueError:
        raise MergeError(
            f"{path} is not JSON", fix="pass reports written by --report-json"
        ) from None
    try:
        return _report(document)
    except (KeyError, TypeError, ValueError) as exc:
        raise MergeError(
            f"{path} is not a honcho-contract report (no {exc})",
            fix=_FIX,
        ) from None


def _report(document: dict[str, Any]) -> Report:
    shard = parse_shard(document["shard"]) if document.get("shard") else None
    config = SuiteConfig(base_url=document["base_url"], seed=int(document["seed"]), shard=shard,
                         profile=str(document.get("profile") or "contract"))  # fmt: skip
    report = Report(config, cases=int(document["cases"]), duration=float(document["duration_s"]))
    report.errors.extend(str(error) for error in document["errors"])
    report.places.update(str(place) for place in document.get("places", ()))
    report.layers.update({str(k): int(v) for k, v in (document.get("layers") or {}).items()})
    report.stopped = document.get("stopped")
    report.notes.extend(str(note) for note in document.get("notes") or ())
    for entry in [*document["failures"], *document["warnings"]]:
        locations = tuple(str(location) for location in entry["locations"]) or (entry["location"],)
        finding = Finding(
            check=str(entry["check"]),
            severity=Severity(entry["severity"]),
            status=entry["status"],
            location=locations[0],
            message=str(entry["message"]),
            reproducer=str(entry.get("reproducer") or ""),
            answer=str(entry.get("answer") or ""),
            cause=str(entry.get("cause") or ""),
            signature=str(entry.get("signature") or ""),
        )
        checks = tuple(str(check) for check in entry.get("checks") or (finding.check,))
        report.add_cause(Cause(finding, int(entry["cases"]), locations, checks))
    return report


def merge_reports(reports: Sequence[tuple[Path, Report]]) -> Report:
    """One report of the shards' reports: the same seed and server, each shard once, all
    of them there; a run that was not sharded merges as the one shard it is."""
    if not reports:
        raise MergeError("no reports to merge", fix="pass the shards' --report-json files")
    (first_path, first), *_ = reports
    seen: dict[int, Path] = {}
    _, total = _shard(first)
    for path, report in reports:
        config = report.config
        if config.profile != first.config.profile:
            raise MergeError(
                f"{path} is judged by the {config.profile} profile, {first_path} by the "
                f"{first.config.profile} profile",
                fix="merge the shards of one run: same --profile",
            )
        if (config.seed, config.root_url) != (first.config.seed, first.config.root_url):
            raise MergeError(
                f"{path} is a run of seed {config.seed} against {config.root_url}, "
                f"{first_path} of seed {first.config.seed} against {first.config.root_url}",
                fix="merge the shards of one run: same seed, same server",
            )
        index, count = _shard(report)
        if count != total:
            raise MergeError(f"{path} is shard {index}/{count}, {first_path} one of {total}")
        if index in seen:
            raise MergeError(f"{path} and {seen[index]} are both shard {index}/{total}")
        seen[index] = path
    missing = [str(index) for index in range(1, total + 1) if index not in seen]
    if missing:
        raise MergeError(
            f"shard {', '.join(missing)} of {total} missing",
            fix="pass every shard's report (a shard that did not finish has none)",
        )
    merged = Report(SuiteConfig(base_url=first.config.base_url, seed=first.config.seed,
                                profile=first.config.profile))  # fmt: skip
    for _path, report in sorted(reports, key=lambda item: _shard(item[1])):
        merged.cases += report.cases
        merged.duration = max(merged.duration, report.duration)  # the shards ran side by side
        merged.errors.extend(report.errors)
        merged.places |= report.places
        merged.layers.update(report.layers)
        merged.stopped = merged.stopped or report.stopped
        merged.notes.extend(note for note in report.notes if note not in merged.notes)
        for cause in report.distinct():
            merged.add_cause(cause)
    return merged


def _shard(report: Report) -> tuple[int, int]:
    """Which shard ``report`` is, of how many (a run not sharded: the one of one)."""
    shard = report.config.shard
    return (shard.index, shard.total) if shard else (1, 1)
