"""What the contract lets a server answer to a body: the document's schema judging what the
kit's strict reader reads, in the media type and coding the request declares.

Under the ``contract`` profile the answer follows the standards, and is open where they
leave it so: a JSON text that is valid by the schema gets the documented success, one that
is not gets 422; text that is not JSON gets 422 (a 422 that blames the body as a whole);
bytes that are not UTF-8, another media type than the document's, or no body get 422, where
another 4xx is only a warning (HTTP's own refusals); where RFC 8259 leaves a reading open,
either the success (if some reading is valid) or 422; a body without a media type, of
another ``+json`` type, or in a content coding the document does not declare may be read
(the success, if what it holds is valid) or refused (422, another 4xx a warning). Under
``honcho`` it follows Honcho 2.5.1's runtime, which reads with Python's ``json`` (``NaN``,
UTF-16 and a byte order mark read, the last of a name given twice kept), parses a body
without a media type and any ``application/...json`` one, and refuses the rest.

>>> from honcho_spec import SpecDocument
>>> body = {"type": "object", "required": ["observer"],
...         "properties": {"observer": {"type": "string"}}}
>>> document = SpecDocument({"openapi": "3.1.0", "components": {"schemas": {"Body": body}}}, "")
>>> oracle = Oracle(BodySchema(document, {"$ref": "#/components/schemas/Body"}))
>>> oracle.judge(b'{"observer": "a"}', "Application/JSON; charset=utf-8").expect
<Expect.ACCEPT: 'accept'>
>>> oracle.judge(b'{"observer": "a",}', "application/json").why
'not RFC 8259 JSON: Expecting property name enclosed in double quotes at byte 17'
>>> oracle.judge(b'{"observer": "a\\xc0\\x80"}', "application/json").why
'not UTF-8 (RFC 3629): an overlong form at byte 15'
>>> oracle.judge(b'{"observer": 1, "observer": "a"}', "application/json").expect
<Expect.EITHER: 'either'>
"""

from __future__ import annotations

import enum
import gzip
import json
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from .media import media_type
from .reader import NotJson, read
from .schema import BodySchema

__all__ = ["PROFILES", "Expect", "Oracle", "Verdict"]

# ``contract``: what the document, HTTP and JSON require; ``honcho``: also what Honcho 2.5.1
# answers on its FastAPI runtime (offsets, UTF-16 read, a body without content-type parsed).
PROFILES = ("contract", "honcho")


class Expect(enum.Enum):
    """What a request must get."""

    ACCEPT = "accept"  # a valid request: the documented success
    REJECT = "reject"  # a schema-invalid JSON document: 422
    EITHER = "either"  # text outside RFC 8259 that a server may read or refuse: success or 422
    NOT_JSON = "not-json"  # not a JSON document of the declared media type: 422 (other 4xx warn)
    UNTYPED = "untyped"  # a JSON body without a content-type: read (success) or refused (422)
    REFUSE = "refuse"  # credentials that must not pass: 401 or 403
    METHOD = "method"  # a method the document does not declare: 405 with Allow (or 501)
    ANY = "any"  # no status the contract pins (routing): anything but a 5xx


@dataclass(frozen=True)
class Verdict:
    """What a body must get, and why: ``lenient``, a 422 may blame the body as a whole
    (text a strict reader refuses) rather than the field a probe aims at."""

    expect: Expect
    why: str
    lenient: bool = False

    @property
    def readable(self) -> bool:
        """Whether a server that reads the body may take it."""
        return self.expect in (Expect.ACCEPT, Expect.EITHER)


_CODINGS: dict[str, Callable[[bytes], bytes]] = {
    "gzip": gzip.decompress,
    "x-gzip": gzip.decompress,
    "deflate": zlib.decompress,
}


