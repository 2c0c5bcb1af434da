"""The contract suite against independent implementations in other stacks.

``tests/stacks/`` holds trigger_dream written the natural way on aiohttp, Express, Fastify,
Flask (waitress), Go's net/http with encoding/json, and the JDK's HttpServer with Jackson:
each keeps the OpenAPI document, RFC 9110 and RFC 8259, and otherwise does what its
framework does (415 for other media types, its own 422 items, ...). The suite must pass each
of them as it is (what FastAPI happens to answer is not the contract), and must catch each
bug planted with ``--bug NAME`` (the bugs are listed in each file's header). The Go and Java
servers are built once into a cache outside the repository (``tests/stack_builds.py``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from contract_tests.cases.builder import DEFAULT_WORKSPACE, ProbeSet
from contract_tests.cases.facts import ContractFacts
from contract_tests.cases.model import Exchange
from contract_tests.cases.tokens import credential_probes
from contract_tests.checks import CheckContext, run_checks
from contract_tests.cli import main
from contract_tests.wire.transport import Sender
from honcho_spec import load_document

from stack_servers import SCRIPTS, StackServer, StackUnavailableError
from stack_servers import STACKS as SOURCES

pytestmark = pytest.mark.slow

STACKS = tuple(SCRIPTS)  # aiohttp, express, fastify, flask, go, java
TOKEN = "kit-stack-token"
STATUS = "expected_status"
CRASH = "server_error"
# A 405 without Allow: schemathesis's check, or the suite's own method probes.
NO_ALLOW = ("unsupported_method", "method_not_allowed")
# Another method answered without 405: the suite's method probes (every undeclared method).
NO_405 = ("expected_status", "method_not_allowed")


@dataclass(frozen=True)
class Planted:
    """A bug planted with ``--bug``, and the finding that shows it was caught."""

    stack: str
    bug: str
    checks: str | tuple[str, ...]  # the finding's check (any of them)
    location: str  # a substring of the finding's location
    token: bool = False  # run server and suite with --token TOKEN
    # Not a violation, only a warning whose message holds this text (exit 0 then).
    warns: str = ""

    @property
    def id(self) -> str:
        return f"{self.stack}-{self.bug}"

    def caught_by(self, finding: dict[str, Any]) -> bool:
        checks = (self.checks,) if isinstance(self.checks, str) else self.checks
        return (
            finding["check"] in checks
            and any(self.location in location for location in finding["locations"])
            and self.warns in finding["message"]
        )


PLANTED = (
    # aiohttp_server.py
    Planted("aiohttp", "text-400", STATUS, "body: malformed"),
    Planted("aiohttp", "unicode-500", CRASH, "body: not UTF-8"),
    Planted("aiohttp", "nesting-500", CRASH, "body: deep nesting"),
    Planted("aiohttp", "allow-dropped", NO_ALLOW, ""),
    Planted("aiohttp", "falsy", STATUS, "body.observer: empty"),
    # needs the new probes
    Planted("aiohttp", "strip", STATUS, "body.observer: whitespace"),
    Planted("aiohttp", "null-observed", STATUS, "body.observed"),
    Planted("aiohttp", "coerce", STATUS, "body.observer: integer"),
    Planted("aiohttp", "json-200", STATUS, "body.observer: unicode"),
    Planted("aiohttp", "surrogate-500", CRASH, "body.observer: lone surrogate"),
    Planted("aiohttp", "any-ctype", STATUS, "header.content-type"),
    # express_server.js
    Planted("express", "default-limit", STATUS, "body.observer: long"),
    Planted("express", "no-error-handler", STATUS, "body: malformed"),
    Planted("express", "falsy-check", STATUS, "body.observer: empty"),
    # needs the new probes
    Planted("express", "enum-lookup", STATUS, "body.dream_type: constructor"),
    Planted("express", "string-coercion", STATUS, "body.observer: integer"),
    Planted("express", "observer-header", CRASH, "body.observer: NUL"),
    # needs the new probes
    Planted("express", "no-405", NO_405, "method GET"),
    Planted("express", "lenient-utf8", STATUS, "body.observer: not UTF-8"),
    # fastify_server.js
    Planted("fastify", "coerce-types", STATUS, "body.observer: integer"),
    Planted("fastify", "validation-400", STATUS, "body.dream_type: unknown"),
    Planted("fastify", "error-handler-500", CRASH, "body: malformed"),
    # needs the new probes. A 413 past 1 MiB is allowed (RFC 9110 15.5.14; the correct aiohttp
    # server keeps aiohttp's 1 MiB too): a warning naming the smallest body refused.
    Planted(
        "fastify",
        "default-body-limit",
        "body_limit",
        "body.observer: long",
        warns="observer of 1,048,577 characters",
    ),
    # needs the new probes
    Planted("fastify", "max-param-length", STATUS, "path: 101 characters"),
    # needs the new probes
    Planted("fastify", "proto-poisoning", STATUS, "body: __proto__ key"),
    Planted("fastify", "min-length", STATUS, "body.observer: empty"),
    # needs the new probes
    Planted("fastify", "no-405", NO_405, "method GET"),
    Planted("fastify", "lenient-utf8", STATUS, "body.observer: not UTF-8"),
    # flask_server.py
    Planted("flask", "default-400", STATUS, "body: malformed"),
    Planted("flask", "falsy-check", STATUS, "body.observer: empty"),
    # needs the new probes
    Planted("flask", "blank-check", STATUS, "body.observer: whitespace"),
    Planted("flask", "str-coerce", STATUS, "body.observer: integer"),
    Planted("flask", "null-observed", STATUS, "body.observed"),
    Planted("flask", "unhashable-500", CRASH, "body.dream_type: list"),
    Planted("flask", "recursion-500", CRASH, "body: deep nesting"),
    Planted("flask", "json-200", STATUS, "body.observer: unicode"),
    Planted("flask", "drop-headers", NO_ALLOW, ""),
    # the run's own token with a byte past ASCII
    Planted("flask", "digest-500", CRASH, "header.authorization", token=True),
    # go_server.go
    Planted("go", "struct-fields", STATUS, "body: observer key variant"),
    Planted("go", "decoder-trailing", STATUS, "body: malformed"),
    Planted("go", "no-utf8-check", STATUS, "body.observer: not UTF-8"),
    Planted("go", "content-length", STATUS, "framing: chunked"),
    Planted("go", "form-fallback", STATUS, "header.content-type: form fields"),
    Planted("go", "disallow-unknown", STATUS, "body: undeclared key"),
    Planted("go", "exact-content-type", STATUS, "header.content-type"),
    Planted("go", "late-allow", NO_ALLOW, "method GET"),
    # net/http recovers the handler's panic and drops the connection: no 500, no answer
    Planted("go", "type-assertion", "no_answer", "body.dream_type: integer"),
    Planted("go", "enum-switch", STATUS, "body.dream_type: unknown"),
    Planted("go", "implicit-200", STATUS, "body.observer: whitespace"),
    Planted("go", "http-error", "validation_error_shape", "body.observer: integer"),
    # TriggerDreamServer.java
    Planted("java", "trailing-tokens", STATUS, "body: malformed"),
    Planted("java", "lenient-parser", STATUS, "body: malformed"),
    Planted("java", "scalar-coercion", STATUS, "body.observer: integer"),
    Planted("java", "enum-binding", STATUS, "body.dream_type: padded"),
    Planted("java", "lenient-utf8", STATUS, "body.observer: not UTF-8"),
    # Jackson's own byte decoder refuses stray bytes: the overlong forms and surrogates show it
    Planted("java", "jackson-bytes", STATUS, "body.observer: not UTF-8"),
    Planted("java", "content-length", STATUS, "framing: chunked"),
    Planted("java", "jackson-400", STATUS, "body: malformed"),
    Planted("java", "case-insensitive", STATUS, "body: observer key variant"),
    Planted("java", "unknown-properties", STATUS, "body: undeclared key"),
    Planted("java", "leading-zeros", STATUS, "body: malformed"),
    Planted("java", "parse-only-catch", CRASH, "body.observer: integer"),
)
# Planted bugs that break no rule of the document, RFC 9110 or RFC 8259: no row above.
NOT_VIOLATIONS = {
    # 401 instead of 404/405 for requests without the token: RFC 9110 orders neither before
    # the other, and the suite sends its token with every method probe.
    ("flask", "auth-before-routing"): "401 before routing is allowed",
    # paths under the operation's (/v2/workspaces/ws, .../trigger_dream/x) served as it: the
    # document declares one path and says nothing of others (Express matches a trailing slash)
    ("java", "prefix-context"): "other paths are not the document's",
}
# Where a server's header lists its bugs: "- NAME:" (or "- NAME (with --token):") lines after
# "Planted bugs", to the header's end.
_HEADER_END = re.compile(r'"""|\*/|^package ', re.MULTILINE)
_BUG_LINE = re.compile(r"^[\s*/#]*- ([a-z0-9][a-z0-9-]*)(?: \([^)]*\))?:", re.MULTILINE)


