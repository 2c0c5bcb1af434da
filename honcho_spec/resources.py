"""Where the embedded OpenAPI document and the golden fixtures live.

A wheel carries both under ``honcho_spec/_data``; a source checkout keeps them at the
top of the repository (``openapi/`` and ``fixtures/``).
"""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

__all__ = [
    "DEFAULT_DOCUMENT_NAME",
    "data_dir",
    "default_document_path",
    "fixtures_dir",
    "kit_version",
]

DEFAULT_DOCUMENT_NAME = "trigger_dream.openapi.yaml"

_PACKAGE_DIR = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """The directory ``name`` (``openapi`` or ``fixtures``), packaged or in the checkout."""
    packaged = _PACKAGE_DIR / "_data" / name
    if packaged.is_dir():
        return packaged
    return _PACKAGE_DIR.parent / name


def default_document_path() -> Path:
    """The embedded Honcho 2.5.1 document the mock serves when given no ``--spec``."""
    return data_dir("openapi") / DEFAULT_DOCUMENT_NAME


def fixtures_dir() -> Path:
    """The directory of golden cases (one JSON file per case)."""
    return data_dir("fixtures")


def kit_version() -> str:
    """The installed kit's version (``unknown`` when run from a checkout not installed)."""
    try:
        return metadata.version("honcho-contract-kit")
    except metadata.PackageNotFoundError:
        return "unknown"
