"""The spec layer: the one OpenAPI document, read once, and the golden cases.

``mock_server`` and ``contract_tests`` both stand on this package and never import each
other.
"""

from .document import (
    Operation,
    Parameter,
    RequestBody,
    ResponseSpec,
    SpecDocument,
    load_document,
    parse_document,
)
from .errors import KitError, SpecError
from .examples import example_for, example_for_schema
from .golden import GoldenCase, GoldenError, load_golden_cases, render_json
from .layering import layered
from .resources import default_document_path, fixtures_dir, kit_version
from .tokens import honcho_claims, mint_token, short_keys_allowed

__all__ = [
    "GoldenCase",
    "GoldenError",
    "KitError",
    "Operation",
    "Parameter",
    "RequestBody",
    "ResponseSpec",
    "SpecDocument",
    "SpecError",
    "default_document_path",
    "example_for",
    "example_for_schema",
    "fixtures_dir",
    "honcho_claims",
    "kit_version",
    "layered",
    "load_document",
    "load_golden_cases",
    "mint_token",
    "parse_document",
    "render_json",
    "short_keys_allowed",
]
