"""A diff's disagreements as text for people and JSON for tools.

Each distinct disagreement once, grouped by kind (status, verdict, content-type, body,
header, framing), with the places its requests aim at, one request as a curl command and
both answers (under a verdict, what the check says of the answer that fails it); then each
time a server stopped answering (``server_down``), with the requests sent just before.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..config import make_parent
from ..untrusted import lines as output_lines
from .compare import Answer, Difference
from .engine import DiffReport, Disagreement

__all__ = ["render_diff", "summary_line", "write_diff_json"]

_PLACES_SHOWN = 4
_JSON_BODY_LIMIT = 4_000


def summary_line(report: DiffReport) -> str:
    """``N disagreements in K requests (S s)``."""
    count = len(report.distinct())
    down = len(report.outages)
    outages = f", {down} server_down" if down else ""
    return (
        f"{count} disagreement{'s' * (count != 1)}{outages} in {report.requests} requests"
        f" ({report.duration:.1f} s)"
    )


def render_diff(report: DiffReport) -> str:
    """The header line, each group of disagreements under its kind, the summary last."""
    config = report.config
    lines = [f"honcho-contract diff: a {config.a}, b {config.b} (seed {config.seed})"]
    groups = report.distinct()
    kind = ""
    for group in groups:
        first = group[0]
        if first.difference.kind != kind:
            kind = first.difference.kind
            count = sum(1 for g in groups if g[0].difference.kind == kind)
            lines.append(f"{kind}: {count} disagreement{'s' * (count != 1)}")
        places = _places(group)
        shown = ", ".join(places[:_PLACES_SHOWN])
        if len(places) > _PLACES_SHOWN:
            shown += f" and {len(places) - _PLACES_SHOWN} more"
        requests = f"{len(group)} request{'s' * (len(group) != 1)}"
        lines.append(f"  {_title(first)} at {shown} ({requests})")
        lines.append(f"    reproduce: {first.reproducer}")
        lines.append(f"    a: {_shown(first.a, first.difference)}")
        lines.append(f"    b: {_shown(first.b, first.difference)}")
    for outage, reproducer in report.outages:
        lines.append(f"server_down at {outage.culprit.location}: {outage.describe()}")
        lines.append(f"    reproduce: {reproducer}")
    if report.stopped:
        lines.append(f"STOPPED {report.stopped}")
    lines.append(summary_line(report))
    return output_lines(lines)  # each line's server data escaped: one line stays one


def write_diff_json(report: DiffReport, path: Path) -> None:
    config = report.config
    document = {
        "a": config.a,
        "b": config.b,
        "seed": config.seed,
        "max_examples": config.max_examples,
        "ignored_headers": sorted(config.ignore_headers),
        "requests": report.requests,
        "duration_s": round(report.duration, 3),
        "disagreements": [_as_dict(group) for group in report.distinct()],
        "server_down": [
            {
                "server": outage.server.split(" ", 1)[0],
                "location": outage.culprit.location,
                "names": [probe.name for probe in outage.requests],
                "message": outage.describe(),
                "back_after_s": outage.back_after,
                "reproducer": reproducer,
            }
            for outage, reproducer in report.outages
        ],
        "stopped": report.stopped,
        "summary": summary_line(report),
    }
    # ASCII: a server's controls, bidi marks and lone surrogates kept, as JSON escapes
    make_parent(path).write_text(json.dumps(document, indent=2) + "\n", encoding="ascii")


def _title(first: Disagreement) -> str:
    a, b = _status(first.a), _status(first.b)
    statuses = a if a == b else f"{a} vs {b}"
    subject = f" {first.difference.subject}" if first.difference.subject else ""
    return f"{first.difference.kind}{subject} [{statuses}]"


def _shown(answer: Answer, difference: Difference) -> str:
    """The answer in one line; under a verdict, what the check says of it if it fails it."""
    message = answer.verdict(difference.subject) if difference.kind == "verdict" else None
    if message is None or answer.status is None:  # an answer that never came says why
        return answer.show()
    return f"{answer.show()}; fails {difference.subject}: {message}"


def _status(answer: Answer) -> str:
    return "no answer" if answer.status is None else str(answer.status)


def _places(group: list[Disagreement]) -> list[str]:
    return list(dict.fromkeys(disagreement.probe.location for disagreement in group))


def _as_dict(group: list[Disagreement]) -> dict[str, Any]:
    first = group[0]
    kind, subject = first.difference.kind, first.difference.subject or None
    return {
        "kind": kind,
        "header": subject if kind in ("header", "framing") else None,
        "check": subject if kind == "verdict" else None,
        "status_a": first.a.status,
        "status_b": first.b.status,
        "locations": _places(group),
        "requests": len(group),
        "names": list(dict.fromkeys(disagreement.probe.name for disagreement in group)),
        "reproducer": first.reproducer,
        "a": _answer(first.a),
        "b": _answer(first.b),
    }


def _answer(answer: Answer) -> dict[str, Any]:
    body = answer.body.decode("utf-8", "backslashreplace")
    return {
        "status": answer.status,
        "headers": dict(answer.headers),
        "framing": dict(answer.framing),
        "verdicts": dict(answer.verdicts),
        "body": body[:_JSON_BODY_LIMIT],
        "no_answer": answer.reason or None,
    }
