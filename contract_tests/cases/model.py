"""What the suite sends and what it finds."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace

from ..oracle import PROFILES, Expect

__all__ = [
    "EMPTY_ANSWER",
    "MUTATED_PLACE",
    "PROFILES",
    "SERVER_DOWN",
    "STATUS_CHECKS",
    "THEIR_STATUS_CHECKS",
    "Exchange",
    "Expect",
    "Finding",
    "Framing",
    "Probe",
    "Reply",
    "Severity",
]

# schemathesis's checks on a status: each says of an answer what the kit's expected_status
# says (a 5xx: what its server_error says); the last judges the methods the document does
# not declare, the others the generated data.
THEIR_STATUS_CHECKS = ("positive_data_acceptance", "negative_data_rejection",
                       "status_code_conformance", "unsupported_method")  # fmt: skip
# The checks on a status, the kit's and schemathesis's: one cause where they judge one
# answer (schemathesis's names kept where only it found the cause).
STATUS_CHECKS = frozenset({"expected_status", *THEIR_STATUS_CHECKS})
# The check of a server that stopped answering (not one request left unanswered): its
# finding names the requests sent just before.
SERVER_DOWN = "server_down"


class Severity(enum.Enum):
    FAILURE = "failure"
    WARNING = "warning"


@dataclass(frozen=True)
class Framing:
    """A shape of the wire: ``chunks`` (the chunked transfer coding, RFC 9112 §7.1: each
    chunk's size, the last repeated for the rest of the body; none: a Content-Length), a
    chunk ``extension`` after each size (§7.1.1), ``trailer`` fields after the last chunk
    (§7.1.2), each size zero-padded in upper-case hex to ``size_digits``; the body in
    ``pieces`` writes (each chunk its own, if chunked) with a pause between them; the
    request's HTTP ``version``; ``Expect: 100-continue``, the body sent once the server says
    100 or a second passes (RFC 9110 §10.1.1)."""

    name: str
    chunks: tuple[int, ...] = ()
    extension: str = ""
    trailer: tuple[tuple[str, str], ...] = ()
    size_digits: int = 0
    pieces: int = 1
    version: str = "HTTP/1.1"
    expect_continue: bool = False

    def chunk_sizes(self, length: int) -> list[int]:
        """The size of each chunk of a body of ``length`` bytes (the zero-size last chunk
        aside)."""
        sizes: list[int] = []
        left, shapes = length, list(self.chunks)
        while left > 0:
            size = min(left, shapes.pop(0) if len(shapes) > 1 else shapes[0])
            sizes.append(size)
            left -= size
        return sizes


@dataclass(frozen=True)
class Probe:
    """One request, exactly as sent, with the place it aims at and what it must get."""

    name: str
    location: str
    method: str
    path: str
    body: bytes | None
    headers: tuple[tuple[str, str], ...] = ()
    expect: Expect = Expect.ANY
    credentials: bool = False  # whether valid credentials are sent
    json_body: object = field(default=None, compare=False)
    # the body is text a JSON reader may refuse as a whole: a 422 may place its items
    # anywhere in the body rather than at the field the probe aims at
    lenient: bool = False
    # the layer of the request the probe varies (contract_tests.cases.layers), if a probe's
    layer: str = ""
    # how the body goes on the wire, where not in one write after a Content-Length
    framing: Framing | None = None

    def with_headers(self, extra: tuple[tuple[str, str], ...]) -> Probe:
        """This probe with the headers of ``extra`` (``-H``) it does not carry itself: a
        probe keeps its own value of a header it sets.

        >>> Probe("n", "l", "GET", "/", None, (("accept", "a/b"),)).with_headers(
        ...     (("Accept", "*/*"), ("x-env", "staging"))).headers
        (('accept', 'a/b'), ('x-env', 'staging'))
        """
        own = {name.lower() for name, _ in self.headers}
        added = tuple((name, value) for name, value in extra if name.lower() not in own)
        return replace(self, headers=(*self.headers, *added)) if added else self


@dataclass(frozen=True)
class Reply:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((value for key, value in self.headers if key.lower() == name), None)


@dataclass(frozen=True)
class Exchange:
    probe: Probe
    reply: Reply


@dataclass(frozen=True)
class Finding:
    """A contract violation (or a warning), with what it takes to reproduce it."""

    check: str
    severity: Severity
    status: int | None
    location: str
    message: str
    reproducer: str = ""
    answer: str = ""  # the answer that confirmed it (status, content-type, body excerpt)
    # What tells this finding's bug from another's of the same check and status: the
    # expectation a status broke, the kind of input a 5xx came on, the problem a 422 has
    # (see contract_tests.checks.causes, which sets it from the exchange).
    cause: str = ""
    # The answer, its varying parts taken out (what was sent, numbers): the same bug answers
    # the same way whatever the input. Set for the checks whose evidence is the answer.
    signature: str = ""
    # The long bodies its reproducer sends from files: written only for the findings a
    # report shows (contract_tests.wire.reproduce.write_bodies).
    bodies: tuple[bytes, ...] = field(default=(), compare=False, repr=False)

    @property
    def key(self) -> tuple[str, int | None, str]:
        """One request's findings with the same check, status and location are one."""
        return (self.check, self.status, self.location)

    @property
    def family(self) -> str:
        """The check whose cause this is: schemathesis's checks that say what one of the
        kit's says join it (on a status; on a 422's content-type; on a golden 422's places)."""
        if self.check == "unsupported_method" and self.status == 405:
            return "method_not_allowed"  # a 405 without the Allow header RFC 9110 wants
        if self.check in STATUS_CHECKS:
            return "expected_status"
        if self.check == "content_type_conformance" and self.status == 422:
            return "validation_error_shape"
        return _FAMILIES.get(self.check, self.check)

    @property
    def cause_key(self) -> tuple[str, str, int | None, str, str]:
        """Findings that break the same expectation with the same answer are one cause,
        wherever they were found. The status checks and 5xx go by the answer (a body that
        says something is the bug's, whatever was expected of it; an empty one goes with
        the expectation it broke); the others by the problem they name."""
        family = self.family
        if family not in _BY_ANSWER:
            return (family, self.severity.value, self.status, self.cause, "")
        said = not self.signature.endswith(EMPTY_ANSWER)
        cause = "" if family == "expected_status" and said else self.cause
        return (family, self.severity.value, self.status, cause, self.signature)


_FAMILIES = {"fixture_locations": "error_locations"}
_BY_ANSWER = frozenset({"expected_status", "server_error"})
# Where a campaign's mutants aim (contract_tests.run.mutation): every layer of the request
# at once, so a mutant's layer is not a kind of input, and its failures go by the answer.
MUTATED_PLACE = "mutation"
# How a signature ends for an answer without a body (contract_tests.checks.causes).
EMPTY_ANSWER = "(empty)"
