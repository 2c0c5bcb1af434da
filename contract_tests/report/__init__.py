"""A run's findings for people (text) and for tools (JUnit XML, JSON).

It may import :mod:`contract_tests.run` and what the run imports.
"""

from .files import write_json, write_junit
from .text import render_text, summary_line

__all__ = ["render_text", "summary_line", "write_json", "write_junit"]
