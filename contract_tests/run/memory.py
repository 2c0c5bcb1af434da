"""``--example-db PATH|redis://HOST:PORT``: the failing cases every runner shares, kept in
Hypothesis's example database (a folder, or Redis).

What is kept: a generated case (schemathesis's phases, a campaign's fuzzing and its
mutants, shrunk) whose failure holds on a fresh connection, as sent (less the run's
credentials), with the status that failed and schemathesis's failures on it (they hold again
when the server gives the same status; the kit's own checks run anew, a mutant's on the
expectation the oracle gave it, and on the framing it was sent in). One case per cause
(check, status, place) a run: a campaign of hours keeps a few cases, not thousands. The
probes and golden cases are fixed: every run sends them anyway.

Where: under one key for the operation and a digest of the document, so every shard and
every later run of the same document shares them. Every later run, on any runner, sends its
share of the kept cases (by a hash of each) first of its generated cases, before
schemathesis's own; a kept case that no longer fails is forgotten.

Hypothesis's own replay cannot do this: the engine goes on past a failure (the kit wants
every cause, not the first), so Hypothesis never sees a failing example to save. The kit
uses the database's store (a set of values per key: ``save``, ``fetch``, ``delete``).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from hypothesis.database import DirectoryBasedExampleDatabase, ExampleDatabase

from honcho_spec import Operation

from ..cases.layers.framing import FRAMINGS
from ..cases.locate import locate, place_of
from ..cases.model import Expect, Finding, Probe, Severity
from ..config import Shard, check_writable, is_redis_url
from ..errors import UsageError
from .shard import keeps_bytes

__all__ = ["Kept", "Memory", "open_memory"]

T = TypeVar("T")

_FORMAT = 1  # of the values: a kit that reads another format ignores them
_REDIS_FIX = "pip install 'honcho-contract-kit[redis]'"


@dataclass(frozen=True)
class Kept:
    """A failing case a run kept: the request as sent, less credentials."""

    probe: Probe
    status: int  # the answer that failed
    theirs: tuple[Finding, ...]  # schemathesis's failures on it
    value: bytes = b""  # as stored


@dataclass
class Memory:
    """The failing cases of this document, kept in ``database`` under ``key``."""

    database: ExampleDatabase
    key: bytes
    credentials: tuple[tuple[str, str], ...]  # the run's: never stored, added on a replay
    unsaved: frozenset[str] = frozenset()  # -H's names: never stored (the sender adds them)
    close: Callable[[], None] = lambda: None
    # what the database raises when it goes away mid-run (Redis down, disk full)
    errors: tuple[type[Exception], ...] = (OSError,)
    lost: str | None = None  # why the run went on without it
    _causes: set[tuple[str, int | None, str]] = field(default_factory=set)

    def kept(self, shard: Shard | None) -> list[Kept]:
        """This runner's share of the kept cases, in a fixed order, credentials added."""
        values = self._use(lambda: list(self.database.fetch(self.key))) or []
        found = (_decode(value) for value in values)
        cases = sorted((k for k in found if k and keeps_bytes(shard, k.value)),
                       key=lambda k: k.value)  # fmt: skip
        return [self._authorized(k) for k in cases]

    def keep(self, probe: Probe, status: int, found: Sequence[Finding],
             theirs: Iterable[Finding]) -> None:  # fmt: skip
        """Keep ``probe`` if one of its failures (``found``) is of a cause not kept yet."""
        if self.note(found):
            failures = tuple(f for f in theirs if f.severity is Severity.FAILURE)
            unsaved = self.unsaved | {name.lower() for name, _ in self.credentials}
            value = _encode(probe, status, failures, unsaved)
            self._use(lambda: self.database.save(self.key, value))

    def note(self, found: Sequence[Finding]) -> bool:
        """Count the causes of ``found``'s failures as kept; whether one is new."""
        causes = {(f.check, f.status, place_of(f.location)) for f in found if _fails(f)}
        new = bool(causes - self._causes)
        self._causes |= causes
        return new

    def forget(self, kept: Kept) -> None:
        self._use(lambda: self.database.delete(self.key, kept.value))

    def _use(self, action: Callable[[], T]) -> T | None:
        """``action()`` on the database; once it fails, the run goes on without it."""
        if self.lost is not None:
            return None
        try:
            return action()
        except self.errors as exc:
            self.lost = f"{type(exc).__name__}: {exc}"
            return None

    def _authorized(self, kept: Kept) -> Kept:
        probe = kept.probe
        if probe.credentials and self.credentials:
            probe = replace(probe, headers=(*probe.headers, *self.credentials))
        else:
            probe = replace(probe, credentials=False)
        return replace(kept, probe=probe)


