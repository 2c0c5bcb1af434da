#!/usr/bin/env node
/**
 * Honcho 2.5.1 `POST /v2/workspaces/{workspace_id}/trigger_dream`, written the Fastify 5 way.
 *
 *   node tests/stacks/fastify_server.js [--port N] [--host H] [--token T] [--bug NAME]...
 *
 * Needs `fastify` (devDependency of /work/main/package.json). Independent of the kit: the body
 * schema below is the OpenAPI document's TriggerDreamRequest, written out by hand.
 *
 * Choices where the document is silent (Fastify's natural behaviour unless said otherwise):
 * - Validation is Fastify's own (route `schema.body`, ajv 8), with ajv's `coerceTypes` turned
 *   OFF (Fastify's default `'array'` would turn 42 into "42"). Fastify keeps ajv's
 *   `allErrors: false`, so a 422 names the FIRST problem only. Each ajv error becomes
 *   `{loc: ["body", ...instancePath, missingProperty?], msg: ajv message, type: ajv keyword}`
 *   (type is required | type | enum). Extra keys are allowed; duplicate keys: the last wins.
 * - JSON parsing is Fastify's default parser (secure-json-parse) for `application/json`
 *   (any parameters; charset ignored, the bytes are always read as UTF-8; a UTF-8 BOM is
 *   stripped, so UTF-16 is malformed JSON). Bytes that are not UTF-8 (RFC 8259 wants it) are
 *   refused before the parser sees them, with 422 `[{loc: ["body"], type: "FST_INVALID_UTF8"}]`:
 *   Fastify's parser would read them as U+FFFD. `__proto__` and
 *   `constructor.prototype` keys are REMOVED (`onProtoPoisoning: 'remove'`), not refused,
 *   because they are valid extra keys. Malformed JSON, NaN/Infinity, an empty JSON body:
 *   the parser's 400 is turned into 422 `[{loc: ["body"], type: <Fastify error code>}]`.
 *   A top-level primitive or array parses, then fails the schema: 422 loc ["body"].
 * - `text/plain` is parsed as a string by Fastify's default text parser, and a bodiless
 *   request validates as null: both fail the schema, 422 loc ["body"]. Any other media type
 *   (form, multipart, xml, octet-stream, `+json`...) or a body without a Content-Type:
 *   Fastify's natural 415 (JSON `{"detail": ...}`). Content-Encoding is ignored (Fastify
 *   does not inflate bodies without a plugin): the bytes are parsed as they come.
 * - `bodyLimit` RAISED from Fastify's 1 MiB to 10 MiB (any string is a valid observer); past
 *   it, Fastify's natural 413 with `Connection: close` (sent before the body is read).
 *   `maxParamLength` raised from 100 to 16 KiB (Node's header limit
 *   bounds the URL anyway) so any workspace_id is routed.
 * - Routing: Fastify defaults: case-sensitive, no trailing-slash match (404). workspace_id is
 *   percent-decoded (`%2F` included) and may be empty (`/v2/workspaces//trigger_dream` is
 *   workspace ""); a URL that is not valid percent-encoding gets Fastify's
 *   own 400 `FST_ERR_BAD_URL` before routing (kept).
 * - Other methods on the path: 405 with `Allow: POST` (a route of its own for every other
 *   method Fastify supports; OPTIONS and HEAD included; a method Fastify does not know, such
 *   as PROPFIND, is not routed: 404). Unknown paths: 404 from
 *   `setNotFoundHandler`. Every error body is JSON with a `detail` key.
 * - Auth (`--token`): a route-level `onRequest` hook (after routing, before the body is read);
 *   401 JSON with `WWW-Authenticate: Bearer`; the scheme name is case-insensitive.
 *
 * Planted bugs (`--bug NAME`, repeatable), each a classic Fastify mistake:
 * - coerce-types: Fastify's default ajv `coerceTypes: 'array'` kept -> numbers, booleans and
 *   null become strings and one-element arrays are unwrapped (`["x"]` -> "x", `["agent"]` ->
 *   "agent"): 204 instead of 422 for wrongly typed observer/observed/dream_type.
 * - validation-400: no 422 mapping in the error handler -> every schema violation gets
 *   Fastify's default 400 `{statusCode, code: "FST_ERR_VALIDATION", error, message}`.
 * - error-handler-500: the error handler only knows `error.validation` and answers 500 for
 *   everything else -> malformed JSON, an empty JSON body, an unsupported media type or a
 *   too-large body (the parser's 400/413/415 errors) get 500.
 * - default-body-limit: Fastify's 1 MiB `bodyLimit` kept -> a valid body over 1,048,576 bytes
 *   (observer of ~1.05M characters and up) gets 413 instead of 204.
 * - max-param-length: find-my-way's default `maxParamLength: 100` kept -> any workspace_id
 *   over 100 characters gets Fastify's 414 FST_ERR_MAX_PARAM_LENGTH instead of 204.
 * - proto-poisoning: Fastify's default `onProtoPoisoning: 'error'` kept -> a body with a
 *   `__proto__` key (or `constructor: {prototype: ...}`) anywhere is "not valid JSON": 422
 *   for a schema-valid request.
 * - min-length: `minLength: 1` added to the string fields "to forbid empty names" -> an
 *   empty observer or observed gets 422 instead of 204.
 * - no-405: no route for the other methods -> they get the 404 handler, no `Allow`.
 * - lenient-utf8: Fastify's default JSON parser kept as it is -> bytes that are not UTF-8
 *   become U+FFFD, so a valid body with one in a string value gets 204 instead of 422.
 */
