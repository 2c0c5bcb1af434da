"""How one contract run is set up: options enter here once, from flags or pytest options.

The environment is read here and nowhere else (``HONCHO_CONTRACT_*``): a flag beats the
environment, which beats the default.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from honcho_spec import layered

from .errors import UsageError
from .options import (
    DEFAULT_ANSWER_SIZE,
    FALSE_WORDS,
    TRUE_WORDS,
    Rate,
    Shard,
    duration_flag,
    example_db_flag,
    header_flag,
    is_redis_url,
    names_flag,
    parse_duration,
    parse_example_db,
    parse_header,
    parse_names,
    parse_rate,
    parse_shard,
    parse_size,
    parse_tls_verify,
    rate_flag,
    shard_flag,
    size_flag,
    tls_verify_flag,
)

__all__ = [
    "AUTH_MODES",
    "DEFAULT_SEED",
    "ENV_PREFIX",
    "PROFILES",
    "Rate",
    "Shard",
    "SuiteConfig",
    "check_writable",
    "duration_flag",
    "example_db_flag",
    "from_environment",
    "header_flag",
    "is_redis_url",
    "make_parent",
    "names_flag",
    "parse_duration",
    "parse_rate",
    "parse_shard",
    "rate_flag",
    "reproducers_folder",
    "resolve_config",
    "shard_flag",
    "size_flag",
    "tls_verify_flag",
]

ENV_PREFIX = "HONCHO_CONTRACT_"
AUTH_MODES = ("auto", "required", "off")
PROFILES = ("contract", "honcho")
DEFAULT_SEED = 20250101


@dataclass(frozen=True)
class SuiteConfig:
    """One run against one server.

    >>> SuiteConfig(base_url="http://127.0.0.1:8000").seed
    20250101
    """

    base_url: str
    token: str | None = None
    workspace_id: str | None = None
    seed: int = DEFAULT_SEED
    max_examples: int = 100
    workers: int = 1
    max_time: float | None = None
    junit_xml: Path | None = None
    report_json: Path | None = None
    strict: bool = False
    auth: str = "auto"
    jwt_secret: str | None = None
    show_secrets: bool = False
    spec_path: Path | None = None
    timeout: float = 10.0
    profile: str = "contract"
    reproducers: Path | None = None
    rate_limit: Rate | None = None
    down_wait: float = 10.0  # seconds to wait for a server that stopped answering
    shard: Shard | None = None
    duration: float | None = None  # seconds a campaign runs (fixed phases, then fuzzing)
    max_failures: int | None = None
    example_db: str | None = None  # a folder or redis://HOST:PORT: the kept failing cases
    max_answer_size: int = DEFAULT_ANSWER_SIZE  # bytes of an answer read, on the wire and decoded
    checks: tuple[str, ...] | None = None  # the checks reported (None: all), by report name
    exclude_checks: tuple[str, ...] | None = None  # ... less these
    headers: tuple[tuple[str, str], ...] = ()  # -H: sent with every request
    tls_verify: bool | Path = True  # false, or a CA bundle to trust
    cert: Path | None = None  # a client certificate (PEM), its key in it or in ``key``
    key: Path | None = None

    def __post_init__(self) -> None:
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise UsageError(
                f"--base-url {self.base_url!r} is not an http(s) URL",
                fix="e.g. --base-url http://127.0.0.1:8000",
            )
        if self.profile not in PROFILES:
            raise UsageError(f"--profile {self.profile!r} is unknown", fix="use contract or honcho")
        if self.auth not in AUTH_MODES:
            raise UsageError(f"--auth {self.auth!r} is unknown", fix="use auto, required or off")
        for name in ("max_examples", "workers", "max_failures"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise UsageError(f"--{name.replace('_', '-')} must be at least 1")
        if self.max_time is not None and not 0 < self.max_time < math.inf:
            raise UsageError("--max-time must be a positive number of seconds")
        if not 0 < self.timeout < math.inf:
            raise UsageError("--timeout must be a positive number of seconds")
        if not 0 <= self.down_wait < math.inf:
            raise UsageError(
                "--down-wait must be a number of seconds, 0 or more", fix="0 stops at once"
            )
        if self.workspace_id == "":
            raise UsageError("--workspace-id must not be empty")
        if self.example_db is not None:
            try:
                parse_example_db(self.example_db)
            except UsageError as exc:
                raise UsageError(f"--example-db {exc.what}", fix=exc.fix) from None
        if self.duration is not None and not 0 < self.duration < math.inf:
            raise UsageError("--duration must be a positive time", fix="e.g. --duration 30m")
        self._check_tls()
        object.__setattr__(self, "headers", tuple(self.headers))  # a flag's list
        for name, value in self.headers:
            try:
                parse_header(f"{name}: {value}")
            except UsageError as exc:
                raise UsageError(f"-H {exc.what}", fix=exc.fix) from None

    def _check_tls(self) -> None:
        files = [("--cert", self.cert), ("--key", self.key)]
        if isinstance(self.tls_verify, Path):
            files.insert(0, ("--tls-verify", self.tls_verify))
        for flag, path in files:
            if path is not None and not path.is_file():
                raise UsageError(f"{flag} {path}: no such file",
                                 fix=_TLS_FIX.get(flag, "give a PEM file's path"))  # fmt: skip
        if self.key is not None and self.cert is None:
            raise UsageError("--key without --cert", fix="pass the client certificate as --cert")

    @property
    def root_url(self) -> str:
        return self.base_url.rstrip("/")

    @property
    def reproducers_dir(self) -> Path:
        return reproducers_folder(self.reproducers, self.report_json, self.junit_xml)


def check_writable(files: Sequence[Path | None], folders: Sequence[Path] = ()) -> None:
    """Refuse, before a run, report files it could not write when it ends and folders it
    could not create (``--example-db``, the reproducers): a missing folder is created when
    the run writes there (:func:`make_parent`), so its nearest existing parent must be a
    writable folder."""
    for path in [*(f for f in files if f is not None), *folders]:
        wanted = path if path in folders else path.parent
        folder = wanted
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent  # the run creates the rest: its nearest existing parent
        if folder.is_dir() and os.access(folder, os.W_OK):
            continue
        if folder != wanted:
            raise UsageError(f"cannot write {path}: {wanted} does not exist, and {folder} is "
                             "not a writable folder to create it in",
                             fix="pass a path in a writable folder")  # fmt: skip
        raise UsageError(f"cannot write {path} ({folder} is not a writable folder)",
                         fix="pass a path in a writable folder")  # fmt: skip


def make_parent(path: Path) -> Path:
    """``path``, its folder created if missing (a report's: ``reports/run.json``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def reproducers_folder(explicit: Path | None, *reports: Path | None) -> Path:
    """Where long request bodies go for the reproducers: ``--reproducers``, else a
    ``reproducers`` folder beside the first report, else one in the working directory."""
    if explicit is not None:
        return explicit
    report = next((path for path in reports if path is not None), None)
    if report is not None:
        return report.parent / "reproducers"
    return Path("honcho-contract-reproducers")


def resolve_config(
    flags: Mapping[str, Any], environ: Mapping[str, str] | None = None
) -> SuiteConfig:
    """A config from ``flags`` (``None``: not given), then ``HONCHO_CONTRACT_*``, then defaults."""
    env = os.environ if environ is None else environ
    given = layered((field.name for field in fields(SuiteConfig)), flags, env, ENV_PREFIX)
    from_env = {name for name, value in given.items() if flags.get(name) is None}
    values = {k: _convert(k, v) if k in from_env else v for k, v in given.items()}
    if "base_url" not in values:
        raise UsageError("no server to test", fix="pass --base-url URL")
    return SuiteConfig(**values)


def from_environment(name: str, environ: Mapping[str, str] | None = None) -> str | None:
    """``HONCHO_CONTRACT_<NAME>``, or ``None`` when unset or empty (for commands beside run)."""
    env = os.environ if environ is None else environ
    return env.get(ENV_PREFIX + name.upper()) or None


def convert_flag(name: str, flag: str, value: str) -> Any:
    """The text ``value`` of ``flag`` (pytest mode's ``--contract-*``, read as text) as the
    config field ``name`` takes it; a bad one is a :class:`UsageError` that names the flag."""
    return _convert(name, value, (f"{flag} {value!r}", f"{flag} "))


def _convert(name: str, value: str, labels: tuple[str, str] | None = None) -> Any:
    """``value`` of the variable (or flag: ``labels``, its name with the value, and the
    prefix of a parser's message) for the field ``name``."""
    variable, prefix = labels or (f"{ENV_PREFIX}{name.upper()}={value!r}",
                                  f"{ENV_PREFIX}{name.upper()}=")  # fmt: skip
    try:
        if name in ("seed", "max_examples", "workers", "max_failures"):
            whole = int(value)
            if whole < 1 and name != "seed":
                raise UsageError(f"{variable} must be at least 1")
            return whole
        if name in ("max_time", "timeout"):
            seconds = float(value)
            if not 0 < seconds < math.inf:
                raise UsageError(f"{variable} is not a positive number of seconds")
            return seconds
        if name == "down_wait":
            seconds = float(value)
            if not 0 <= seconds < math.inf:
                raise UsageError(f"{variable} is not a number of seconds, 0 or more")
            return seconds
    except ValueError:
        raise UsageError(f"{variable} is not a number") from None
    choices = _CHOICES.get(name)
    if choices is not None and value not in choices:
        raise UsageError(f"{variable} is not one of {', '.join(choices)}")
    if name in ("strict", "show_secrets"):
        if value.lower() not in (*TRUE_WORDS, *FALSE_WORDS):
            raise UsageError(f"{variable} is not true or false", fix="use 1 or 0")
        return value.lower() in TRUE_WORDS
    if name in ("junit_xml", "report_json", "spec_path", "reproducers", "cert", "key"):
        return Path(value)
    if name == "headers":  # a flag holds one header; the variable, one a line
        lines = [value] if labels else [line for line in value.splitlines() if line.strip()]
        return tuple(_parsed(parse_header, line, prefix) for line in lines)
    parse = _PARSED.get(name)
    if parse is not None:
        return _parsed(parse, value, prefix)
    return value


def _parsed(parse: Callable[[str], Any], value: str, prefix: str) -> Any:
    try:
        return parse(value)
    except UsageError as exc:  # "'fast' is not a rate; give ...", named by its variable
        raise UsageError(f"{prefix}{exc}") from None


_CHOICES = {"auth": AUTH_MODES, "profile": PROFILES}
_PARSED: dict[str, Callable[[str], Any]] = {
    "duration": parse_duration,
    "shard": parse_shard,
    "rate_limit": parse_rate,
    "example_db": parse_example_db,
    "max_answer_size": parse_size,
    "checks": parse_names,
    "exclude_checks": parse_names,
    "tls_verify": parse_tls_verify,
}
_TLS_FIX = {"--tls-verify": "give true, false or the path of a CA bundle (PEM) to trust"}
