"""Requests as bytes on the wire: sending a probe exactly as built, and a command that sends
it again (a reproducer).

It may import :mod:`contract_tests.cases` and :mod:`contract_tests.errors`; the run, the diff
and the reports use it.
"""

from .reproduce import curl_command, redacted
from .transport import NoAnswer, Sender

__all__ = ["NoAnswer", "Sender", "curl_command", "redacted"]