def header_bugs(stack: str) -> set[str]:
    """The bugs ``stack``'s server names in its header."""
    text = (SOURCES / SCRIPTS[stack][0]).read_text(encoding="utf-8")
    _, found, planted = text.partition("Planted bugs")
    assert found, f"{SCRIPTS[stack][0]}: no 'Planted bugs' section in its header"
    return set(_BUG_LINE.findall(_HEADER_END.split(planted, maxsplit=1)[0]))


@contextmanager
def running(stack: str, bugs: Sequence[str] = (), args: Sequence[str] = ()) -> Iterator[str]:
    """The stack's server with ``bugs`` planted, as a real process: its URL."""
    try:
        server = StackServer(stack, bugs, args)
    except StackUnavailableError as exc:
        pytest.skip(str(exc))
    try:
        server.wait_listening()
        yield server.url
    finally:
        server.stop()


def run_suite(url: str, tmp_path: Path, *args: str) -> tuple[int, dict[str, Any]]:
    report = tmp_path / "report.json"
    code = main(["run", "--base-url", url, "--report-json", str(report), *args])
    return code, json.loads(report.read_text(encoding="utf-8"))


def listed(findings: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"  {f['check']} [{f['status']}] at {f['location']} ({f['cases']}): {f['message'][:160]}"
        for f in findings
    )


