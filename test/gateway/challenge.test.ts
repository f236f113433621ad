// A challenged client through the whole gateway (real detector, a rule that challenges): a
// browser gets the interstitial page, an API client the same challenge as JSON that it can
// pass without a browser, and the pass cookie lets it through on both paths of the gateway.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGatewayService } from '../../src/gateway/service.js';
import { createSystemClock } from '../../src/core/clock.js';
import { workBits } from '../../src/detect/challenge/token.js';
import { requestEvent } from '../../src/gateway/request-event.js';
import type { RequestEvent } from '../../src/gateway/events/types.js';
import { defaultHandler, send, silent, startBackend, testConfig, withCleanup } from './helpers.js';

interface Terms { token: string; difficulty: number; verify_url: string; wait_url: string; wait_seconds: number; solve_within_seconds: number }

function solve(token: string, bits: number): string {
  for (let n = 0; ; n++) if (workBits(token, String(n)) >= bits) return String(n);
}

async function challenging(defer: (c: () => unknown) => void, fastPath: boolean, allowlist: string[] = []) {
  const backend = await startBackend(defaultHandler('app'));
  defer(() => backend.close());
  const config = testConfig({
    backends: { targets: [{ url: backend.url }] },
    gateway: { fastPath },
    detection: {
      enabled: true, minRequestsForScore: 1_000_000,
      policy: { rules: [{ id: 'challenge-all', feature: 'rate_10s', above: -1, minRequests: 1, action: 'challenge' }] },
    },
    challenge: { difficulty: 8 },
    blocking: { allowlist },
  });
  const clock = createSystemClock();
  const events: RequestEvent[] = [];
  const svc = await startGatewayService(config, { logger: silent, clock, onRequestDone: (ctx) => events.push(requestEvent(ctx, 'gw', clock.monotonic())) });
  defer(() => svc.close());
  return { url: `http://127.0.0.1:${svc.port}`, backend, events };
}

for (const fastPath of [true, false]) {
  test(`an API client gets the challenge as JSON and passes it without a browser (fast path ${fastPath ? 'on' : 'off'})`, () => withCleanup(async (defer) => {
    const { url, backend, events } = await challenging(defer, fastPath);
    const client = '127.0.0.31';
    const r = await send(`${url}/api/books?offset=7`, { headers: { accept: 'application/json' }, localAddress: client });
    assert.equal(r.status, 403);
    assert.equal(r.headers['x-shield-action'], 'challenge');
    assert.match(String(r.headers['content-type']), /^application\/json/);
    const body = JSON.parse(r.text) as { action: string; reference: string; message: string; challenge: Terms };
    assert.equal(body.action, 'challenge');
    assert.equal(body.reference, r.headers['x-shield-ref']);
    assert.match(body.message, /browser/);
    const c = body.challenge;
    assert.equal(c.difficulty, 8);
    assert.ok(c.verify_url.startsWith('/_shield/challenge/verify?') && c.wait_url.startsWith('/_shield/challenge/wait?'), JSON.stringify(c));
    assert.equal(backend.seen.length, 0, 'nothing reached the backend');

    const passed = await send(`${url}${c.verify_url}&n=${solve(c.token, c.difficulty)}`, { localAddress: client });
    assert.equal(passed.status, 303);
    assert.equal(passed.headers.location, '/api/books?offset=7');
    const cookie = String(passed.headers['set-cookie']?.[0] ?? '').split(';')[0]!;
    assert.match(cookie, /^shield_pass=/);

    const after = await send(`${url}/api/books?offset=7`, { headers: { accept: 'application/json', cookie }, localAddress: client });
    assert.equal(after.status, 200);
    assert.equal(after.text, 'app');

    // the dashboard hears what the challenge rested on; a request let through carries no features
    const challenged = events.find((e) => e.action === 'challenge' && e.path === '/api/books');
    assert.ok(challenged, JSON.stringify(events));
    assert.equal(challenged.reason, 'challenge-all');
    assert.ok(challenged.features && Number.isFinite(challenged.features.rate_10s), JSON.stringify(challenged.features));
    assert.ok(Object.values(challenged.features).every((v) => Number.isFinite(v)));
    const allowed = events.find((e) => e.action === 'allow' && e.status === 200);
    assert.ok(allowed && allowed.features === undefined, JSON.stringify(allowed));
  }));
}

test('a browser gets the interstitial page, with no word of heavy load', () => withCleanup(async (defer) => {
  const { url } = await challenging(defer, true);
  const r = await send(`${url}/books`, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' }, localAddress: '127.0.0.32' });
  assert.equal(r.status, 403);
  assert.equal(r.headers['x-shield-action'], 'challenge');
  assert.match(String(r.headers['content-type']), /^text\/html/);
  assert.match(r.text, /<h1>Checking your browser<\/h1>/);
  assert.doesNotMatch(r.text, /heavy load/);
}));

for (const fastPath of [true, false]) {
  test(`an allowlisted client is not inspected: the rule that challenges everyone lets it through (fast path ${fastPath ? 'on' : 'off'})`, () => withCleanup(async (defer) => {
    const { url, backend, events } = await challenging(defer, fastPath, ['127.0.0.40/31']);
    for (let i = 0; i < 5; i++) {
      const r = await send(`${url}/api/books?offset=${i}`, { headers: { accept: 'application/json' }, localAddress: '127.0.0.41' });
      assert.equal(r.status, 200, r.text);
    }
    assert.equal(backend.seen.length, 5);
    assert.ok(events.every((e) => e.action === 'allow' && e.features === undefined), JSON.stringify(events));
    const other = await send(`${url}/api/books`, { headers: { accept: 'application/json' }, localAddress: '127.0.0.42' });
    assert.equal(other.status, 403, 'a client off the allowlist is still challenged');
  }));
}
