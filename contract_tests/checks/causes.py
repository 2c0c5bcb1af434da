"""What makes two findings one bug: the expectation broken, the answer, the kind of input.

A server that answers 200 where the contract says 204 breaks one expectation, whatever the
request and wherever the kit aimed it; a server that answers 500 to a NUL and 500 to a
lone surrogate, with the same body, may have two bugs, told apart by the kind of input
(a NaN at any field is one); a server whose plain requests get that same 500 has one bug
that every input shows (:meth:`contract_tests.run.session.Report.distinct` folds them).
:func:`characterized` gives each finding of an exchange its ``cause`` and ``signature``.

>>> answer_signature(Reply(422, (("content-type", "application/json"),),
...                        b'{"detail":[{"loc":["body","observer"],"input":"kit 42"}]}'),
...                  b'{"observer":"kit 42"}')
'application/json {detail:[{input:<sent>,loc:["body",<sent>]}]}'
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Any

from ..cases.locate import locate, place_of
from ..cases.model import (
    EMPTY_ANSWER,
    MUTATED_PLACE,
    STATUS_CHECKS,
    Exchange,
    Expect,
    Finding,
    Probe,
    Reply,
)
from .strict_json import strict_json

__all__ = ["answer_signature", "characterized", "expectation", "input_kind"]

# The checks whose evidence is the answer itself, which a signature goes with (see
# Finding.cause_key; error_locations's lets a wrong 422 it finds join the status cause of
# the same answer, Report.distinct).
_BY_ANSWER = STATUS_CHECKS | {"server_error", "error_locations", "fixture_locations"}
# validation_error_shape's problems, by how its message begins
_SHAPES = (("content-type", "content-type"), ("body is not", "not JSON"),
           ("no non-empty", "no detail"), ("item without", "items"))  # fmt: skip
_NON_FINITE = frozenset({"NaN", "Infinity", "-Infinity", "1e999", "non-finite"})
_ACCEPTING = frozenset({Expect.ACCEPT, Expect.EITHER, Expect.UNTYPED})
_REFUSING = frozenset({Expect.REJECT, Expect.NOT_JSON})
# What schemathesis's status checks expect of the request they judge.
_THEIR_EXPECT = {
    "positive_data_acceptance": Expect.ACCEPT,
    "negative_data_rejection": Expect.REJECT,
    "unsupported_method": Expect.METHOD,
}
_SUBSUMED = "status_code_conformance"  # "undocumented status": said by any other status check
_DIGITS = re.compile(r"\d+")
_SHORT = 60  # strings up to this long stay in a signature (numbers masked)
_DEPTH = 4


def characterized(exchange: Exchange, findings: Iterable[Finding]) -> list[Finding]:
    """``findings`` of ``exchange``, each with its cause and (where the answer is the
    evidence) its signature; schemathesis's "undocumented status" is dropped where another
    check on the status already reports this answer."""
    found = list(findings)
    status_checks = {f.check for f in found if f.check in STATUS_CHECKS}
    if _SUBSUMED in status_checks and len(status_checks) > 1:
        found = [f for f in found if f.check != _SUBSUMED]
    signature: str | None = None
    out = []
    method_kind = input_kind(exchange.probe.location) == "method"
    for found_one in found:
        finding = found_one
        if finding.check in _BY_ANSWER and not finding.signature:
            if signature is None:
                # an undeclared method's answer by its content-type: HEAD's has no body
                signature = answer_signature(exchange.reply, exchange.probe.body,
                                             body=not method_kind)  # fmt: skip
            finding = replace(finding, signature=signature)
        if not finding.cause:
            finding = replace(finding, cause=_cause(finding, exchange))
        out.append(finding)
    return out


def _cause(finding: Finding, exchange: Exchange) -> str:
    if finding.family == "expected_status":
        expect = _THEIR_EXPECT.get(finding.check, exchange.probe.expect)
        return expectation(expect, exchange.reply.status, exchange.probe)
    if finding.check in ("server_error", "no_answer"):
        return input_kind(exchange.probe.location, exchange.probe.body)
    if finding.family == "validation_error_shape":
        if finding.check == "content_type_conformance":
            return "content-type"
        return next((name for start, name in _SHAPES if finding.message.startswith(start)), "")
    return ""


def expectation(expect: Expect, status: int, probe: Probe | None = None) -> str:
    """The expectation a status broke, in the kit's words (``success`` is the documented
    one): a 200 for a valid request and a 200 for a body a server may read break the same
    one; a 200 for an invalid request breaks another."""
    if expect is Expect.REFUSE:
        return "credentials that must not pass are refused with 401 or 403"
    if expect is Expect.METHOD or (probe is not None and probe.location.startswith("method")):
        return "a method the document does not declare gets 405"
    success = 200 <= status < 300
    if expect in _REFUSING:
        return "an invalid request is refused with 422" if success else "a refusal is a 422"
    if expect in _ACCEPTING:
        return "a success is the documented one" if success else "a valid request succeeds"
    # schemathesis's undocumented status, or a probe with no pinned status
    return "a success is the documented one" if success else "a refusal is a 422"


def input_kind(location: str, body: bytes | None = None) -> str:
    """The kind of input a location names, without its place: ``body.observer: NaN`` and
    ``body.observed: Infinity`` are both ``non-finite number``; every credential is
    ``credentials``; a location without a kind is its place (``method GET``, ``method PUT``:
    ``method``). A golden case's is its body's, its credentials' (``trigger_dream/auth/...``)
    or its name's (``trigger_dream/defects/unknown-workspace``: ``unknown workspace``, the
    kind of the probe that sends one): never a plain request's."""
    place, _, kind = location.partition(": ")
    if place == MUTATED_PLACE:  # a mutant mixes layers: one kind, told apart by the answer
        return place
    value_kind = locate(body).partition(": ")[2].removesuffix(" key") if body is not None else ""
    if value_kind in _VALUE_KINDS:  # a long string is one whatever key holds it (or is)
        return "non-finite number" if value_kind in _NON_FINITE else value_kind
    if place == "fixture":  # a golden case: its body's kind, else what its name says
        found = input_kind(locate(body))
        if found != "body":
            return found
        group, _, name = kind.rpartition("/")
        return "credentials" if group.endswith("/auth") else name.replace("-", " ")
    if place in _CREDENTIALS:
        return "credentials"
    if kind in _NON_FINITE:
        return "non-finite number"
    if kind:
        return kind
    return "method" if place.startswith("method") else place_of(place)


