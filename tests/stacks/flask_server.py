"""Honcho 2.5.1 ``POST /v2/workspaces/{workspace_id}/trigger_dream`` on Flask + waitress.

An independent, idiomatic Flask implementation of the operation's OpenAPI document, used to
check that the contract suite does not hold FastAPI-only behaviour up as the contract.
Pinned: flask==3.1.3, werkzeug==3.1.9, waitress==3.0.2.

    python flask_server.py [--host 127.0.0.1] [--port 0] [--token T] [--bug NAME ...]

Choices where the document is silent (Flask/Werkzeug's natural behaviour, kept on purpose):
- JSON is parsed by ``request.get_json()``, i.e. only for ``application/json`` and
  ``application/*+json`` (any parameters, charset ignored). Any other or a missing
  Content-Type is Flask's own 415 (JSON body ``{"detail": "..."}``), not a 422.
- The parser is Flask's default provider (stdlib ``json.loads`` on the raw bytes): a UTF-8
  BOM, UTF-16 and UTF-32 are accepted; NaN / Infinity / -Infinity are accepted (so they pass
  as values of extra keys, and are a ``string_type`` 422 as field values); duplicate keys keep
  the last value; lone-surrogate escapes (``"\\ud800"``) are valid strings, and so are raw
  UTF-8-encoded surrogates (``ED B0 80``: ``json.loads`` decodes bytes with surrogatepass).
  Integers over 4300 digits hit CPython's int limit: a 422 json_invalid (RFC 8259 s9 allows
  limits on numbers).
- Malformed JSON, invalid UTF-8, an empty body and nesting deeper than the parser's recursion
  limit are one 422 ``{"loc": ["body"], "type": "json_invalid"}``; the parser's message (with
  its character position) is in ``msg``. A body that is JSON but not an object is
  ``["body"]`` / ``object_type``. Field errors are ``["body", field]``, all at once, in field
  order, with types ``missing``, ``string_type``, ``enum``. No ``input`` echo.
- Bodies over MAX_CONTENT_LENGTH (16 MiB) get Werkzeug's 413 (JSON body).
- Routing is Werkzeug's: ``workspace_id`` is one non-empty segment (``%2F`` is decoded by
  the WSGI server, so it splits the segment -> 404); other methods get Werkzeug's 405 with
  ``Allow: POST, OPTIONS``; OPTIONS is Flask's automatic 200 with ``Allow`` (no auth);
  unknown paths 404. All HTTP errors are JSON ``{"detail": "<Werkzeug description>"}``.
- ``--token T``: checked in the view (so after routing); a missing/wrong bearer token is 401
  ``{"detail": "Not authenticated"}`` with ``WWW-Authenticate: Bearer`` (RFC 9110 11.6.1).
  The scheme name is case-insensitive (Werkzeug lower-cases it).
- Success is ``return "", 204`` (Werkzeug drops Content-Length; Content-Type stays text/html;
  waitress then closes the connection, as it does for any response without Content-Length).

Planted bugs (``--bug NAME``, repeatable), all mistakes Flask teams really make:
- default-400: no Request.on_json_loading_failed override and error handlers registered only
  for 401/404/405/413/500 -> malformed JSON (or invalid UTF-8, empty body) is Werkzeug's 400
  HTML page, a non-JSON / missing Content-Type is Werkzeug's 415 HTML page.
- falsy-check: ``if not body.get("observer")`` -> observer ``""`` is 422 missing.
- blank-check: "names must not be blank" as ``observer.isspace()`` -> an observer made only
  of whitespace (spaces, tabs, newlines, U+3000, ...) is 422 value_error; ``""`` still passes.
- str-coerce: ``str(body["observer"])`` / ``str(body["observed"])`` -> numbers, booleans,
  arrays, objects as observer/observed are accepted (204).
- null-observed: ``observed`` must be a str when the key is present -> ``"observed": null``
  is 422 string_type.
- unhashable-500: ``dream_type in DREAM_TYPES`` (a set) without a type check -> an array or
  object as dream_type raises TypeError -> 500.
- recursion-500: RecursionError from ``json.loads`` is not caught -> deeply nested JSON
  (about 1000+ levels of [ or {) -> 500.
- json-200: the view returns ``{"status": "queued"}`` -> 200 with a JSON body instead of 204.
- drop-headers: the error handler is ``return jsonify(detail=...), e.code`` -> 405 without
  ``Allow``, 401 without ``WWW-Authenticate``.
- auth-before-routing (with --token): auth in ``@app.before_request`` -> unknown paths,
  other methods and OPTIONS without the token are 401 instead of 404/405/200.
- digest-500 (with --token): ``hmac.compare_digest(str, str)`` -> a non-ASCII byte in the
  Authorization header raises TypeError -> 500.
"""

from __future__ import annotations

import argparse
import hmac
import json
import signal
import sys

from flask import Flask, Request, jsonify, request
from waitress import create_server
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import HTTPException, Unauthorized

BUG_NAMES = {
    "default-400",
    "falsy-check",
    "blank-check",
    "str-coerce",
    "null-observed",
    "unhashable-500",
    "recursion-500",
    "json-200",
    "drop-headers",
    "auth-before-routing",
    "digest-500",
}
BUGS: set[str] = set()
TOKEN: str | None = None
DREAM_TYPES = frozenset({"consolidate", "agent"})
MISSING = object()


