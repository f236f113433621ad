// Requests at the edges of HTTP/1.1 through the whole gateway: `OPTIONS *` reaches the backend,
// a head ended by bare LFs gets 400 at once, the gateway's raw answers (400/431) carry a message
// like its other answers, and failed upstream exchanges are logged without flooding the log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { createGateway } from '../../src/gateway/gateway.js';
import { createLogger } from '../../src/core/logger.js';
import { createSystemClock } from '../../src/core/clock.js';
import { defaultHandler, rawExchange, rawStatus, send, startBackend, startGateway, testConfig, withCleanup } from './helpers.js';

test('OPTIONS * goes to the backend and its answer comes back', () => withCleanup(async (defer) => {
  const backend = await startBackend((req, res) => {
    res.writeHead(200, { allow: 'GET, HEAD, OPTIONS', 'content-length': '0', 'x-target': req.url ?? '' });
    res.end();
  });
  defer(() => backend.close());
  const tg = await startGateway(testConfig({ backends: { targets: [{ url: backend.url }] } }), { admin: false });
  defer(() => tg.close());
  const text = await rawExchange(tg.port, 'OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', { timeoutMs: 5000 });
  assert.equal(rawStatus(text), 200, text);
  assert.match(text, /x-target: \*\r\n/i);
  assert.match(text, /allow: GET, HEAD, OPTIONS/i);
  assert.equal(backend.seen.at(-1)?.url, '*');
}));

test('a head ended by bare LFs gets 400 at once, with a message', () => withCleanup(async (defer) => {
  const backend = await startBackend(defaultHandler('b'));
  defer(() => backend.close());
  const tg = await startGateway(testConfig({ backends: { targets: [{ url: backend.url }] } }), { admin: false });
  defer(() => tg.close());
  const started = Date.now();
  const text = await rawExchange(tg.port, 'GET / HTTP/1.1\nHost: x\n\n', { timeoutMs: 5000 });
  assert.equal(rawStatus(text), 400, text);
  assert.ok(Date.now() - started < 2000, `answered after ${Date.now() - started} ms`);
  const body = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as { reason: string; message: string; reference: string };
  assert.equal(body.reason, 'bad_request');
  assert.match(body.message, /not valid HTTP/);
  assert.match(text, /content-type: application\/json; charset=utf-8/i);
  assert.equal(backend.seen.length, 0);
}));

test('a request head over the byte limit gets 431 with a message that gives the limit', () => withCleanup(async (defer) => {
  const backend = await startBackend(defaultHandler('b'));
  defer(() => backend.close());
  const tg = await startGateway(testConfig({ backends: { targets: [{ url: backend.url }] }, gateway: { limits: { maxHeaderBytes: 4096 } } }), { admin: false });
  defer(() => tg.close());
  const text = await rawExchange(tg.port, `GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`, { timeoutMs: 5000 });
  assert.equal(rawStatus(text), 431, text.slice(0, 200));
  const body = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as { reason: string; message: string };
  assert.equal(body.reason, 'headers_too_large');
  assert.match(body.message, /4096 bytes/);
}));

test('failed upstream exchanges are logged at warn: the first at once, then one line per window with the count', () => withCleanup(async (defer) => {
  const backend = await startBackend(defaultHandler('b'));
  defer(() => backend.close());
  const lines: Record<string, unknown>[] = [];
  const sink = new PassThrough();
  sink.on('data', (c: Buffer) => { for (const l of c.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>); });
  const clock = createSystemClock();
  const config = testConfig({ backends: { targets: [{ url: backend.url }], failureThreshold: 100 }, logging: { level: 'info' } });
  const gw = createGateway(config, { logger: createLogger({ level: 'info', destination: sink }), clock });
  const port = await gw.listen(0, '127.0.0.1');
  defer(() => gw.close());
  await backend.kill(); // connections refused from now on
  for (let i = 0; i < 5; i++) {
    const r = await send(`http://127.0.0.1:${port}/x`, { headers: { accept: 'application/json' } });
    assert.ok(r.status === 502 || r.status === 503, `status ${r.status}`);
  }
  await new Promise((r) => setTimeout(r, 50));
  const failed = lines.filter((l) => l.msg === 'upstream request failed');
  assert.equal(failed.length, 1, JSON.stringify(failed));
  assert.equal(failed[0]!.level, 40);
  assert.equal(failed[0]!.kind, 'connect');
  assert.equal(failed[0]!.failures, 1);
  assert.match(String(failed[0]!.error), /ECONNREFUSED|connect/);
}));