_CREDENTIALS = frozenset({"auth", "header.authorization"})
# The kinds of value locate() finds in a body, whatever key holds them.
_VALUE_KINDS = frozenset({"NUL", "lone surrogate", "long", "NaN", "Infinity"})


def answer_signature(reply: Reply, sent: bytes | None, *, body: bool = True) -> str:
    """The answer as one bug gives it whatever the input: its content-type, and its body
    with what was sent and numbers masked (JSON: its shape, short strings kept)."""
    content_type = (reply.header("content-type") or "-").split(";")[0].strip().lower()
    if not body:
        return f"{content_type} (body not compared)"
    if not reply.body:
        return f"{content_type} {EMPTY_ANSWER}"
    echoes = _sent_values(sent)
    try:
        value = strict_json(reply.body)
    except ValueError:
        text = reply.body[:200].decode("utf-8", "replace").strip().splitlines()
        first = text[0] if text else ""
        for echo in sorted((e for e in echoes if len(e) > 3), key=len, reverse=True):
            first = first.replace(echo.strip('"'), "<sent>")
        return f"{content_type} {_DIGITS.sub('#', first)[:80]}"
    return f"{content_type} {_shape(value, echoes, 0)}"


def _sent_values(sent: bytes | None) -> set[str]:
    """Every value of the sent JSON (and its strings), as canonical JSON text."""
    try:
        value = json.loads(sent or b"")
    except (ValueError, RecursionError):
        return set()
    return {json.dumps(v, sort_keys=True) for v in _values(value, 0)}


def _values(value: Any, depth: int) -> Iterator[Any]:
    yield value
    if depth > _DEPTH:
        return
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _values(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            yield from _values(item, depth + 1)


def _shape(value: Any, echoes: set[str], depth: int) -> str:
    if (
        value is not None
        and not isinstance(value, bool)
        and json.dumps(value, sort_keys=True) in echoes
    ):
        return "<sent>"
    if isinstance(value, dict):
        if depth >= _DEPTH:
            return "{...}"
        items = sorted(value.items())[:12]
        return "{" + ",".join(f"{k}:{_shape(v, echoes, depth + 1)}" for k, v in items) + "}"
    if isinstance(value, list):
        if depth >= _DEPTH or not value:
            return "[...]" if value else "[]"
        return "[" + ",".join(_shape(v, echoes, depth + 1) for v in value[:2]) + "]"
    if isinstance(value, str):
        return json.dumps(_DIGITS.sub("#", value)) if len(value) <= _SHORT else "<text>"
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    return "<number>"
