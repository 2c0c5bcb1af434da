"""Option values that are more than a number: a rate, a duration, a shard.

Each parser takes the text a flag or an environment variable holds and raises a
:class:`~contract_tests.errors.UsageError` that says what to give; :func:`flag_type` makes
one an argparse type (the CLI's options and pytest's).
"""

from __future__ import annotations

import argparse
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from .errors import UsageError

__all__ = [
    "DEFAULT_ANSWER_SIZE",
    "FALSE_WORDS",
    "KIT_HEADERS",
    "TRUE_WORDS",
    "Rate",
    "Shard",
    "duration_flag",
    "example_db_flag",
    "flag_type",
    "header_flag",
    "is_redis_url",
    "names_flag",
    "parse_duration",
    "parse_example_db",
    "parse_header",
    "parse_names",
    "parse_rate",
    "parse_shard",
    "parse_size",
    "parse_tls_verify",
    "rate_flag",
    "shard_flag",
    "size_flag",
    "tls_verify_flag",
]

T = TypeVar("T")

_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0}
_RATE = re.compile(r"(\d+)\s*/\s*([smh])")
_RATE_FIX = "give requests per second, minute or hour: 50/s, 300/m, 1000/h"


@dataclass(frozen=True)
class Rate:
    """``requests`` every ``per`` seconds.

    >>> parse_rate("50/s").interval
    0.02
    >>> parse_rate("90/m")
    Rate(requests=90, per=60.0)
    >>> str(parse_rate("90/m"))
    '90/m'
    """

    requests: int
    per: float

    @property
    def interval(self) -> float:
        """Seconds between two requests."""
        return self.per / self.requests

    def __str__(self) -> str:
        unit = next(name for name, seconds in _UNITS.items() if seconds == self.per)
        return f"{self.requests}/{unit}"


def parse_rate(text: str) -> Rate:
    """``N/s``, ``N/m`` or ``N/h`` (``N`` a whole number, as schemathesis takes it); anything
    else is a :class:`UsageError`."""
    match = _RATE.fullmatch(text.strip())
    if match is None or int(match.group(1)) == 0:
        raise UsageError(f"{text!r} is not a rate", fix=_RATE_FIX)
    return Rate(int(match.group(1)), _UNITS[match.group(2)])


_SHARD = re.compile(r"(\d+)/(\d+)")
_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([smh]?)")


def parse_duration(text: str) -> float:
    """Seconds from ``90``, ``90s``, ``30m`` or ``2h``; anything else is a :class:`UsageError`.

    >>> parse_duration("30m"), parse_duration("90"), parse_duration("1.5h")
    (1800.0, 90.0, 5400.0)
    """
    match = _DURATION.fullmatch(text.strip())
    seconds = float(match.group(1)) * _UNITS[match.group(2) or "s"] if match else 0.0
    if not 0 < seconds < math.inf:
        raise UsageError(
            f"{text!r} is not a duration", fix="give seconds, minutes or hours: 90s, 30m, 2h"
        )
    return seconds


# An honest answer of this operation is a 204, a 413, or a 422 that may echo what was sent
# (FastAPI's items carry the input). The requests a correct server refuses with 422 are all
# well under 1 MiB: the kit's long strings (up to 10 MiB) are valid values, taken or refused
# by size. So no correct answer comes near 8 MiB; past it an answer is a finding, and an
# exchange's memory stops there (a run against an endless answer stays under 200 MB).
DEFAULT_ANSWER_SIZE = 8 << 20
_SIZE = re.compile(r"(\d+)\s*(|b|k|kb|kib|m|mb|mib|g|gb|gib)", re.IGNORECASE)
_SIZE_UNITS = {"": 1, "b": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}
_SMALLEST_ANSWER = 1 << 10


def parse_size(text: str) -> int:
    """Bytes from ``8MiB``, ``512KiB``, ``1048576`` (``K``, ``M`` and ``G`` are binary, with
    or without ``iB``/``B``), at least 1 KiB; anything else is a :class:`UsageError`.

    >>> parse_size("8MiB"), parse_size("512k"), parse_size("2048")
    (8388608, 524288, 2048)
    """
    match = _SIZE.fullmatch(text.strip())
    size = int(match.group(1)) * _SIZE_UNITS[match.group(2)[:1].lower()] if match else 0
    if size < _SMALLEST_ANSWER:
        raise UsageError(f"{text!r} is not a size of 1 KiB or more",
                         fix="give bytes, KiB or MiB: 8MiB, 512KiB")  # fmt: skip
    return size


@dataclass(frozen=True)
class Shard:
    """Runner ``index`` of ``total`` (from 1): ``--shard 2/4``.

    >>> parse_shard("2/4")
    Shard(index=2, total=4)
    >>> str(parse_shard("2/4"))
    '2/4'
    """

    index: int
    total: int

    def __str__(self) -> str:
        return f"{self.index}/{self.total}"