def open_memory(
    where: str,
    document: Path,
    operation: Operation,
    credentials: Sequence[tuple[str, str]],
    *,
    unsaved: Sequence[tuple[str, str]] = (),
) -> Memory:
    """The database ``where`` names, checked before any request: a folder the run can write,
    or a Redis server that answers. Neither ``credentials`` nor ``unsaved`` headers (the
    run's ``-H``) are stored."""
    names = frozenset(name.lower() for name, _ in unsaved)
    digest = hashlib.sha256(document.read_bytes()).hexdigest()[:16]
    label = f"{operation.method.upper()} {operation.path}"
    key = f"honcho-contract/{_FORMAT}:{label}:{digest}".encode()
    if not is_redis_url(where):
        check_writable([], [Path(where)])
        return Memory(DirectoryBasedExampleDatabase(where), key, tuple(credentials), names)
    try:  # an optional extra: only a Redis database needs it
        import redis  # noqa: PLC0415
        from hypothesis.extra.redis import RedisExampleDatabase  # noqa: PLC0415
    except ImportError:
        raise UsageError(f"--example-db {where} needs the redis package", fix=_REDIS_FIX) from None
    client = redis.Redis.from_url(where, socket_connect_timeout=5, socket_timeout=30)
    try:
        client.ping()
    except redis.RedisError as exc:
        client.close()
        raise UsageError(f"--example-db {where}: no Redis answers ({exc})",
                         fix="start it, or give the HOST:PORT it listens on") from None  # fmt: skip
    database = RedisExampleDatabase(client, key_prefix=b"honcho-contract:")
    return Memory(database, key, tuple(credentials), names, close=client.close,
                  errors=(OSError, redis.RedisError))  # fmt: skip


def _fails(finding: Finding) -> bool:
    return finding.severity is Severity.FAILURE and finding.check not in ("server_down", "flaky")


def _encode(probe: Probe, status: int, theirs: Sequence[Finding],
            unsaved: Iterable[str]) -> bytes:  # fmt: skip
    # never the credentials or -H's; nor the engine's id of the case: the same case is one value
    secret = {"authorization", "x-schemathesis-testcaseid", *unsaved}
    entry: dict[str, Any] = {
        "format": _FORMAT,
        "name": probe.name,
        "method": probe.method,
        "path": probe.path,
        "headers": [[k, v] for k, v in probe.headers if k.lower() not in secret],
        "body": None if probe.body is None else base64.b64encode(probe.body).decode(),
        "credentials": probe.credentials,
        # a mutant's own verdict and wire (a generated case has neither: the checks judge it)
        "expect": probe.expect.value,
        "lenient": probe.lenient,
        "layer": probe.layer,
        "location": probe.location,
        "framing": probe.framing.name if probe.framing is not None else None,
        "status": status,
        "theirs": [[f.check, f.status, f.message] for f in theirs],
    }
    return json.dumps(entry, sort_keys=True).encode()


def _decode(value: bytes) -> Kept | None:
    """The kept case ``value`` holds; ``None`` for another format or damaged data."""
    try:
        entry = json.loads(value)
        if entry.get("format") != _FORMAT:
            return None
        body = None if entry["body"] is None else base64.b64decode(entry["body"])
        location = str(entry.get("location") or locate(body))
        probe = Probe(
            name=f"{str(entry['name']).rsplit(' (', 1)[0]} (kept in --example-db)",
            location=location,
            method=str(entry["method"]),
            path=str(entry["path"]),
            body=body,
            headers=tuple((str(k), str(v)) for k, v in entry["headers"]),
            credentials=bool(entry["credentials"]),
            expect=Expect(entry.get("expect", Expect.ANY.value)),
            lenient=bool(entry.get("lenient")),
            layer=str(entry.get("layer") or ""),
            framing=FRAMINGS.get(str(entry.get("framing"))),
        )
        theirs = tuple(Finding(str(check), Severity.FAILURE, status, location, str(message))
                       for check, status, message in entry["theirs"])  # fmt: skip
        return Kept(probe, int(entry["status"]), theirs, value)
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
