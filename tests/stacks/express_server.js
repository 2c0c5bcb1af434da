#!/usr/bin/env node
/**
 * Honcho 2.5.1 `POST /v2/workspaces/{workspace_id}/trigger_dream`, written the Express 5 way.
 *
 *   node tests/stacks/express_server.js [--port N] [--host H] [--token T] [--bug NAME]...
 *
 * Needs `express` (devDependency of /work/main/package.json). Independent of the kit: it reads
 * only the OpenAPI document's rules, written out by hand below.
 *
 * Choices where the document is silent (Express's natural behaviour unless said otherwise):
 * - Body parsing is `express.json({ limit: '10mb' })` (body-parser 2): strict mode (the text
 *   must start with `{` or `[`), only `application/json` (any parameters, any case; not
 *   `+json` types) is parsed. The 100kb default limit is RAISED to 10mb because any string is
 *   a valid observer; past 10mb the parser's 413 is kept (JSON `{"detail": "..."}`).
 * - A charset other than `utf-*` or an unknown Content-Encoding: the parser's 415, kept.
 *   gzip/deflate/br bodies are inflated; a corrupt compressed body: the parser's 400, kept.
 *   `charset=utf-16` / `utf-32` are decoded (iconv-lite); without a charset the bytes are
 *   read as UTF-8, so UTF-16 is malformed JSON -> 422. A UTF-8 BOM is stripped by the decoder.
 *   Bytes that are not UTF-8 in a body read as UTF-8 are refused (a `verify` hook with a
 *   fatal TextDecoder: body-parser alone would read them as U+FFFD): 422
 *   `[{loc: ["body"], type: "encoding.not_utf8"}]`.
 * - Malformed JSON, non-JSON literals (NaN, Infinity), a top-level primitive (strict mode):
 *   422 `[{loc: ["body"], msg: <parser message>, type: "entity.parse.failed"}]`.
 *   An empty `application/json` body parses to `{}` (body-parser) -> 422 for each missing field.
 * - No Content-Type, or a non-JSON one (text/plain, form, xml...): the body is not parsed
 *   (`req.body` stays undefined) -> 422 `[{loc: ["body"], type: "body.missing"}]`.
 * - Validation is hand-written, reports every problem at once, `loc` = ["body", field];
 *   `type` is one of missing | string_type | enum | object_type. Extra keys are ignored;
 *   duplicate keys: the last wins (JSON.parse). Lone surrogates and NUL are plain strings.
 * - Routing: Express 5 defaults, so the path is case-insensitive and a trailing slash matches.
 *   `workspace_id` is any non-empty segment, percent-decoded (`%2F` included); an undecodable
 *   escape (`%zz`) is 422 `loc: ["path", "workspace_id"]`.
 * - Other methods on the path (OPTIONS and HEAD included): 405 with `Allow: POST`.
 *   Unknown paths: 404 JSON `{"detail": "Cannot METHOD /path"}`. Any other error: 500 JSON.
 * - Auth (`--token`): checked after routing, before the body is read; 401 JSON with
 *   `WWW-Authenticate: Bearer`. The scheme name is case-insensitive (RFC 9110 11.1).
 *
 * Planted bugs (`--bug NAME`, repeatable), each a classic Express mistake:
 * - default-limit: `express.json()` with its 100kb default -> any valid body over 102,400
 *   bytes (observer/observed of ~102k characters and up, big extra keys) gets 413, not 204.
 * - no-error-handler: no JSON error middleware -> everything the parser refuses (malformed
 *   JSON, NaN, primitives, bad charset, too large) gets Express's HTML error page (400/413/415).
 * - falsy-check: `if (!body.observer)` -> an empty string observer or dream_type ("") is
 *   reported as missing: 422 instead of 204 for `observer: ""`.
 * - enum-lookup: `DREAM_TYPES[body.dream_type]` on a plain object -> inherited names
 *   (`constructor`, `toString`, `__proto__`, `hasOwnProperty`...) and one-element arrays
 *   (`["agent"]`) pass: 204 instead of 422.
 * - string-coercion: fields normalised with `String(value)` before the type check -> numbers,
 *   booleans, arrays and objects in observer/observed are accepted: 204 instead of 422.
 * - observer-header: the observer is echoed in an `X-Dream-Observer` response header -> an
 *   observer with a character Node refuses in headers (control characters such as NUL or
 *   newline, anything above U+00FF) throws ERR_INVALID_CHAR: 500.
 * - no-405: no `.all()` on the route -> other methods fall through to the 404 handler:
 *   404 without `Allow` instead of 405.
 * - lenient-utf8: no `verify` hook -> body-parser decodes bytes that are not UTF-8 to
 *   U+FFFD, so a valid body with one in a string value gets 204 instead of 422.
 */
'use strict';

const crypto = require('node:crypto');
const { parseArgs } = require('node:util');
const express = require('express');

const BUGS = new Set(['lenient-utf8', 'default-limit', 'no-error-handler', 'falsy-check', 'enum-lookup',
  'string-coercion', 'observer-header', 'no-405']);
const DREAM_TYPES = ['consolidate', 'agent'];
const DREAM_TYPE_LOOKUP = { consolidate: true, agent: true }; // used by the enum-lookup bug

