"""schemathesis's engine as the kit runs it: the operation under test, its phases, the
statuses its checks expect, the run's credentials, workspace, seed and shard.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import schemathesis

from ..checks.answers import CheckContext
from ..checks.selection import THEIR_CHECKS
from ..config import SuiteConfig
from ..unicode_table import seed_utf8_table
from .shard import examples_share, keeps_case
from .translate import AUTH_STATUSES

__all__ = ["PHASES", "engine_schema", "private_hypothesis_home"]

PHASES: tuple[str, ...] = ("examples", "coverage", "fuzzing")


def engine_schema(
    config: SuiteConfig,
    document: Path,
    ctx: CheckContext,
    auth_headers: Sequence[tuple[str, str]],
    phases: Sequence[str],
) -> Any:
    """The operation under test (in a document that may hold more), as the engine runs it."""
    operation = ctx.facts.operation
    seed_utf8_table()
    settings = _engine_config(config, auth_headers, phases)
    schema = schemathesis.openapi.from_path(document, config=settings).include(
        method=operation.method, path=operation.path
    )
    shard = config.shard
    if shard is not None:
        schema.hook("filter_case")(lambda _ctx, case: keeps_case(shard, case))
    return schema


def _engine_config(
    config: SuiteConfig, auth_headers: Sequence[tuple[str, str]], phases: Sequence[str] = PHASES
) -> Any:
    extra = list(AUTH_STATUSES) if not auth_headers else []
    settings: dict[str, Any] = {
        "base-url": config.root_url,
        "seed": config.seed,
        "cache": {"enabled": False},
        "workers": config.workers,
        "continue-on-failure": True,
        "request-timeout": config.timeout,
        "generation": {
            "mode": "all",
            "database": "none",
            "max-examples": examples_share(config.shard, config.max_examples),
            # Credentials are the kit's concern (--token, --auth): none generated or removed.
            "with-security-parameters": False,
        },
        "phases": {
            **{phase: {"enabled": phase in phases} for phase in PHASES},
            "stateful": {"enabled": False},
        },
        "checks": {
            "positive_data_acceptance": {"expected-statuses": [204, *extra]},
            "negative_data_rejection": {"expected-statuses": [422, *extra]},
            "ignored_auth": {"enabled": False},
            # --exclude-checks naming one of schemathesis's: the engine does not run it
            **{
                name: {"enabled": False}
                for name in config.exclude_checks or ()
                if name in THEIR_CHECKS
            },
        },
    }
    if auth_headers or config.headers:
        settings["headers"] = {**dict(config.headers), **dict(auth_headers)}
    if config.tls_verify is not True:  # false, or the path of a CA bundle
        verify = config.tls_verify
        settings["tls-verify"] = verify if isinstance(verify, bool) else str(verify)
    if config.cert is not None:
        settings["request-cert"] = str(config.cert)
    if config.key is not None:
        settings["request-cert-key"] = str(config.key)
    if config.workspace_id is not None:
        settings["parameters"] = {"path.workspace_id": config.workspace_id}
    # --max-time is the kit's bound, held by the run (campaign.Stop), never the engine's:
    # schemathesis given a max-time cycles its phases until the time is spent, so a bound
    # meant as a safety net would make every default run last that long
    return schemathesis.Config.from_dict(settings)


@contextmanager
def private_hypothesis_home() -> Iterator[None]:
    """Hypothesis's own folder (``.hypothesis/``: the constants it caches) in a temporary
    folder, removed after, rather than in the working directory; unless
    ``HYPOTHESIS_STORAGE_DIRECTORY`` asks for one (failing cases are ``--example-db``'s)."""
    from hypothesis.configuration import set_hypothesis_home_dir  # noqa: PLC0415

    if os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
        yield
        return
    with tempfile.TemporaryDirectory(prefix="honcho-contract-hypothesis-") as home:
        set_hypothesis_home_dir(home)
        try:
            yield
        finally:
            set_hypothesis_home_dir(None)
