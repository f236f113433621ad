import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createSystemClock } from '../core/clock.js';
import { closeServer, listen } from '../core/listen.js';
import { createLabClient } from './http-client.js';
import { classify, labelOfClientId, type RequestResult } from './types.js';

test('classify tells backend, gateway actions, proxy refusals and proxy errors apart', () => {
  assert.equal(classify(200, { 'x-lab-sink': '1' }), 'backend');
  assert.equal(classify(404, { 'x-lab-sink': '1' }), 'backend');
  assert.equal(classify(429, { 'x-lab-sink': '1' }), 'backend');
  assert.equal(classify(403, { 'x-shield-action': 'block' }), 'block');
  assert.equal(classify(429, { 'x-shield-action': 'throttle' }), 'throttle');
  assert.equal(classify(200, { 'x-shield-action': 'challenge' }), 'challenge');
  assert.equal(classify(502, { 'x-shield-action': 'error' }), 'proxy-error');
  assert.equal(classify(429, {}), 'reject');
  assert.equal(classify(503, {}), 'reject');
  assert.equal(classify(502, {}), 'proxy-error');
  // A site the lab did not start (URL target): no stamp is the site's own answer, unless a refusal or a 5xx.
  assert.equal(classify(200, {}, 'site'), 'backend');
  assert.equal(classify(302, {}, 'site'), 'backend');
  assert.equal(classify(401, {}, 'site'), 'backend');
  assert.equal(classify(403, {}, 'site'), 'backend');
  assert.equal(classify(404, {}, 'site'), 'backend');
  assert.equal(classify(429, {}, 'site'), 'reject');
  assert.equal(classify(503, {}, 'site'), 'reject');
  assert.equal(classify(500, {}, 'site'), 'proxy-error');
  assert.equal(classify(403, { 'x-shield-action': 'block' }, 'site'), 'block');
  assert.equal(classify(429, { 'x-shield-action': 'throttle' }, 'site'), 'throttle');
  assert.equal(classify(200, { 'x-shield-action': 'challenge' }, 'site'), 'challenge');
  assert.equal(classify(404, { 'x-shield-action': 'error' }, 'site'), 'proxy-error');
  assert.equal(classify(200, {}), 'proxy-error', 'in front of the sink, an unstamped 200 is not the backend\'s');
  assert.equal(labelOfClientId('attack/x/1'), 'attack');
  assert.equal(labelOfClientId('benign/x/1'), 'benign');
  assert.equal(labelOfClientId('curl'), 'untagged');
});

test('the lab client classifies real answers over real sockets, and a refused connection as an error', async () => {
  const server = createServer((req, res) => {
    if (req.url === '/sink') res.setHeader('x-lab-sink', '1');
    if (req.url === '/blocked') res.setHeader('x-shield-action', 'block');
    res.statusCode = req.url === '/limited' ? 429 : req.url === '/blocked' ? 403 : 200;
    res.end('x');
  });
  const port = await listen(server, 0, '127.0.0.1');
  const clock = createSystemClock();
  const got: RequestResult[] = [];
  const client = createLabClient({ target: `http://127.0.0.1:${port}`, clientId: 'attack/t/0', label: 'attack', clock, origin: clock.monotonic(), onResult: (r) => got.push(r) });
  try {
    assert.equal((await client.send({ path: '/sink' })).outcome, 'backend');
    assert.equal((await client.send({ path: '/blocked' })).outcome, 'block');
    assert.equal((await client.send({ path: '/limited' })).outcome, 'reject');
  } finally {
    await client.close();
    await closeServer(server);
  }
  const dead = createLabClient({ target: `http://127.0.0.1:${port}`, clientId: 'attack/t/1', label: 'attack', clock, origin: clock.monotonic(), onResult: (r) => got.push(r) });
  try {
    const r = await dead.send({ path: '/' });
    assert.equal(r.outcome, 'error');
    assert.equal(r.status, 0);
    assert.ok(r.error, 'an error code is kept');
  } finally {
    await dead.close();
  }
  assert.deepEqual(got.map((r) => r.outcome), ['backend', 'block', 'reject', 'error']);
});
