import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { createManualClock } from '../../core/clock.js';
import { createChallenge, safeReturnPath } from './challenge.js';
import { workBits } from './token.js';
import { startChallengeSite } from './test-server.js';

const SECRET = 'test-secret-0123456789abcdef';

function solve(token: string, bits: number): string {
  for (let n = 0; ; n++) if (workBits(token, String(n)) >= bits) return String(n);
}

function tokenOf(html: string): string {
  const m = /var token="([^"]+)"/.exec(html);
  assert.ok(m, 'the page carries a challenge token');
  return m[1]!;
}

async function setup(difficulty = 10) {
  const clock = createManualClock(Date.UTC(2026, 0, 1));
  const registry = new Registry();
  const ch = createChallenge({ secret: SECRET, difficulty, ttlSec: 3600, clock, noJsDelaySec: 15, registry });
  const site = await startChallengeSite(ch);
  return { clock, ch, site, registry };
}

test('a plain HTTP client gets the interstitial, and passes only after solving the proof of work', async () => {
  const { site, registry } = await setup();
  try {
    const first = await fetch(`${site.base}/books?page=2`);
    assert.equal(first.status, 403);
    assert.equal(first.headers.get('cache-control'), 'no-store');
    const html = await first.text();
    const token = tokenOf(html);
    assert.match(html, /<noscript><meta http-equiv="refresh"/);

    let bad = 'x'; // a nonce that certainly misses the difficulty
    while (workBits(token, bad) >= 10) bad += 'x';
    const wrong2 = await fetch(`${site.base}/_shield/challenge/verify?c=${encodeURIComponent(token)}&n=${bad}&r=%2F`, { redirect: 'manual' });
    assert.equal(wrong2.status, 400);

    const n = solve(token, 10);
    const ok = await fetch(`${site.base}/_shield/challenge/verify?c=${encodeURIComponent(token)}&n=${n}&r=${encodeURIComponent('/books?page=2')}`, { redirect: 'manual' });
    assert.equal(ok.status, 303);
    assert.equal(ok.headers.get('location'), '/books?page=2');
    const cookie = ok.headers.get('set-cookie') ?? '';
    assert.match(cookie, /^shield_pass=\d+\.[\w-]+; Path=\/; Max-Age=3600; HttpOnly; SameSite=Lax$/);

    const after = await fetch(`${site.base}/books?page=2`, { headers: { cookie: cookie.split(';')[0]! } });
    assert.equal(after.status, 200);
    assert.match(await after.text(), /Welcome/);
    const metrics = await registry.metrics();
    assert.match(metrics, /ddos_shield_challenge_total\{event="passed"\} 1/);
    assert.match(metrics, /ddos_shield_challenge_total\{event="rejected"\} 1/);
  } finally { await site.close(); }
});

test('a token is bound to the client key and the pass cookie expires', async () => {
  const { ch, clock, site } = await setup();
  try {
    const html = await (await fetch(`${site.base}/`)).text();
    const token = tokenOf(html);
    const n = solve(token, 10);
    const res = await fetch(`${site.base}/_shield/challenge/verify?c=${encodeURIComponent(token)}&n=${n}`, { redirect: 'manual' });
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
    const req = (c: string) => c;
    assert.equal(ch.isPassed(req(cookie), '127.0.0.1'), true);
    assert.equal(ch.isPassed(req(cookie), '127.0.0.2'), false, 'another address cannot reuse the cookie');
    assert.equal(ch.isPassed(req(cookie.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))), '127.0.0.1'), false, 'a tampered signature fails');
    assert.equal(ch.isPassed(req('shield_pass=99999999999.abc'), '127.0.0.1'), false);
    clock.advance(3601_000);
    assert.equal(ch.isPassed(req(cookie), '127.0.0.1'), false, 'expired');
  } finally { await site.close(); }
});

test('without JavaScript a patient visitor passes after the wait, an impatient one does not', async () => {
  const { clock, site } = await setup(20);
  try {
    const token = tokenOf(await (await fetch(`${site.base}/x`)).text());
    const early = await fetch(`${site.base}/_shield/challenge/wait?c=${encodeURIComponent(token)}&r=%2Fx`, { redirect: 'manual' });
    assert.equal(early.status, 429);
    assert.equal(early.headers.get('retry-after'), '15');
    assert.equal(early.headers.get('set-cookie'), null);
    clock.advance(15_000);
    const late = await fetch(`${site.base}/_shield/challenge/wait?c=${encodeURIComponent(token)}&r=%2Fx`, { redirect: 'manual' });
    assert.equal(late.status, 303);
    assert.equal(late.headers.get('location'), '/x');
    assert.match(late.headers.get('set-cookie') ?? '', /^shield_pass=/);
    clock.advance(300_001);
    const stale = await fetch(`${site.base}/_shield/challenge/wait?c=${encodeURIComponent(token)}`, { redirect: 'manual' });
    assert.equal(stale.status, 400, 'a token older than the solve window is refused');
  } finally { await site.close(); }
});

test('a forged token and non-GET methods are refused; redirects stay on the site', async () => {
  const { site } = await setup();
  try {
    const forged = await fetch(`${site.base}/_shield/challenge/verify?c=1.abc.0.sig&n=1`, { redirect: 'manual' });
    assert.equal(forged.status, 400);
    const post = await fetch(`${site.base}/_shield/challenge/verify`, { method: 'POST' });
    assert.equal(post.status, 405);
    assert.equal(safeReturnPath('//evil.example/'), '/');
    assert.equal(safeReturnPath('https://evil.example/'), '/');
    assert.equal(safeReturnPath('/\\evil'), '/');
    assert.equal(safeReturnPath('/ok?a=1'), '/ok?a=1');
  } finally { await site.close(); }
});

test('rejects a short secret and an impossible difficulty at construction', () => {
  const clock = createManualClock(0);
  assert.throws(() => createChallenge({ secret: 'short', difficulty: 10, ttlSec: 60, clock }), /16 bytes/);
  assert.throws(() => createChallenge({ secret: SECRET, difficulty: 40, ttlSec: 60, clock }), /difficulty/);
});