def parse_shard(text: str) -> Shard:
    """``I/N`` with ``1 <= I <= N``; anything else is a :class:`UsageError`."""
    match = _SHARD.fullmatch(text.strip())
    if match is None or not 1 <= int(match.group(1)) <= int(match.group(2)):
        raise UsageError(f"{text!r} is not a shard", fix="give I/N with 1 <= I <= N: 1/4 to 4/4")
    return Shard(int(match.group(1)), int(match.group(2)))


_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://")
_DB_FIX = "give a folder (PATH) or redis://HOST:PORT"


def is_redis_url(text: str) -> bool:
    """Whether an ``--example-db`` value names a Redis server rather than a folder."""
    return text.lower().startswith(("redis://", "rediss://"))


def parse_example_db(text: str) -> str:
    """A folder or ``redis://HOST:PORT[/DB]`` (``rediss://`` for TLS); another scheme, or a
    Redis URL without a host, is a :class:`UsageError`.

    >>> parse_example_db("redis://127.0.0.1:6379"), parse_example_db("ci/examples")
    ('redis://127.0.0.1:6379', 'ci/examples')
    """
    scheme = _SCHEME.match(text)
    if not text.strip():
        raise UsageError("'' is no example database", fix=_DB_FIX)
    if scheme is not None and not is_redis_url(text):
        raise UsageError(f"{text!r} is no example database: {scheme.group(1)}:// is not one "
                         "the kit knows", fix=_DB_FIX)  # fmt: skip
    if scheme is not None and not text.split("://", 1)[1].split("/", 1)[0]:
        raise UsageError(f"{text!r} names no Redis host", fix=_DB_FIX)
    return text


# The headers the kit writes for each request itself, and why a -H may not set them.
KIT_HEADERS = {
    "authorization": "pass --token T: the kit sends it, leaves it out and spoils it as its auth "
    "probes need",
    "content-type": "the kit sends each probe's own (every common one, and none, on purpose)",
    "content-length": "the transport writes it for each body",
    "transfer-encoding": "the transport frames each body",
    "host": "it is --base-url's",
    "connection": "the transport manages its connections",
}
# RFC 9110 5.6.2: a field name is a token
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_HEADER_FIX = "give NAME: VALUE, as in -H 'X-Env: staging'"


def parse_header(text: str) -> tuple[str, str]:
    """``NAME: VALUE`` (``-H``) as (name, value), the value's outer whitespace dropped; no
    colon, a name that is no token, an empty value, CR, LF or NUL, a character past Latin-1
    or a header the kit writes itself is a :class:`UsageError`.

    >>> parse_header("X-Env:  staging ")
    ('X-Env', 'staging')
    """
    name, colon, value = text.partition(":")
    name, value = name.strip(), value.strip(" \t")
    if not colon:
        raise UsageError(f"{text!r} is no header: no colon", fix=_HEADER_FIX)
    if not name:
        raise UsageError(f"{text!r} names no header before its colon", fix=_HEADER_FIX)
    if not _TOKEN.fullmatch(name):
        raise UsageError(f"{name!r} is no header name", fix=_HEADER_FIX)
    if not value or any(c in value for c in "\r\n\0") or not _latin1(value):
        raise UsageError(f"{text!r} has no value a header may carry (one line of Latin-1 text)",
                         fix=_HEADER_FIX)  # fmt: skip
    why = KIT_HEADERS.get(name.lower())
    if why is not None:
        raise UsageError(f"{name!r} is a header the kit writes for each request", fix=why)
    return name, value


def _latin1(text: str) -> bool:
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


def parse_names(text: str) -> tuple[str, ...]:
    """Comma-separated names (``--checks``): at least one; which are known is the reader's
    to say.

    >>> parse_names("server_error, empty_204")
    ('server_error', 'empty_204')
    """
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    if not names:
        raise UsageError(f"{text!r} names nothing", fix="give names, comma-separated")
    return names


# How a flag or a variable says true or false.
TRUE_WORDS, FALSE_WORDS = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def parse_tls_verify(text: str) -> bool | Path:
    """``--tls-verify``: ``true`` (the default: the system's trusted CAs), ``false`` (no
    check), or the path of a CA bundle (PEM) to trust; whether that file exists is the
    config's to say.

    >>> parse_tls_verify("false"), parse_tls_verify("ca.pem") == Path("ca.pem")
    (False, True)
    """
    if text.strip().lower() in TRUE_WORDS:
        return True
    if text.strip().lower() in FALSE_WORDS:
        return False
    if not text.strip():
        raise UsageError("'' is no CA bundle", fix="give true, false or a CA bundle's path")
    return Path(text)


def flag_type(parse: Callable[[str], T]) -> Callable[[str], T]:
    """``parse`` as an argparse type: its error becomes argparse's one line."""

    def convert(text: str) -> T:
        try:
            return parse(text)
        except UsageError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    convert.__name__ = parse.__name__.removeprefix("parse_")  # argparse names it in errors
    return convert


rate_flag = flag_type(parse_rate)
duration_flag = flag_type(parse_duration)
shard_flag = flag_type(parse_shard)
size_flag = flag_type(parse_size)
example_db_flag = flag_type(parse_example_db)
names_flag = flag_type(parse_names)
header_flag = flag_type(parse_header)
tls_verify_flag = flag_type(parse_tls_verify)
