"""Independent aiohttp implementation of Honcho 2.5.1
``POST /v2/workspaces/{workspace_id}/trigger_dream`` (see openapi/trigger_dream.openapi.yaml).

Written the way an aiohttp team would write it (aiohttp 3.14.5, standard library only, nothing
imported from this repository).  Start:

    /tmp/venv-aiohttp/bin/python tests/stacks/aiohttp_server.py --port 0 [--token T] [--bug NAME]...

It prints ``listening on http://HOST:PORT`` once bound and exits cleanly on SIGTERM/SIGINT.

Choices where the document is silent (aiohttp-natural):
- Routing is aiohttp's: ``{workspace_id}`` matches one non-empty segment; no slash normalisation
  (``/trigger_dream/`` -> 404).  Other methods on the path (HEAD and OPTIONS too) -> aiohttp's
  405 with ``Allow: POST``.  Unknown paths -> 404.
- Every ``web.HTTPException`` (404, 405, 413, 415) is rendered by one middleware as JSON
  ``{"detail": "<reason>"}`` with the exception's headers (e.g. Allow) kept.  Requests the HTTP
  parser refuses (bad header syntax...) never reach the app: aiohttp's own 400 text/plain.
- Content-Type must be ``application/json`` or ``application/*+json`` (parameters ignored);
  anything else, or no Content-Type at all, -> 415 (``web.HTTPUnsupportedMediaType``).
- Body size: aiohttp's default ``client_max_size`` (1 MiB) is kept: larger bodies -> 413.
- The body is read with ``request.read()`` and decoded as strict UTF-8 whatever the charset
  parameter says (RFC 8259 s8.1 / s11: application/json has no charset).  Invalid UTF-8, a BOM,
  UTF-16/32 bodies, an empty body, NaN/Infinity (not JSON), trailing data and nesting too deep for
  the parser -> 422 ``loc ["body"]`` type ``json_invalid`` (empty body: type ``missing``).
- Integers are parsed as Decimal so numbers of any length never hit Python's int-digit limit.
- JSON escapes for lone surrogates are valid JSON strings and are accepted as such.
- Duplicate keys: the last one wins (Python json).
- Validation errors are collected (all fields reported): ``loc ["body"]`` type ``object_type`` when
  the JSON is not an object; ``loc ["body", field]`` with types ``missing``, ``string_type``,
  ``enum``.
- Auth (--token): checked in a middleware after routing (404/405 win over 401).  Scheme name is
  case-insensitive (RFC 9110 s11.1); wrong/missing -> 401 ``{"detail": ...}`` with
  ``WWW-Authenticate: Bearer``.

Planted bugs (--bug NAME, repeatable):
- text-400:      any body that is not parseable JSON (malformed, not UTF-8, NaN, too deep)
                 -> ``raise web.HTTPBadRequest(text=...)`` passed through the middleware:
                 400 text/plain instead of 422 JSON.
- unicode-500:   decodes like ``request.text()`` (trusts the charset parameter) and catches only
                 ``json.JSONDecodeError``: bytes that are not valid in the announced charset
                 (Latin-1, UTF-16 without charset...) or an unknown charset name
                 -> uncaught UnicodeDecodeError/LookupError -> 500.
- nesting-500:   catches only ``json.JSONDecodeError``: arrays/objects nested deeper than the
                 interpreter's recursion limit -> uncaught RecursionError -> 500.
- allow-dropped: the JSON error middleware rebuilds the response from status+reason only: 405
                 answers lose their ``Allow`` header.
- falsy:         ``if not body.get("observer")`` -> "" (empty string) observer -> 422 missing.
- strip:         ``observer.strip()`` before the required check -> whitespace-only observer
                 -> 422 missing.
- null-observed: ``isinstance(observed, str)`` check forgets ``None`` -> ``"observed": null``
                 -> 422 string_type.
- coerce:        ``str(body["observer"])`` coercion -> non-string observer (number, bool, null,
                 array, object) -> 204.
- json-200:      handler returns ``web.json_response({"status": "accepted"})`` -> 200 + body
                 for every valid request.
- surrogate-500: task key ``sha256(f"{ws}:{observer}".encode())`` -> strings holding lone
                 surrogates (``"\\ud800"``) -> UnicodeEncodeError -> 500.
- any-ctype:     no Content-Type check: text/plain (or missing) bodies holding valid JSON -> 204.
"""

from __future__ import annotations

import argparse
import asyncio
import decimal
import hashlib
import hmac
import json
import signal
import sys

from aiohttp import web

BUGS = {
    "text-400",
    "unicode-500",
    "nesting-500",
    "allow-dropped",
    "falsy",
    "strip",
    "null-observed",
    "coerce",
    "json-200",
    "surrogate-500",
    "any-ctype",
}
DREAM_TYPES = ("consolidate", "agent")

BUGS_KEY = web.AppKey("bugs", frozenset)
TOKEN_KEY = web.AppKey("token", object)
routes = web.RouteTableDef()


class ValidationFailed(Exception):
    def __init__(self, errors: list[dict]) -> None:
        super().__init__(errors)
        self.errors = errors


def _err(loc: list, msg: str, type_: str) -> dict:
    return {"loc": loc, "msg": msg, "type": type_}


def _reject_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def strict_loads(text: str):
    return json.loads(text, parse_int=decimal.Decimal, parse_constant=_reject_constant)


