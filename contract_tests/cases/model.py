"""What the suite sends and what it finds."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

__all__ = ["Exchange", "Expect", "Finding", "Probe", "Reply", "Severity"]


class Expect(enum.Enum):
    """What the contract says a probe must get."""

    ACCEPT = "accept"  # a valid request: 204
    REJECT = "reject"  # a schema-invalid JSON document: 422
    NOT_JSON = "not-json"  # bytes that are not text at all: 422 (another 4xx is a warning)
    REFUSE = "refuse"  # credentials that must not pass: 401 or 403
    ANY = "any"  # no status the contract pins (routing, lenient parsing): anything but a 5xx


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

    @property
    def key(self) -> tuple[str, int | None, str]:
        """Findings with the same check, status and location are one finding."""
        return (self.check, self.status, self.location)
