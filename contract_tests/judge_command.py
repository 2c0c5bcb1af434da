"""The ``judge`` subcommand of ``honcho-contract``: what the oracle says a body must get.

    honcho-contract judge [BODY | --body-file PATH] [--content-type T | --no-content-type]
        [--content-encoding C] [--profile contract|honcho] [--spec PATH]

Prints one line: the statuses the contract allows, and why. The run judges every probe and
every mutant of a campaign so (:mod:`contract_tests.oracle`). Exit 0; 2 on a usage error.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from honcho_spec import default_document_path, load_document

from .cases.facts import ContractFacts
from .errors import UsageError
from .oracle import PROFILES, BodySchema, Expect, Oracle, Verdict

__all__ = ["add_judge_parser", "run_judge_command", "said"]


def add_judge_parser(commands: argparse._SubParsersAction[Any]) -> None:
    judge = commands.add_parser("judge", help="what the contract lets a server answer to a body")
    judge.add_argument("body", nargs="?", metavar="BODY", help="the body, as UTF-8 text")
    judge.add_argument("--body-file", type=Path, metavar="PATH",
                       help="the body's bytes, read from a file")  # fmt: skip
    judge.add_argument("--content-type", default="application/json", metavar="T",
                       help="its media type (application/json)")  # fmt: skip
    judge.add_argument("--no-content-type", action="store_true", help="sent with none")
    judge.add_argument("--content-encoding", metavar="C", help="its content coding (none)")
    judge.add_argument("--profile", choices=PROFILES, default="contract",
                       help="contract (default) or honcho")  # fmt: skip
    judge.add_argument("--spec", type=Path, metavar="PATH",
                       help="judge by another document's operation")  # fmt: skip


def run_judge_command(options: dict[str, Any]) -> int:
    body = _body(options["body"], options["body_file"])
    document = load_document(options["spec"] or default_document_path())
    facts = ContractFacts.from_document(document)
    oracle = Oracle(BodySchema(document, facts.body_schema))
    content_type = None if options["no_content_type"] else options["content_type"]
    verdict = oracle.judge(body, content_type, content_encoding=options["content_encoding"],
                           profile=options["profile"])  # fmt: skip
    print(said(verdict, facts.success))
    return 0


def said(verdict: Verdict, success: int) -> str:
    """The verdict in one line: the statuses, then why.

    >>> said(Verdict(Expect.EITHER, "a name given twice", lenient=True), 204)
    '204 or 422: a name given twice (a 422 may blame the body as a whole)'
    """
    statuses = {
        Expect.ACCEPT: f"{success}",
        Expect.REJECT: "422",
        Expect.EITHER: f"{success} or 422",
        Expect.NOT_JSON: "422 (another 4xx: a warning)",
        Expect.UNTYPED: f"{success} or 422 (another 4xx: a warning)",
    }.get(verdict.expect, "any status but a 5xx")
    blame = " (a 422 may blame the body as a whole)" if verdict.lenient else ""
    return f"{statuses}: {verdict.why}{blame}"


def _body(text: str | None, path: Path | None) -> bytes | None:
    if text is not None and path is not None:
        raise UsageError("give the body or --body-file, not both")
    if path is None:
        return None if text is None else text.encode("utf-8", "surrogateescape")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UsageError(f"--body-file {path}: {exc.strerror}") from None
