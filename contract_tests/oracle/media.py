"""Media types as RFC 9110 §8.3.1 writes them: ``type/subtype`` in any letter case, then
parameters, with optional whitespace around each ``;``.

>>> media_type("Application/JSON ; charset=\\"utf-8\\"")
MediaType(type='application', subtype='json', parameters=(('charset', 'utf-8'),))
>>> media_type("application/vnd.kit+json").json_suffix, media_type("json") is None
(True, True)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["MediaType", "media_type"]

_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_TYPE = re.compile(rf"[ \t]*({_TOKEN})/({_TOKEN})[ \t]*")
_QUOTED = r'"(?:[^"\\\x00-\x08\x0a-\x1f\x7f]|\\[\t\x20-\x7e\x80-\xff])*"'
# RFC 9110 §5.6.6: parameters = *( OWS ";" OWS [ parameter ] )
_PARAMETER = re.compile(rf";[ \t]*(?:({_TOKEN})=({_TOKEN}|{_QUOTED}))?[ \t]*")


@dataclass(frozen=True)
class MediaType:
    type: str  # lower case, as are subtype and parameter names
    subtype: str
    parameters: tuple[tuple[str, str], ...] = ()

    @property
    def json(self) -> bool:
        """``application/json``, the one media type the document declares for the body
        (RFC 8259 §11 defines no parameter: a charset changes nothing)."""
        return (self.type, self.subtype) == ("application", "json")

    @property
    def json_suffix(self) -> bool:
        """Another ``application`` type with RFC 6839's ``+json`` suffix: JSON, but not the
        media type the document declares."""
        return self.type == "application" and self.subtype.endswith("+json")


def media_type(value: str | None) -> MediaType | None:
    """The media type ``value`` names; ``None`` for none, or for a value that is not one."""
    if value is None:
        return None
    head = _TYPE.match(value)
    if head is None:
        return None
    parameters, at = [], head.end()
    while at < len(value):
        found = _PARAMETER.match(value, at)
        if found is None:
            return None
        name, raw = found.groups()
        if name is not None:
            text = re.sub(r"\\(.)", r"\1", raw[1:-1]) if raw.startswith('"') else raw
            parameters.append((name.lower(), text))
        at = found.end()
    return MediaType(head[1].lower(), head[2].lower(), tuple(parameters))
