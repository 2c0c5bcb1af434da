"""``--shard I/N``: which of a run's cases this runner sends.

N runners with the same seed split one run's work between them, each case to one runner:
the probes and golden cases by their place in the run's fixed order, the generated cases
by a hash of what they carry (their order is the engine's), so that a case goes to the same
runner however the engine interleaves them. The fuzzing phase's examples are split by
count: each runner draws its share of ``--max-examples``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from ..config import Shard

__all__ = ["case_key", "examples_share", "keeps_bytes", "keeps_case", "keeps_index", "shard_of"]

T = TypeVar("T")


def keeps_index(shard: Shard | None, index: int) -> bool:
    """Whether the case at ``index`` (from 0) of a fixed order is this runner's.

    >>> [i for i in range(7) if keeps_index(Shard(2, 3), i)]
    [1, 4]
    """
    return shard is None or index % shard.total == shard.index - 1


def shard_of(shard: Shard | None, cases: Iterable[T]) -> Iterator[T]:
    """This runner's share of ``cases``, in their order."""
    return (case for index, case in enumerate(cases) if keeps_index(shard, index))


def case_key(case: Any) -> bytes:
    """What a generated case sends, as bytes: method, path parameters, query, headers, body
    and media type, in a fixed order."""
    parts = (case.method, case.path_parameters, case.query, case.headers, case.cookies,
             case.body, case.media_type)  # fmt: skip
    return repr(tuple(_canonical(part) for part in parts)).encode("utf-8", "surrogatepass")


def keeps_case(shard: Shard | None, case: Any) -> bool:
    """Whether a generated case is this runner's: by a hash of :func:`case_key`."""
    return shard is None or keeps_bytes(shard, case_key(case))


def keeps_bytes(shard: Shard | None, data: bytes) -> bool:
    """Whether what ``data`` stands for is this runner's: by a hash of it."""
    if shard is None:
        return True
    digest = hashlib.sha256(data).digest()
    return int.from_bytes(digest[:8], "big") % shard.total == shard.index - 1


def examples_share(shard: Shard | None, examples: int) -> int:
    """This runner's share of ``examples``: the shares add up to ``examples``.

    >>> [examples_share(Shard(i, 3), 100) for i in (1, 2, 3)]
    [34, 33, 33]
    """
    if shard is None:
        return examples
    return examples // shard.total + (1 if shard.index - 1 < examples % shard.total else 0)


def _canonical(value: Any) -> Any:
    """``value`` with every mapping's keys in order, so equal cases give equal keys."""
    if isinstance(value, dict):
        return tuple(sorted((str(k), _canonical(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_canonical(item) for item in value)
    return value
