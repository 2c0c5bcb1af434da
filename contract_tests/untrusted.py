"""Text that carries a server's bytes, made safe to show: in a terminal, a CI log, XML.

A server under test writes what it likes in its answers, and the kit quotes its answers in
every report. Shown raw, an ``ESC [2J`` clears the reader's screen, an ``OSC`` retitles the
terminal, a bidi override reorders what the reader sees, a newline starts a line of the
server's own (``::error::`` is a workflow command to a CI runner), and a control character
makes a JUnit file that no XML parser reads. :func:`one_line` escapes each of those
visibly, as Python writes them (``\\x1b``, ``\\u202e``, ``\\n``), so one logical line of a
report stays one line of output, and begins with the kit's words.

>>> one_line("500 \\x1b[2J::error::x\\nnext")
'500 \\\\x1b[2J::error::x\\\\nnext'
>>> one_line("::warning::from the server")
'\\\\x3a:warning::from the server'
"""

from __future__ import annotations

import re

__all__ = ["lines", "one_line"]

# C0 controls but tab, DEL and C1 controls; bidi embeddings, overrides, isolates and marks;
# surrogates (lone ones from a decoder's escapes: not writable as UTF-8); and U+FFFE,
# U+FFFF, which XML 1.0 leaves out with the controls.
_UNSAFE = re.compile(
    "[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
    "\ud800-\udfff\ufffe\uffff]"
)


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code == 0x0A:
        return "\\n"
    if code == 0x0D:
        return "\\r"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def one_line(text: str) -> str:
    """``text`` as one line of output that no byte of it can act on: controls, bidi marks,
    newlines escaped, and a line that would open with ``::`` opened with ``\\x3a``."""
    shown = _UNSAFE.sub(_escaped, text)
    if shown.lstrip().startswith("::"):
        cut = len(shown) - len(shown.lstrip())
        shown = f"{shown[:cut]}\\x3a{shown[cut + 1 :]}"
    return shown


def lines(rows: list[str]) -> str:
    """``rows``, each one logical line, as lines of output."""
    return "\n".join(one_line(row) for row in rows)