async def parse_json_body(request: web.Request, bugs: frozenset):
    if "any-ctype" not in bugs:
        ctype = request.content_type
        if not (
            ctype == "application/json"
            or (ctype.startswith("application/") and ctype.endswith("+json"))
        ):
            raise web.HTTPUnsupportedMediaType(reason="Content-Type must be application/json")
    raw = await request.read()  # 413 above client_max_size
    if not raw:
        raise ValidationFailed([_err(["body"], "Request body is required", "missing")])
    try:
        if "unicode-500" in bugs:  # request.text()-style: trust the charset parameter
            text = raw.decode(request.charset or "utf-8")
        else:
            text = raw.decode("utf-8")
        return strict_loads(text)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, UnicodeDecodeError, NaN
        # unicode-500 / nesting-500: the "except json.JSONDecodeError" version lets these escape
        if isinstance(exc, UnicodeDecodeError) and "unicode-500" in bugs:
            raise
        if isinstance(exc, RecursionError) and "nesting-500" in bugs:
            raise
        msg = "Nesting too deep" if isinstance(exc, RecursionError) else str(exc)
        if "text-400" in bugs:
            raise web.HTTPBadRequest(text=f"Invalid JSON: {msg}")
        raise ValidationFailed([_err(["body"], f"Invalid JSON: {msg}", "json_invalid")])


def validate(body, bugs: frozenset) -> dict:
    if not isinstance(body, dict):
        raise ValidationFailed([_err(["body"], "Input should be a JSON object", "object_type")])
    errors: list[dict] = []
    observer = body.get("observer")
    if "observer" not in body:
        errors.append(_err(["body", "observer"], "Field required", "missing"))
    else:
        if "coerce" in bugs:
            observer = str(observer)
        if not isinstance(observer, str):
            errors.append(_err(["body", "observer"], "Input should be a string", "string_type"))
        elif ("strip" in bugs and not observer.strip()) or ("falsy" in bugs and not observer):
            errors.append(_err(["body", "observer"], "Field required", "missing"))
    observed = body.get("observed")
    if "null-observed" in bugs and "observed" in body and not isinstance(observed, str):
        errors.append(_err(["body", "observed"], "Input should be a string", "string_type"))
    elif observed is not None and not isinstance(observed, str):
        errors.append(_err(["body", "observed"], "Input should be a string or null", "string_type"))
    if "dream_type" not in body:
        errors.append(_err(["body", "dream_type"], "Field required", "missing"))
    elif not isinstance(body["dream_type"], str) or body["dream_type"] not in DREAM_TYPES:
        errors.append(
            _err(["body", "dream_type"], "Input should be 'consolidate' or 'agent'", "enum")
        )
    if errors:
        raise ValidationFailed(errors)
    return {
        "observer": observer,
        "observed": observed if observed is not None else observer,
        "dream_type": body["dream_type"],
    }


@routes.post("/v2/workspaces/{workspace_id}/trigger_dream")
async def trigger_dream(request: web.Request) -> web.StreamResponse:
    bugs = request.app[BUGS_KEY]
    dream = validate(await parse_json_body(request, bugs), bugs)
    workspace_id = request.match_info["workspace_id"]
    if "surrogate-500" in bugs:
        key = f"{workspace_id}:{dream['observer']}:{dream['observed']}".encode()
    else:
        key = f"{workspace_id}:{dream['observer']}:{dream['observed']}".encode(
            "utf-8", "surrogatepass"
        )
    dream["task_key"] = hashlib.sha256(key).hexdigest()
    # A real server would enqueue the dream task here.
    if "json-200" in bugs:
        return web.json_response({"status": "accepted"})
    return web.Response(status=204)


@web.middleware
async def error_middleware(request: web.Request, handler):
    try:
        return await handler(request)
    except ValidationFailed as exc:
        return web.json_response({"detail": exc.errors}, status=422)
    except web.HTTPException as exc:
        if exc.status < 400 or ("text-400" in request.app[BUGS_KEY] and exc.status == 400):
            raise  # text-400: the handler's own HTTPBadRequest(text=...) goes out as text/plain
        if "allow-dropped" in request.app[BUGS_KEY]:
            return web.json_response({"detail": exc.reason}, status=exc.status)
        headers = {
            k: v
            for k, v in exc.headers.items()
            if k.lower() not in ("content-type", "content-length")
        }
        return web.json_response({"detail": exc.reason}, status=exc.status, headers=headers)


@web.middleware
async def auth_middleware(request: web.Request, handler):
    token = request.app[TOKEN_KEY]
    # Routing already happened: 404/405 resolve to an exception "handler"; let those through.
    if token is None or request.match_info.http_exception is not None:
        return await handler(request)
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        credentials.strip().encode("utf-8", "surrogatepass"), token.encode()
    ):
        return web.json_response(
            {"detail": "Not authenticated"}, status=401, headers={"WWW-Authenticate": "Bearer"}
        )
    return await handler(request)


def make_app(token: str | None, bugs: frozenset) -> web.Application:
    app = web.Application(middlewares=[error_middleware, auth_middleware])  # 1 MiB body limit
    app[BUGS_KEY] = bugs
    app[TOKEN_KEY] = token
    app.add_routes(routes)
    return app


async def serve(host: str, port: int, token: str | None, bugs: frozenset) -> None:
    runner = web.AppRunner(make_app(token, bugs), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound_port = runner.addresses[0][1]  # the site's server sockets (port 0 -> real port)
    shown = f"[{host}]" if ":" in host else host
    print(f"listening on http://{shown}:{bound_port}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--token", default=None)
    parser.add_argument("--bug", action="append", default=[])
    args = parser.parse_args()
    unknown = sorted(set(args.bug) - BUGS)
    if unknown:
        print(
            f"unknown --bug {', '.join(unknown)} (known: {', '.join(sorted(BUGS))})",
            file=sys.stderr,
        )
        sys.exit(2)
    asyncio.run(serve(args.host, args.port, args.token, frozenset(args.bug)))


if __name__ == "__main__":
    main()
