"""Read Prism's log: each contract violation it reports, with the request it belongs to.

Prism writes one line per event. A request shows up as ``Forwarding "post" request to URL``
(proxy) or ``post /path ... Request received``; violations follow as
``Violation: response.body.detail Response body property detail must be array``. Prism logs
a request's events together, so each violation belongs to the request logged last before it.

>>> log = PrismLog()
>>> _ = log.feed('[PROXY] info > Forwarding "post" request to http://h/v2/w/trigger_dream...')
>>> _ = log.feed("[PROXY] info The upstream call to /v2/w/trigger_dream has returned 500")
>>> print(log.feed("[VALIDATOR] ⚠  warning   Violation: response Unable to match the code"))
warning at response: Unable to match the code [POST /v2/w/trigger_dream -> 500]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = ["PrismLog", "Violation"]

_RECEIVED = re.compile(r"\[HTTP SERVER\] (\w+) (\S+) .*\bRequest received$")
_FORWARDING = re.compile(r'\[PROXY\].*> Forwarding "(\w+)" request to (\S+?)(?:\.\.\.)?$')
_RETURNED = re.compile(r"\[PROXY\].*The upstream call to \S+ has returned (\d{3})$")
_VIOLATION = re.compile(r"\[VALIDATOR\]\s+\S+\s+(error|warning)\s+Violation: (\S+) ?(.*)$")
_TERMINATED = re.compile(r"\[HTTP SERVER\] (\w+) (\S+) .*\bRequest terminated with error: (.*)$")
# Prism's own problem types ("https://stoplight.io/prism/errors#NO_PATH_MATCHED_ERROR: ...").
_PRISM_PROBLEM = re.compile(r"^https?://\S*#(\w+): (.*)$")
_REPLACED = ("VIOLATIONS",)  # with --errors: Prism answered 500; the details went to the client


@dataclass(frozen=True)
class Violation:
    """One thing Prism found wrong, where (Prism's dotted location), and in which request."""

    severity: str  # "error" or "warning", as Prism rates it
    location: str  # "request.body.observer", "response", "upstream", ...
    message: str
    method: str = "?"
    path: str = "?"
    status: int | None = None  # what the upstream answered, if it did

    @property
    def side(self) -> str:
        """``request``, ``response`` or ``upstream``."""
        return self.location.split(".", 1)[0]

    def line(self) -> str:
        status = f" -> {self.status}" if self.status is not None else ""
        return (
            f"{self.severity} at {self.location}: {self.message} "
            f"[{self.method} {self.path}{status}]"
        )

    def __str__(self) -> str:
        return self.line()


class PrismLog:
    """Feed it Prism's log lines in order; it returns a :class:`Violation` for those that are.

    ``upstream`` (the proxy's target URL) is taken off forwarded URLs, leaving the path the
    client asked for.
    """

    def __init__(self, upstream: str = "") -> None:
        self.upstream = upstream.rstrip("/")
        self.violations: list[Violation] = []
        self._method, self._path = "?", "?"
        self._status: int | None = None

    def feed(self, line: str) -> Violation | None:
        if match := _FORWARDING.search(line):
            self._request(match.group(1), self._path_of(match.group(2)))
        elif match := _RECEIVED.search(line):
            self._request(match.group(1), match.group(2))
        elif match := _RETURNED.search(line):
            self._status = int(match.group(1))
        elif match := _VIOLATION.search(line):
            return self._add(Violation(match.group(1), match.group(2), match.group(3).strip(),
                                       self._method, self._path, self._status))  # fmt: skip
        elif match := _TERMINATED.search(line):
            return self._terminated(match.group(1).upper(), match.group(2), match.group(3))
        return None

    def _request(self, method: str, path: str) -> None:
        self._method, self._path, self._status = method.upper(), path, None

    def _terminated(self, method: str, path: str, reason: str) -> Violation:
        problem = _PRISM_PROBLEM.match(reason.strip())
        if problem is None:  # the upstream is down, or its answer is one Prism cannot read
            return self._add(Violation("error", "upstream", f"Prism could not forward the "
                                       f"exchange ({reason.strip()})", method, path))  # fmt: skip
        code, title = problem.groups()
        if code in _REPLACED:
            return self._add(Violation("error", "response", f"{title} (Prism answered 500)",
                                       method, path))  # fmt: skip
        return self._add(Violation("error", "request", f"{title} (Prism answered itself)",
                                   method, path))  # fmt: skip

    def _add(self, violation: Violation) -> Violation:
        self.violations.append(violation)
        return violation

    def _path_of(self, url: str) -> str:
        if self.upstream and url.startswith(self.upstream):
            return url[len(self.upstream) :] or "/"
        parts = urlsplit(url)
        return parts.path + (f"?{parts.query}" if parts.query else "")