class RequestValidationError(Exception):
    """Raised for a request the operation cannot accept; rendered as a 422."""

    def __init__(self, errors: list[dict]):
        super().__init__(errors)
        self.errors = errors


def error(loc: list, msg: str, type_: str) -> dict:
    return {"loc": loc, "msg": msg, "type": type_}


class ApiRequest(Request):
    def on_json_loading_failed(self, e: ValueError | None):
        if e is None:  # not a JSON content type: keep Flask's 415
            return super().on_json_loading_failed(e)
        raise RequestValidationError([error(["body"], f"Invalid JSON: {e}", "json_invalid")])


app = Flask(__name__)
app.config["MAX_CONTENT_LENGTH"] = 16 * 1024 * 1024


def unauthorized() -> Unauthorized:
    return Unauthorized("Not authenticated", www_authenticate=WWWAuthenticate("bearer"))


def check_auth() -> None:
    if TOKEN is None:
        return
    auth = request.authorization
    if auth is None or auth.type != "bearer" or auth.token is None:
        raise unauthorized()
    if "digest-500" in BUGS:
        ok = hmac.compare_digest(auth.token, TOKEN)
    else:
        ok = hmac.compare_digest(auth.token.encode("utf-8", "surrogatepass"), TOKEN.encode())
    if not ok:
        raise unauthorized()


@app.before_request
def auth_everything():
    if "auth-before-routing" in BUGS:
        check_auth()


def read_json_body():
    try:
        return request.get_json()
    except RecursionError:
        if "recursion-500" in BUGS:
            raise
        raise RequestValidationError(
            [error(["body"], "Invalid JSON: nesting too deep", "json_invalid")]
        ) from None


def validate(body) -> list[dict]:
    if not isinstance(body, dict):
        return [error(["body"], "Input should be a JSON object", "object_type")]
    errors = []

    observer = body.get("observer", MISSING)
    if "str-coerce" in BUGS and observer is not MISSING:
        observer = str(observer)
    if observer is MISSING or ("falsy-check" in BUGS and not observer):
        errors.append(error(["body", "observer"], "Field required", "missing"))
    elif not isinstance(observer, str):
        errors.append(error(["body", "observer"], "Input should be a string", "string_type"))
    elif "blank-check" in BUGS and observer.isspace():
        errors.append(error(["body", "observer"], "Must not be blank", "value_error"))

    observed = body.get("observed")
    if "str-coerce" in BUGS and observed is not None:
        observed = str(observed)
    if "null-observed" in BUGS and "observed" in body and not isinstance(observed, str):
        errors.append(error(["body", "observed"], "Input should be a string", "string_type"))
    elif observed is not None and not isinstance(observed, str):
        errors.append(
            error(["body", "observed"], "Input should be a string or null", "string_type")
        )

    dream_type = body.get("dream_type", MISSING)
    if dream_type is MISSING:
        errors.append(error(["body", "dream_type"], "Field required", "missing"))
    elif not (
        ("unhashable-500" in BUGS or isinstance(dream_type, str)) and dream_type in DREAM_TYPES
    ):
        errors.append(
            error(["body", "dream_type"], "Input should be 'consolidate' or 'agent'", "enum")
        )
    return errors


@app.post("/v2/workspaces/<workspace_id>/trigger_dream")
def trigger_dream(workspace_id: str):
    if "auth-before-routing" not in BUGS:
        check_auth()
    errors = validate(read_json_body())
    if errors:
        raise RequestValidationError(errors)
    # A real server would enqueue the dream for (workspace_id, observer, observed) here.
    if "json-200" in BUGS:
        return {"status": "queued"}
    return "", 204


@app.errorhandler(RequestValidationError)
def handle_validation_error(e: RequestValidationError):
    return jsonify(detail=e.errors), 422


def handle_http_error(e: HTTPException):
    if "drop-headers" in BUGS:
        return jsonify(detail=e.description), e.code
    response = e.get_response()  # keeps Allow, WWW-Authenticate, ...
    response.data = json.dumps({"detail": e.description})
    response.content_type = "application/json"
    return response


def configure(bugs: set[str], token: str | None) -> None:
    global TOKEN
    BUGS.update(bugs)
    TOKEN = token
    if "default-400" in BUGS:
        for code in (401, 404, 405, 413, 500):
            app.register_error_handler(code, handle_http_error)
    else:
        app.request_class = ApiRequest
        app.register_error_handler(HTTPException, handle_http_error)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--token", default=None)
    parser.add_argument("--bug", action="append", default=[], metavar="NAME")
    args = parser.parse_args(argv)
    unknown = [b for b in args.bug if b not in BUG_NAMES]
    if unknown:
        print(
            f"unknown --bug {unknown[0]!r} (known: {', '.join(sorted(BUG_NAMES))})", file=sys.stderr
        )
        return 2
    configure(set(args.bug), args.token)

    server = create_server(app, host=args.host, port=args.port)

    def stop(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    host = f"[{args.host}]" if ":" in args.host else args.host
    port = getattr(server, "effective_port", None)
    if port is None:  # a host name resolving to several sockets: waitress's MultiSocketServer
        port = server.effective_listen[0][1]
    print(f"listening on http://{host}:{port}", flush=True)
    try:
        server.run()
    except SystemExit:
        pass
    finally:
        server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