class Oracle:
    """Judges request bodies by the document's schema of the operation's body."""

    def __init__(self, schema: BodySchema) -> None:
        self.schema = schema

    def judge(
        self,
        body: bytes | None,
        content_type: str | None,
        *,
        content_encoding: str | None = None,
        profile: str = "contract",
    ) -> Verdict:
        """What a request with ``body`` (``None``: none at all), sent as ``content_type``
        (``None``: no media type) in ``content_encoding``, must get under ``profile``."""
        if profile == "honcho":
            return self._as_honcho(body, content_type)
        if body is None:
            return Verdict(Expect.NOT_JSON, "no body: the document requires one")
        coding = (content_encoding or "identity").strip().lower()
        if coding != "identity":
            return self._encoded(body, coding)
        if content_type is None:
            return _either_way(self.read(body), "no media type: a server may read it or refuse it")
        media = media_type(content_type)
        if media is not None and media.json_suffix:
            why = f"{media.type}/{media.subtype}, not the document's application/json"
            return _either_way(self.read(body), f"{why}: a server may read it or refuse it")
        if media is None or not media.json:
            return Verdict(Expect.NOT_JSON, f"{content_type!r} is not the document's media type")
        return self.read(body)

    def read(self, body: bytes) -> Verdict:
        """What a body sent as ``application/json`` must get."""
        try:
            reading = read(body)
        except NotJson as exc:
            if exc.layer == "encoding":
                return Verdict(Expect.NOT_JSON, str(exc))
            return Verdict(Expect.REJECT, str(exc), lenient=True)
        if reading.value is None and reading.open:  # too deep to read: no value to judge
            return Verdict(Expect.ANY, "; ".join(reading.open), lenient=True)
        valid = [self.schema.valid(value) for value in reading.values]
        if reading.open:
            open_ = "; ".join(reading.open)
            if any(valid):
                return Verdict(Expect.EITHER, f"{open_}; a reader may refuse it, and read, it "
                               "is valid", lenient=True)  # fmt: skip
            problem = self.schema.problem(reading.value)
            return Verdict(Expect.REJECT, f"{open_}; read, it is not valid either ({problem})",
                           lenient=True)  # fmt: skip
        if valid[0]:
            return Verdict(Expect.ACCEPT, "RFC 8259 JSON, valid by the document's schema")
        problem = self.schema.problem(reading.value)
        return Verdict(
            Expect.REJECT, f"RFC 8259 JSON, not valid by the document's schema: {problem}"
        )

    def _encoded(self, body: bytes, coding: str) -> Verdict:
        decode = _CODINGS.get(coding)
        if decode is None:
            return Verdict(Expect.ANY, f"content coding {coding!r}, which the kit cannot undo")
        try:
            decoded = decode(body)
        except (OSError, EOFError, zlib.error):
            return Verdict(Expect.NOT_JSON, f"not {coding} data, though it says so")
        why = f"content coding {coding}, which the document does not declare"
        return _either_way(self.read(decoded), f"{why}: a server may undo it or refuse it")

    def _as_honcho(self, body: bytes | None, content_type: str | None) -> Verdict:
        if not body:  # FastAPI reads no body and an empty one alike: a required body missing
            return Verdict(Expect.REJECT, "no body: FastAPI's 'missing'")
        if content_type is not None and not _fastapi_json(content_type):
            return Verdict(Expect.REJECT, "not JSON to FastAPI: the body is a string to it")
        try:
            value = json.loads(body)
        except UnicodeDecodeError:  # Honcho's 400 (a defect): the contract's 422 instead
            return Verdict(Expect.NOT_JSON, "not text to Python's json")
        except RecursionError:
            return Verdict(Expect.ANY, "deeper than Python's json reads")
        except ValueError:
            return Verdict(Expect.REJECT, "not JSON to Python's json: FastAPI's json_invalid")
        if self.schema.valid(value):
            return Verdict(Expect.ACCEPT, "valid, as Python's json reads it")
        return Verdict(Expect.REJECT, "not valid, as Python's json reads it")


def _either_way(inner: Verdict, why: str) -> Verdict:
    """A body a server may read or refuse: read, it gets what ``inner`` says."""
    if inner.readable:
        return Verdict(Expect.UNTYPED, why, lenient=True)
    return Verdict(Expect.NOT_JSON, f"{why}; read, {inner.why}", lenient=True)


def _fastapi_json(content_type: str) -> bool:
    """FastAPI 0.116's test (``email.message``'s reading): ``application/json`` or an
    ``application/...+json`` type, any case, any parameters."""
    main, _, sub = content_type.split(";", 1)[0].strip().lower().partition("/")
    return main == "application" and (sub == "json" or sub.endswith("+json"))
