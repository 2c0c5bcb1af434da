"""Requests as bytes on the wire: sending a probe exactly as built, at a rate a shared server
can take, telling a server that stopped answering from one request left unanswered, and a
command that sends it again (a reproducer).

It may import :mod:`contract_tests.cases` and :mod:`contract_tests.errors`; the run, the diff
and the reports use it.
"""

from .outage import Outage, ServerDown, Watch
from .pace import TokenBucket
from .reproduce import curl_command, redacted
from .transport import NoAnswer, Sender

__all__ = [
    "NoAnswer",
    "Outage",
    "Sender",
    "ServerDown",
    "TokenBucket",
    "Watch",
    "curl_command",
    "redacted",
]
