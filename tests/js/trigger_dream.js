// Drive the Honcho npm SDK (@honcho-ai/core) against a mock, as a client would.
//
//   node tests/js/trigger_dream.js '<JSON>'
//
// The JSON is a list of calls: {"baseURL", "apiKey"?, "maxRetries"?, "workspace", "body",
// "headers"?}. For each call one line of JSON is printed: {"ok": true} when the promise
// resolves, else {"ok": false, "name": <error class>, "status": <HTTP status>,
// "error": <the parsed error body>}.
'use strict';

const { Honcho } = require('@honcho-ai/core');

async function call(spec) {
  const client = new Honcho({
    baseURL: spec.baseURL,
    apiKey: spec.apiKey ?? null,
    maxRetries: spec.maxRetries ?? 2,
    timeout: spec.timeoutMs ?? 10000,
  });
  try {
    await client.workspaces.triggerDream(spec.workspace, spec.body, { headers: spec.headers ?? {} });
    return { ok: true };
  } catch (error) {
    return {
      ok: false,
      name: error.constructor.name,
      status: error.status ?? null,
      error: error.error ?? null,
    };
  }
}

async function main() {
  const calls = JSON.parse(process.argv[2]);
  for (const spec of calls) {
    process.stdout.write(JSON.stringify(await call(spec)) + '\n');
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(String(error && error.stack ? error.stack : error) + '\n');
    process.exit(1);
  },
);