function parseOptions(argv) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string', default: '8000' },
        host: { type: 'string', default: '127.0.0.1' },
        token: { type: 'string' },
        bug: { type: 'string', multiple: true, default: [] },
      },
    }));
  } catch (err) {
    usage(err.message);
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) usage(`invalid --port: ${values.port}`);
  for (const bug of values.bug) {
    if (!BUGS.has(bug)) usage(`unknown --bug ${bug} (known: ${[...BUGS].join(', ')})`);
  }
  return { port, host: values.host, token: values.token, bugs: new Set(values.bug) };
}

function usage(message) {
  process.stderr.write(`express_server: error: ${message}\n`);
  process.exit(2);
}

/** Every problem with a parsed body, as {loc, msg, type} items (empty when valid). */
function validateTriggerDream(body, bugs) {
  if (body === undefined) {
    return [{ loc: ['body'], msg: 'Request body must be JSON (Content-Type: application/json)', type: 'body.missing' }];
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return [{ loc: ['body'], msg: 'Request body must be a JSON object', type: 'object_type' }];
  }
  const errors = [];
  const present = (name) => (bugs.has('falsy-check') ? Boolean(body[name]) : Object.hasOwn(body, name));
  const value = (name) => (bugs.has('string-coercion') && body[name] != null ? String(body[name]) : body[name]);

  if (!present('observer')) {
    errors.push({ loc: ['body', 'observer'], msg: 'observer is required', type: 'missing' });
  } else if (typeof value('observer') !== 'string') {
    errors.push({ loc: ['body', 'observer'], msg: 'observer must be a string', type: 'string_type' });
  }
  if (Object.hasOwn(body, 'observed') && value('observed') !== null && typeof value('observed') !== 'string') {
    errors.push({ loc: ['body', 'observed'], msg: 'observed must be a string or null', type: 'string_type' });
  }
  if (!present('dream_type')) {
    errors.push({ loc: ['body', 'dream_type'], msg: 'dream_type is required', type: 'missing' });
  } else {
    const ok = bugs.has('enum-lookup')
      ? Boolean(DREAM_TYPE_LOOKUP[body.dream_type])
      : DREAM_TYPES.includes(body.dream_type);
    if (!ok) {
      errors.push({ loc: ['body', 'dream_type'], msg: `dream_type must be one of: ${DREAM_TYPES.join(', ')}`, type: 'enum' });
    }
  }
  return errors;
}

function sameSecret(given, expected) {
  const a = crypto.createHash('sha256').update(given).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}

function requireBearer(token) {
  return (req, res, next) => {
    if (token === undefined) return next();
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(req.get('authorization') ?? '');
    if (match && sameSecret(match[1], token)) return next();
    res.set('WWW-Authenticate', 'Bearer').status(401).json({ detail: 'Not authenticated' });
  };
}

function createApp({ token, bugs }) {
  const app = express();
  app.disable('x-powered-by');

  const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
  const verify = (req, res, buf) => {
    if (/charset\s*=\s*"?utf-?(16|32)/i.test(req.get('content-type') ?? '')) return;
    try {
      strictUtf8.decode(buf);
    } catch {
      const err = new Error('the body is not UTF-8');
      err.type = 'encoding.not_utf8';
      throw err;
    }
  };
  const parseJson = express.json({
    ...(bugs.has('default-limit') ? {} : { limit: '10mb' }),
    ...(bugs.has('lenient-utf8') ? {} : { verify }),
  });

  const route = app.route('/v2/workspaces/:workspace_id/trigger_dream');
  route.post(requireBearer(token), parseJson, (req, res) => {
    const errors = validateTriggerDream(req.body, bugs);
    if (errors.length > 0) return res.status(422).json({ detail: errors });
    // A real server would enqueue the dream for (workspace, observer, observed ?? observer) here.
    if (bugs.has('observer-header')) res.set('X-Dream-Observer', req.body.observer);
    res.status(204).end();
  });
  if (!bugs.has('no-405')) {
    route.all((req, res) => {
      res.set('Allow', 'POST').status(405).json({ detail: 'Method Not Allowed' });
    });
  }

  app.use((req, res) => {
    res.status(404).json({ detail: `Cannot ${req.method} ${req.path}` });
  });

  if (!bugs.has('no-error-handler')) {
    // eslint-disable-next-line no-unused-vars
    app.use((err, req, res, next) => {
      if (res.headersSent) return next(err);
      if (err.type === 'entity.parse.failed' || err.type === 'encoding.not_utf8') {
        return res.status(422).json({ detail: [{ loc: ['body'], msg: err.message, type: err.type }] });
      }
      if (err instanceof URIError && err.status === 400) { // undecodable %-escape in the path
        return res.status(422).json({ detail: [{ loc: ['path', 'workspace_id'], msg: err.message, type: 'uri_decode' }] });
      }
      if (err.expose && err.status >= 400 && err.status < 500) { // 413, 415, aborted requests
        return res.status(err.status).json({ detail: err.message });
      }
      console.error(err);
      res.status(500).json({ detail: 'Internal Server Error' });
    });
  }
  return app;
}

function main() {
  const options = parseOptions(process.argv.slice(2));
  const app = createApp(options);
  const server = app.listen(options.port, options.host, (err) => {
    if (err) usage(`cannot listen on ${options.host}:${options.port}: ${err.message}`);
    const { port } = server.address();
    const host = options.host.includes(':') ? `[${options.host}]` : options.host;
    process.stdout.write(`listening on http://${host}:${port}\n`);
  });
  server.on('error', (err) => usage(`cannot listen on ${options.host}:${options.port}: ${err.message}`));
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (require.main === module) main();

module.exports = { createApp, validateTriggerDream };
