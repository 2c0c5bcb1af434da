"""What the suite sends and what it finds."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

__all__ = [
    "PROFILES",
    "SERVER_DOWN",
    "Exchange",
    "Expect",
    "Finding",
    "Probe",
    "Reply",
    "Severity",
]

# ``contract``: what the document, HTTP and JSON require; ``honcho``: also what Honcho 2.5.1
# answers on its FastAPI runtime (offsets, UTF-16 read, a body without content-type parsed).
PROFILES = ("contract", "honcho")
# The check of a server that stopped answering (not one request left unanswered): its
# finding names the requests sent just before.
SERVER_DOWN = "server_down"


class Expect(enum.Enum):
    """What a probe must get."""

    ACCEPT = "accept"  # a valid request: the documented success
    REJECT = "reject"  # a schema-invalid JSON document: 422
    EITHER = "either"  # text outside RFC 8259 that a server may read or refuse: success or 422
    NOT_JSON = "not-json"  # not a JSON document of the declared media type: 422 (other 4xx warn)
    UNTYPED = "untyped"  # a JSON body without a content-type: read (success) or refused (422)
    REFUSE = "refuse"  # credentials that must not pass: 401 or 403
    METHOD = "method"  # a method the document does not declare: 405 with Allow (or 501)
    ANY = "any"  # no status the contract pins (routing): anything but a 5xx


class Severity(enum.Enum):
    FAILURE = "failure"
    WARNING = "warning"


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

    @property
    def key(self) -> tuple[str, int | None, str]:
        """Findings with the same check, status and location are one finding."""
        return (self.check, self.status, self.location)