'use strict';

const crypto = require('node:crypto');
const { parseArgs } = require('node:util');
const Fastify = require('fastify');

const BUGS = new Set(['lenient-utf8', 'coerce-types', 'validation-400', 'error-handler-500', 'default-body-limit',
  'max-param-length', 'proto-poisoning', 'min-length', 'no-405']);
const PATH = '/v2/workspaces/:workspace_id/trigger_dream';
// Fastify's body-parser errors: the request body is not JSON Fastify can read.
const BODY_PARSE_ERRORS = new Set(['FST_ERR_CTP_INVALID_JSON_BODY', 'FST_ERR_CTP_EMPTY_JSON_BODY',
  'FST_INVALID_UTF8']);

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
  process.stderr.write(`fastify_server: error: ${message}\n`);
  process.exit(2);
}

function triggerDreamBody(bugs) {
  const name = bugs.has('min-length') ? { type: 'string', minLength: 1 } : { type: 'string' };
  return {
    type: 'object',
    required: ['observer', 'dream_type'],
    properties: {
      observer: { ...name, description: 'Observer peer name' },
      observed: { ...name, type: ['string', 'null'], description: 'Observed peer name' },
      dream_type: { type: 'string', enum: ['consolidate', 'agent'] },
    },
  };
}

/** One ajv error as an HTTPValidationError item. */
function toDetail(error, context) {
  const loc = [context];
  for (const part of error.instancePath.split('/').slice(1)) {
    loc.push(part.replaceAll('~1', '/').replaceAll('~0', '~'));
  }
  if (error.keyword === 'required') loc.push(error.params.missingProperty);
  return { loc, msg: error.message, type: error.keyword };
}

function sameSecret(given, expected) {
  const a = crypto.createHash('sha256').update(given).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}

function buildApp({ token, bugs }) {
  const app = Fastify({
    logger: false,
    bodyLimit: bugs.has('default-body-limit') ? undefined : 10 * 1024 * 1024,
    onProtoPoisoning: bugs.has('proto-poisoning') ? 'error' : 'remove',
    onConstructorPoisoning: bugs.has('proto-poisoning') ? 'error' : 'remove',
    routerOptions: bugs.has('max-param-length') ? {} : { maxParamLength: 16 * 1024 },
    ajv: { customOptions: bugs.has('coerce-types') ? {} : { coerceTypes: false } },
  });

  if (!bugs.has('lenient-utf8')) {
    const onProto = bugs.has('proto-poisoning') ? 'error' : 'remove';
    const parseJson = app.getDefaultJsonParser(onProto, onProto);
    const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
      let text;
      try {
        text = strictUtf8.decode(body);
      } catch {
        const error = new Error('the body is not UTF-8');
        error.statusCode = 400;
        error.code = 'FST_INVALID_UTF8';
        return done(error, undefined);
      }
      return parseJson(request, text, done);
    });
  }

  app.setErrorHandler((error, request, reply) => {
    if (error.validation && !bugs.has('validation-400')) {
      return reply.code(422).send({ detail: error.validation.map((e) => toDetail(e, error.validationContext)) });
    }
    if (bugs.has('error-handler-500') && !error.validation) {
      return reply.code(500).send({ detail: error.message });
    }
    if (BODY_PARSE_ERRORS.has(error.code)) {
      return reply.code(422).send({ detail: [{ loc: ['body'], msg: error.message, type: error.code }] });
    }
    if (error.statusCode >= 400 && error.statusCode < 500) {
      if (error.validation) return reply.send(error); // validation-400: Fastify's own answer
      return reply.code(error.statusCode).send({ detail: error.message });
    }
    console.error(error);
    return reply.code(500).send({ detail: 'Internal Server Error' });
  });

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({ detail: `Route ${request.method}:${request.url} not found` });
  });

  const requireBearer = async (request, reply) => {
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(request.headers.authorization ?? '');
    if (match && sameSecret(match[1], token)) return;
    reply.code(401).header('WWW-Authenticate', 'Bearer').send({ detail: 'Not authenticated' });
    return reply;
  };

  app.route({
    method: 'POST',
    url: PATH,
    schema: { body: triggerDreamBody(bugs) },
    onRequest: token === undefined ? [] : [requireBearer],
    handler: async (request, reply) => {
      // A real server would enqueue the dream for (workspace, observer, observed ?? observer).
      reply.code(204).send();
    },
  });

  if (!bugs.has('no-405')) {
    app.route({
      method: app.supportedMethods.filter((method) => method !== 'POST'),
      url: PATH,
      exposeHeadRoute: false,
      handler: async (request, reply) => {
        reply.code(405).header('Allow', 'POST').send({ detail: 'Method Not Allowed' });
      },
    });
  }
  return app;
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  const app = buildApp(options);
  try {
    await app.listen({ port: options.port, host: options.host });
  } catch (err) {
    usage(`cannot listen on ${options.host}:${options.port}: ${err.message}`);
  }
  const { port } = app.server.address();
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  process.stdout.write(`listening on http://${host}:${port}\n`);
  const stop = async () => {
    await app.close();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (require.main === module) main();

module.exports = { buildApp };