def test_every_planted_bug_has_a_row() -> None:
    rows = {(row.stack, row.bug) for row in PLANTED}
    assert len(rows) == len(PLANTED)
    assert not rows & NOT_VIOLATIONS.keys()
    assert {row.stack for row in PLANTED} == set(STACKS)


@pytest.mark.parametrize("stack", STACKS)
def test_every_bug_in_a_header_has_a_row(stack: str) -> None:
    listed = header_bugs(stack)
    rows = {bug for s, bug in (*((r.stack, r.bug) for r in PLANTED), *NOT_VIOLATIONS)
            if s == stack}  # fmt: skip
    assert listed, f"{stack}: no bug found under its header's 'Planted bugs'"
    assert rows == listed, (
        f"{stack}: bugs in the header without a row: {sorted(listed - rows)}; "
        f"rows for bugs the header does not list: {sorted(rows - listed)}"
    )


@pytest.mark.parametrize("stack", STACKS)
def test_correct_server_keeps_the_contract(stack: str, tmp_path: Path) -> None:
    with running(stack) as url:
        code, report = run_suite(url, tmp_path)
    assert report["failures"] == [], (
        f"{stack}: {len(report['failures'])} distinct failures against a correct server:\n"
        + listed(report["failures"])
    )
    assert report["errors"] == []
    assert code == 0


@pytest.mark.once
@pytest.mark.parametrize("row", PLANTED, ids=lambda row: row.id)
def test_planted_bug_is_caught(row: Planted, tmp_path: Path) -> None:
    args = ("--token", TOKEN) if row.token else ()
    with running(row.stack, [row.bug], args) as url:
        code, report = run_suite(url, tmp_path, *args)
    kind = "warnings" if row.warns else "failures"
    assert code == (0 if row.warns else 1), f"{row.id}: exit {code}, errors {report['errors']}"
    caught = [f for f in report[kind] if row.caught_by(f)]
    assert caught, (
        f"{row.id}: none of the {kind} is {row.checks} at a location holding "
        f"{row.location!r}{f' saying {row.warns!r}' if row.warns else ''}; they were:\n"
        + listed(report[kind])
    )


@pytest.mark.once
def test_two_planted_bugs_read_as_a_handful_of_findings(tmp_path: Path) -> None:
    # One finding per cause (check, status, place), not one per probe that hit it.
    with running("flask", ["blank-check", "str-coerce"], ()) as url:
        code, report = run_suite(url, tmp_path)
    assert code == 1
    assert 2 <= len(report["failures"]) <= 6, listed(report["failures"])


@pytest.mark.parametrize("stack", STACKS)
def test_correct_server_with_a_token_takes_it_as_rfc_9110_says(stack: str) -> None:
    # The probes made from the run's own token, against each server started with --token:
    # another token and other schemes refused, the scheme in any case accepted (§11.1).
    # Only these requests: the whole run with a token costs as much as the run above.
    document = load_document()
    facts = ContractFacts.from_document(document)
    probes = ProbeSet(facts, document, DEFAULT_WORKSPACE,
                      auth_headers=(("authorization", f"Bearer {TOKEN}"),))  # fmt: skip
    ctx = CheckContext(facts)
    with running(stack, [], ("--token", TOKEN)) as url, Sender(url, timeout=10) as sender:
        verdicts = {
            probe.name: [
                (f.check, f.severity.value) for f in run_checks(Exchange(probe, reply), ctx)
            ]
            for probe in credential_probes(probes)
            for reply in [sender.send(probe)]
        }
    assert set(verdicts) >= {"another token", "the token, the scheme in lower case"}
    failures = {name: found for name, found in verdicts.items()
                if any(severity == "failure" for _, severity in found)}  # fmt: skip
    assert failures == {}, f"{stack}: {failures}"
