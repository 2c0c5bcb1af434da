"""Which media type carries the fields (RFC 9110 §8.3): every spelling of the document's
``application/json`` (its type, subtype and parameter names in any letter case, parameters
spaced and quoted as HTTP allows), another ``+json`` type, no media type at all, and the same
fields as a form, as multipart form data and as query parameters, which some frameworks
merge with a JSON body into one bag of parameters.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlencode

from ..builder import JSON, ProbeSet, json_text, raw_valid, valid_body
from ..model import Probe
from . import MEDIA_TYPE

__all__ = ["JSON_SPELLINGS", "OTHER_TYPES", "media_probes"]

# application/json as RFC 9110 §5.6.6 and §8.3.1 let a client write it: the same media type.
JSON_SPELLINGS = {
    "upper case": "APPLICATION/JSON",
    "mixed case": "Application/Json",
    "charset in upper case": "application/json; CHARSET=UTF-8",
    "a quoted charset": 'application/json; charset="utf-8"',
    "no space before the parameter": "application/json;charset=utf-8",
    "spaces around the semicolon": "application/json ; charset=utf-8",
    "an unknown parameter": "application/json; kit=1",
}
# Not the document's media type, with the body's JSON text.
OTHER_TYPES = (
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=kit",
    "application/xml",
    "application/octet-stream",
    # types of their own whose names begin with or hold "json" (RFC 7464's JSON text
    # sequences; newline-delimited JSON): a server that matches the type by prefix or
    # substring reads them as the document's
    "application/json-seq",
    "application/x-ndjson",
)
_BOUNDARY = "kit-boundary"


def media_probes(probes: ProbeSet) -> Iterator[Probe]:
    raw = raw_valid(probes)
    valid = json_text(raw)
    yield probes.probe("a JSON content-type with charset", "header.content-type", valid,
                       layer=MEDIA_TYPE,
                       headers=(("content-type", "application/json; charset=utf-8"),))  # fmt: skip
    for kind, value in JSON_SPELLINGS.items():
        yield probes.probe(f"content-type {value!r} ({kind})", "header.content-type: spelling",
                           valid, layer=MEDIA_TYPE, headers=(("content-type", value),))  # fmt: skip
    yield probes.probe("content-type application/vnd.kit+json", "header.content-type: +json",
                       valid, layer=MEDIA_TYPE,
                       headers=(("content-type", "application/vnd.kit+json"),))  # fmt: skip
    for content_type in OTHER_TYPES:
        yield probes.probe(f"content-type {content_type}", "header.content-type", valid,
                           layer=MEDIA_TYPE, headers=(("content-type", content_type),))  # fmt: skip
    yield probes.probe("no content-type", "header.content-type: none", valid, layer=MEDIA_TYPE,
                       headers=())  # fmt: skip
    yield from _fields_elsewhere(probes)


def _fields_elsewhere(probes: ProbeSet) -> Iterator[Probe]:
    """The valid body's fields in a form, in multipart form data, and in the query of a
    JSON body that lacks them: none of them is the JSON body the document declares."""
    body = valid_body(probes.facts, probes.document)
    fields = [(name, str(value)) for name, value in body.items()]
    form = (("content-type", "application/x-www-form-urlencoded"),)
    yield probes.probe("the fields as a form", "header.content-type: form fields",
                       urlencode(fields).encode(), layer=MEDIA_TYPE, headers=form)  # fmt: skip
    parts = "".join(
        f'--{_BOUNDARY}\r\ncontent-disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields
    )
    multipart = (("content-type", f"multipart/form-data; boundary={_BOUNDARY}"),)
    yield probes.probe("the fields as multipart form data",
                       "header.content-type: multipart fields",
                       f"{parts}--{_BOUNDARY}--\r\n".encode(), layer=MEDIA_TYPE,
                       headers=multipart)  # fmt: skip
    yield probes.probe("the fields in the query, an empty JSON object as the body",
                       "query: fields", b"{}", layer=MEDIA_TYPE, headers=JSON,
                       path=f"{probes.path()}?{urlencode(fields)}")  # fmt: skip
