/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers are checked field by field */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import { createManualClock } from '../../src/core/clock.js';
import { closeServer, listen } from '../../src/core/listen.js';
import { MAX_BATCH } from '../../src/dashboard/schemas.js';
import {
  INGEST_TOKEN, getJson, makeEvent, postJson, postLogs, startTestDashboard, type TestDashboard,
} from './helpers.js';

const T0 = Date.parse('2026-11-23T12:00:00.000Z');

/** The API behaviour every storage backend must show. */
export function apiSuite(kind: 'sqlite' | 'postgres', skip: string | false): void {
  describe(`dashboard API on ${kind}`, { skip }, () => {
    const clock = createManualClock(T0);
    let t: TestDashboard;
    before(async () => { t = await startTestDashboard(kind, clock); });
    after(async () => { await t?.close(); });

    const count = async () => (await getJson<{ total: number }>(t.base, '/api/requests?hours=720', t.cookie)).body.total;

    it('stores the valid events of a batch, rejects the bad ones with reasons, and says how many of each', async () => {
      const good = [
        makeEvent({ at: T0 - 60_000 }),
        makeEvent({ at: T0 - 50_000, source_ip: '203.0.113.5', path: '/login', method: 'POST', prediction: 'DDoS', confidence: 0.95, is_blocked: true, status: 403, action: 'block', reason: 'rate_burst', features: { rate_1s: 120, ua_entropy: 0.1 } }),
        makeEvent({ at: T0 - 40_000, source_ip: '203.0.113.5', path: '/login', method: 'POST', prediction: 'DDoS', confidence: 0.85, is_blocked: true, status: 403, action: 'block', reason: 'rate_burst' }),
        makeEvent({ at: T0 - 30_000, source_ip: '2001:db8::7', path: '/search?q=x', prediction: 'SUSPICIOUS', confidence: 0.6, is_blocked: true, status: 429, action: 'throttle', reason: 'rate' }),
      ];
      const bad = [
        { ...makeEvent(), confidence: 'high' },
        { ...makeEvent(), source_ip: 'not-an-ip' },
        { ...makeEvent(), status: 99 },
        { ...makeEvent(), unexpected: 1 },
        { ...makeEvent({ at: T0 + 3_600_000 }) },
      ];
      const r = await postLogs(t.base, { events: [...good, ...bad] });
      assert.equal(r.status, 200);
      assert.equal(r.body.accepted, 4);
      assert.equal(r.body.rejected, 5);
      const errors = r.body.errors as { index: number; issues: string[] }[];
      assert.deepEqual(errors.map((e) => e.index), [4, 5, 6, 7, 8]);
      assert.match(errors[0]!.issues.join(), /confidence/);
      assert.match(errors[4]!.issues.join(), /future/);
      assert.equal(await count(), 4);
    });

    it('accepts a single event object and a bare array', async () => {
      assert.equal((await postLogs(t.base, makeEvent({ at: T0 - 20_000, path: '/single' }))).body.accepted, 1);
      assert.equal((await postLogs(t.base, [makeEvent({ at: T0 - 10_000, path: '/array' })])).body.accepted, 1);
      assert.equal(await count(), 6);
    });

    it('answers a batch with only bad events with 400 and stores nothing', async () => {
      const r = await postLogs(t.base, [{ nope: true }]);
      assert.equal(r.status, 400);
      assert.equal(r.body.accepted, 0);
      assert.equal(await count(), 6);
    });

    it('refuses a batch above the size limit whole', async () => {
      const big = Array.from({ length: MAX_BATCH + 1 }, () => makeEvent({ at: T0 - 5000 }));
      const r = await postLogs(t.base, big);
      assert.equal(r.status, 413);
      assert.equal(await count(), 6);
    });

    it('refuses ingestion without the ingestion token, and reading with it', async () => {
      assert.equal((await postLogs(t.base, [makeEvent()], 'wrong-token')).status, 401);
      const noAuth = await fetch(`${t.base}/api/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[]' });
      assert.equal(noAuth.status, 401);
      assert.equal((await getJson(t.base, '/api/stats', 'Bearer test-ingest-token-0123456789')).status, 403);
      assert.equal((await getJson(t.base, '/api/stats', '')).status, 401);
      assert.equal(await count(), 6);
    });

    it('computes statistics from the rollups', async () => {
      const { status, body } = await getJson<Record<string, any>>(t.base, '/api/stats?hours=24', t.cookie);
      assert.equal(status, 200);
      assert.equal(body.total_requests, 6);
      assert.equal(body.blocked_requests, 2, 'blocked = action block');
      assert.equal(body.refused_requests, 3, 'refused = block + throttle + challenge');
      assert.equal(body.by_prediction.DDoS.count, 2);
      assert.equal(body.by_prediction.SUSPICIOUS.count, 1);
      assert.equal(body.by_prediction.NORMAL.count, 3);
      assert.equal(body.by_action.block, 2);
      const top = body.top_attacking_ips[0];
      assert.deepEqual([top.ip, top.count, top.requests], ['203.0.113.5', 2, 2]);
      assert.ok(Math.abs(top.avg_confidence - 0.9) < 1e-9);
      assert.equal(body.top_targeted_paths.find((p: { path: string }) => p.path === '/search').count, 1);
      assert.equal(body.by_hour.reduce((a: number, h: { requests: number }) => a + h.requests, 0), 6);
      const ts = await getJson<{ points: { requests: number }[] }>(t.base, '/api/timeseries?hours=1', t.cookie);
      assert.equal(ts.body.points.reduce((a, p) => a + p.requests, 0), 6);
    });

    it('filters, searches and pages the request log', async () => {
      const blocked = await getJson<Record<string, any>>(t.base, '/api/requests?is_blocked=1', t.cookie);
      assert.equal(blocked.body.total, 3);
      const byIp = await getJson<Record<string, any>>(t.base, '/api/requests?source_ip=203.0.113.5&limit=1&page=2', t.cookie);
      assert.equal(byIp.body.total, 2);
      assert.equal(byIp.body.pages, 2);
      assert.equal(byIp.body.requests.length, 1);
      assert.equal(byIp.body.requests[0].confidence_score, 0.95);
      assert.deepEqual(byIp.body.requests[0].features, { rate_1s: 120, ua_entropy: 0.1 });
      const search = await getJson<Record<string, any>>(t.base, '/api/requests?search=sear', t.cookie);
      assert.equal(search.body.total, 1);
      const b = await getJson<Record<string, any>>(t.base, '/api/blocked', t.cookie);
      assert.equal(b.body.total_blocked, 2, 'blocked = action block, not the throttled request');
    });

    it('treats SQL injection attempts in filters as plain values and changes nothing', async () => {
      for (const q of [
        "source_ip=' OR '1'='1", 'search=%25', 'search=_', "search='; DROP TABLE requests; --",
        'gateway_id=gw-1%27%20OR%201%3D1--',
      ]) {
        const r = await getJson<Record<string, any>>(t.base, `/api/requests?${q}`, t.cookie);
        assert.equal(r.status, 200, q);
        assert.equal(r.body.total, 0, q);
      }
      for (const q of ['prediction=NORMAL%27%20OR%201=1', 'is_blocked=1%20OR%201=1', 'hours=24;DROP', 'limit=100000', 'page=0', 'bogus=1']) {
        assert.equal((await getJson(t.base, `/api/requests?${q}`, t.cookie)).status, 400, q);
      }
      assert.equal(await count(), 6);
    });

    it('lists blocked clients with the explanation, raises an alert and lets it be acknowledged', async () => {
      const ips = await getJson<Record<string, any>[]>(t.base, '/api/blocked-ips?hours=24', t.cookie);
      const entry = ips.body.find((x) => x.ip === '203.0.113.5')!;
      assert.equal(entry.block_count, 2);
      assert.equal(entry.status, 'unknown', 'no gateway is known to ask whether it blocks the client');
      assert.equal(entry.reason, 'rate_burst');
      assert.deepEqual(entry.features, { rate_1s: 120, ua_entropy: 0.1 });
      const alerts = await getJson<{ alerts: Record<string, any>[] }>(t.base, '/api/alerts?unacknowledged=1', t.cookie);
      const a = alerts.body.alerts.find((x) => x.source_ip === '203.0.113.5')!;
      assert.equal(a.alert_type, 'DDoS_Detected');
      assert.equal((await postJson(t.base, `/api/alerts/${a.id}/acknowledge`, t.cookie, {})).status, 200);
      assert.equal((await postJson(t.base, '/api/alerts/999999/acknowledge', t.cookie, {})).status, 404);
      const after = await getJson<{ alerts: Record<string, any>[] }>(t.base, '/api/alerts?unacknowledged=1', t.cookie);
      assert.equal(after.body.alerts.some((x) => x.id === a.id), false);
    });

    it('exports the request log as CSV with quoting and formula cells neutralised', async () => {
      await postLogs(t.base, [makeEvent({ at: T0 - 1000, user_agent: '=cmd|"x",y', path: '/csv' })]);
      const res = await fetch(`${t.base}/api/requests.csv?search=%2Fcsv`, { headers: { cookie: t.cookie } });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /text\/csv/);
      const lines = (await res.text()).trim().split('\r\n');
      assert.equal(lines.length, 2);
      assert.match(lines[0]!, /^id,timestamp,source_ip/);
      assert.ok(lines[1]!.includes(`"'=cmd|""x"",y"`), lines[1]);
    });

    it('applies block and unblock on every gateway announced by heartbeat, admin only', async () => {
      const calls: { path: string; auth: string | undefined; body: string }[] = [];
      const blocked = new Set<string>();
      const fake = createServer((req: IncomingMessage, res) => {
        let body = '';
        req.on('data', (c) => { body += c; });
        req.on('end', () => {
          const path = req.url ?? '';
          const json = (status: number, b: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(b));
          // the gateway admin API's answers: a blocklist to read, 404 "not blocked" for an unblock of an address not on it
          if (req.method === 'GET' && path === '/blocked-ips') return json(200, [...blocked].map((ip) => ({ ip, blocked_at: null, expires_at: null, reason: 'manual', source: 'manual' })));
          if (req.method === 'GET') return json(404, { error: `no admin endpoint GET ${path}` });
          calls.push({ path, auth: req.headers.authorization, body });
          const m = /^\/(block|unblock)\/(.+)$/.exec(path);
          if (m?.[1] === 'block') blocked.add(m[2]!);
          if (m?.[1] === 'unblock' && !blocked.delete(m[2]!)) return json(404, { error: `${m[2]} is not blocked`, ip: m[2] });
          json(200, { status: 'ok' });
        });
      });
      const port = await listen(fake, 0, '127.0.0.1');
      try {
        const hb = await postJson(t.base, '/api/heartbeat', 'Bearer test-ingest-token-0123456789', {
          gateway_id: 'gw-1', admin_url: `http://127.0.0.1:${port}`, uptime_seconds: 10, requests_processed: 7, blocked_count: 3,
          backends: [{ url: 'http://127.0.0.1:9000', healthy: true }],
        });
        assert.equal(hb.status, 200);
        const gws = await getJson<{ gateways: Record<string, any>[] }>(t.base, '/api/gateway-status', t.cookie);
        assert.equal(gws.body.gateways[0]!.status, 'healthy');
        assert.equal(gws.body.gateways[0]!.requests_processed, 7);

        const viewerToken = (await postJson<{ token: string }>(t.base, '/api/tokens', t.cookie, { name: 'ro', role: 'viewer' })).body.token;
        assert.equal((await postJson(t.base, '/api/block-ip', `Bearer ${viewerToken}`, { ip: '198.51.100.9' })).status, 403);
        assert.equal((await getJson(t.base, '/api/stats', `Bearer ${viewerToken}`)).status, 200);
        assert.equal(calls.length, 0);

        assert.equal((await postJson(t.base, '/api/block-ip', t.cookie, { ip: "1.2.3.4' OR 1=1" })).status, 400);
        assert.equal((await postJson(t.base, '/api/block-ip', t.cookie, { ip: '198.51.100.9', duration_minutes: -5 })).status, 400);
        const blk = await postJson<Record<string, any>>(t.base, '/api/block-ip', t.cookie, { ip: '198.51.100.9', duration_minutes: 30, reason: 'manual test' });
        assert.equal(blk.status, 200);
        assert.equal(blk.body.status, 'success');
        assert.deepEqual(calls.map((c) => c.path), ['/block/198.51.100.9']);
        assert.deepEqual(JSON.parse(calls[0]!.body), { duration_minutes: 30, reason: 'manual test' });
        let list = await getJson<Record<string, any>[]>(t.base, '/api/blocked-ips', t.cookie);
        assert.equal(list.body.find((x) => x.ip === '198.51.100.9')!.status, 'active');

        const unb = await postJson<Record<string, any>>(t.base, '/api/unblock-ip', t.cookie, { ip: '198.51.100.9' });
        assert.equal(unb.status, 200);
        assert.deepEqual(calls.map((c) => c.path), ['/block/198.51.100.9', '/unblock/198.51.100.9']);
        list = await getJson<Record<string, any>[]>(t.base, '/api/blocked-ips', t.cookie);
        assert.equal(list.body.find((x) => x.ip === '198.51.100.9')!.status, 'unblocked');
        const hist = await getJson<Record<string, any>>(t.base, '/api/block-history?ip=198.51.100.9', t.cookie);
        assert.deepEqual(hist.body.actions.map((a: { action: string }) => a.action), ['unblock', 'block']);
        assert.equal(hist.body.actions[1].results[0].ok, true);

        // allowlisting unblocks and puts the address on every gateway's allowlist
        const allow = await postJson<Record<string, any>>(t.base, '/api/unblock-ip', t.cookie, { ip: '198.51.100.10', allowlist: true });
        assert.equal(allow.status, 200);
        assert.deepEqual(calls.slice(2).map((c) => c.path), ['/unblock/198.51.100.10', '/allowlist']);
        assert.deepEqual(JSON.parse(calls[3]!.body), { cidr: '198.51.100.10' });
      } finally {
        await closeServer(fake);
      }
    });

    it('lets an admin add operators who log in with their role; bad or duplicate users change nothing', async () => {
      const viewer = { username: 'ops.viewer', password: 'long-enough-secret', role: 'viewer' };
      assert.equal((await postJson(t.base, '/api/users', t.cookie, viewer)).status, 201);
      const dup = await postJson<{ error: string }>(t.base, '/api/users', t.cookie, { ...viewer, password: 'another-long-secret', role: 'admin' });
      assert.equal(dup.status, 409);
      const bad = await postJson<{ error: string; details?: unknown }>(t.base, '/api/users', t.cookie, { username: "x' OR 1=1 --", password: 'short', role: 'root' });
      assert.equal(bad.status, 400);
      const users = (await getJson<{ users: { username: string; role: string }[] }>(t.base, '/api/users', t.cookie)).body.users;
      assert.deepEqual(users.map((u) => [u.username, u.role]), [['admin', 'admin'], ['ops.viewer', 'viewer']]);
      assert.ok(!JSON.stringify(users).includes('scrypt'), 'no password hashes in the list');
      const login = await fetch(`${t.base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: viewer.username, password: viewer.password }) });
      assert.equal(login.status, 200, 'the duplicate did not change the password');
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
      assert.equal((await getJson(t.base, '/api/stats', cookie)).status, 200);
      assert.equal((await postJson(t.base, '/api/block-ip', cookie, { ip: '198.51.100.77' })).status, 403, 'a viewer does not block');
      assert.equal((await postJson(t.base, '/api/users', cookie, { username: 'sneaky', password: 'long-enough-secret', role: 'admin' })).status, 403);
      assert.equal((await getJson(t.base, '/api/users', cookie)).status, 403);
    });

    it('rate limits logins per client address', async () => {
      const login = (password: string) => fetch(`${t.base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
      const statuses: number[] = [];
      for (let i = 0; i < 11; i++) statuses.push((await login('wrong-password')).status);
      assert.deepEqual(statuses.slice(0, 10), Array(10).fill(401));
      assert.equal(statuses[10], 429);
      assert.equal((await login('correct-horse-battery')).status, 429);
    });

    it('sets an HttpOnly SameSite session cookie and needs JSON for login', async () => {
      clock.advance(16 * 60_000);
      const res = await fetch(`${t.base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'correct-horse-battery' }) });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('set-cookie') ?? '', /HttpOnly; SameSite=Strict/);
      const form = await fetch(`${t.base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'username=admin' });
      assert.equal(form.status, 415);
      assert.equal(res.headers.get('access-control-allow-origin'), null);
    });

    it('serves the OpenAPI document and Prometheus metrics', async () => {
      const doc = await (await fetch(`${t.base}/api/docs`)).json() as { openapi: string; paths: Record<string, unknown> };
      assert.equal(doc.openapi, '3.1.0');
      for (const p of ['/api/logs', '/api/stats', '/api/block-ip', '/api/gateway-status', '/api/alerts/{id}/acknowledge']) assert.ok(doc.paths[p], p);
      const metrics = await (await fetch(`${t.base}/metrics`)).text();
      assert.match(metrics, /ddos_shield_dashboard_events_total\{result="stored"\} \d+/);
      assert.match(metrics, /ddos_shield_dashboard_events_total\{result="rejected"\} \d+/);
    });

    it('keeps raw rows for 24 h while the rollups keep the totals', async () => {
      const token = `Bearer ${(await postJson<{ token: string }>(t.base, '/api/tokens', t.cookie, { name: 'ops', role: 'admin' })).body.token}`;
      const before = (await getJson<Record<string, any>>(t.base, '/api/stats?hours=720', token)).body.total_requests;
      const rows = async () => (await getJson<{ total: number }>(t.base, '/api/requests?hours=720', token)).body.total;
      assert.ok(await rows() > 0);
      clock.advance(25 * 3_600_000);
      await t.h.runRetention();
      assert.equal(await rows(), 0);
      const after = (await getJson<Record<string, any>>(t.base, '/api/stats?hours=720', token)).body.total_requests;
      assert.equal(after, before);
    });
  });

  describe(`dashboard gateway errors and per-action heartbeats on ${kind}`, { skip }, () => {
    const clock = createManualClock(T0);
    let t: TestDashboard;
    before(async () => { t = await startTestDashboard(kind, clock); });
    after(async () => { await t?.close(); });

    it('stores gateway errors as action error and counts them apart: not allowed, not refused', async () => {
      const at = T0 - 90_000;
      const events = [
        makeEvent({ at, source_ip: '192.0.2.1' }),
        makeEvent({ at, source_ip: '192.0.2.1', path: '/up' }),
        makeEvent({ at, source_ip: '203.0.113.9', action: 'block', is_blocked: true, status: 403, prediction: 'DDoS', confidence: 0.95, reason: 'rate_burst' }),
        makeEvent({ at, source_ip: '203.0.113.9', action: 'throttle', is_blocked: true, status: 429, prediction: 'DDoS', confidence: 0.8, reason: 'rate' }),
        makeEvent({ at, source_ip: '198.51.100.50', path: '/down', action: 'error', is_blocked: false, status: 502, reason: 'upstream_connect' }),
        makeEvent({ at, source_ip: '198.51.100.50', path: '/down', action: 'error', is_blocked: false, status: 504, reason: 'upstream_timeout' }),
        // a sender that calls its error "blocked": counted by its action all the same
        makeEvent({ at, source_ip: '198.51.100.50', path: '/down', action: 'error', is_blocked: 1 as unknown as boolean, status: 503, reason: 'no_healthy_backend' }),
        // an older gateway: its own 502 as allow, still valid
        makeEvent({ at, source_ip: '192.0.2.2', path: '/down', action: 'allow', is_blocked: false, status: 502, reason: '' }),
      ];
      const r = await postLogs(t.base, { events });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.accepted, events.length);
      assert.equal(r.body.stored, events.length);

      const s = (await getJson<Record<string, any>>(t.base, '/api/stats?hours=1', t.cookie)).body;
      assert.equal(s.total_requests, 8);
      assert.deepEqual(s.by_action, { allow: 3, challenge: 0, throttle: 1, block: 1, error: 3 });
      assert.equal(s.blocked_requests, 1);
      assert.equal(s.refused_requests, 2, 'errors are not refused');
      assert.equal(s.error_requests, 3);
      assert.equal(s.normal_requests, 3, 'errors are not allowed');
      assert.equal(s.error_rate, 3 / 8);
      assert.equal(s.refusal_rate, 2 / 8);
      assert.equal(s.by_hour.reduce((a: number, h: any) => a + h.errors, 0), 3);
      assert.equal(s.by_hour.reduce((a: number, h: any) => a + h.refused, 0), 2);
      assert.deepEqual(s.top_attacking_ips.map((x: any) => [x.ip, x.refused]), [['203.0.113.9', 2]], 'a client with only errors is no attacker');
      assert.equal(s.top_targeted_paths.find((p: any) => p.path === '/down').refused, 0);
      const ts = (await getJson<any>(t.base, '/api/timeseries?hours=1', t.cookie)).body;
      assert.equal(ts.points.reduce((a: number, p: any) => a + p.errors, 0), 3);
      assert.equal(ts.points.reduce((a: number, p: any) => a + p.refused, 0), 2);

      const errs = (await getJson<any>(t.base, '/api/requests?action=error', t.cookie)).body;
      assert.equal(errs.total, 3);
      assert.deepEqual(errs.requests.map((x: any) => x.response_status_code).sort(), [502, 503, 504]);
      assert.equal((await getJson<any>(t.base, '/api/blocked', t.cookie)).body.total_blocked, 1);
      const ips = (await getJson<any[]>(t.base, '/api/blocked-ips', t.cookie)).body;
      assert.deepEqual(ips.map((x) => x.ip), ['203.0.113.9']);

      const doc = await (await fetch(`${t.base}/api/docs`)).json() as any;
      const logs = doc.paths['/api/logs'].post.requestBody.content['application/json'].schema;
      assert.match(JSON.stringify(logs), /"error"/, 'the event schema lists the error action');
      assert.match(doc.paths['/api/stats'].get.responses[200].description, /error_requests.*normal_requests/);
      assert.ok(JSON.stringify(doc.paths['/api/heartbeat'].post.requestBody).includes('error_count'));
    });

    it('counts each action apart in the live ticks', async () => {
      const ac = new AbortController();
      const res = await fetch(`${t.base}/api/live`, { headers: { cookie: t.cookie }, signal: ac.signal });
      assert.equal(res.status, 200);
      const reader = res.body!.getReader();
      const dec = new TextDecoder();
      let buf = '';
      /** The next tick of the stream. */
      const nextTick = async (): Promise<any> => {
        for (;;) {
          const m = /event: tick\ndata: (.*)\n\n/.exec(buf);
          if (m) { buf = buf.slice(m.index + m[0].length); return JSON.parse(m[1]!); }
          const { value, done } = await reader.read();
          if (done) throw new Error('live stream ended');
          buf += dec.decode(value, { stream: true });
        }
      };
      try {
        await nextTick(); // the counts of the earlier tests' batches went out with it (one batch is counted at once)
        const at = T0 - 30_000;
        await postLogs(t.base, [
          makeEvent({ at }), makeEvent({ at, action: 'block', is_blocked: true, status: 403 }),
          makeEvent({ at, action: 'challenge', is_blocked: true, status: 403 }), makeEvent({ at, action: 'error', status: 502 }),
        ]);
        let tick = await nextTick();
        while (tick.total === 0) tick = await nextTick();
        assert.deepEqual([tick.total, tick.blocked, tick.refused, tick.errors], [4, 1, 2, 1]);
        assert.deepEqual(tick.events.map((e: any) => e.action), ['allow', 'block', 'challenge', 'error']);
      } finally {
        ac.abort();
        await reader.cancel().catch(() => {});
      }
    });

    it('takes each action apart from new heartbeats, and the sum of refusals from older ones', async () => {
      const hb = (body: Record<string, unknown>) => postJson(t.base, '/api/heartbeat', `Bearer ${INGEST_TOKEN}`,
        { gateway_id: 'gw-hb', uptime_seconds: 9, requests_processed: 40, ...body });
      const status = async () => (await getJson<any>(t.base, '/api/gateway-status', t.cookie)).body.gateways.find((g: any) => g.id === 'gw-hb');

      assert.equal((await hb({ blocked_count: 11 })).status, 200);
      let g = await status();
      assert.deepEqual([g.blocked_count, g.refused_count, g.heartbeat_actions], [11, 11, null], 'an older gateway: blocked_count is its sum of refusals');

      assert.equal((await hb({ blocked_count: 2, throttled_count: 3, challenged_count: 1, error_count: 4 })).status, 200);
      g = await status();
      assert.equal(g.blocked_count, 2);
      assert.equal(g.refused_count, 6);
      assert.deepEqual(g.heartbeat_actions, { block: 2, throttle: 3, challenge: 1, error: 4 });
      assert.equal(g.actions, null);
      assert.equal(g.actions_error, 'no admin URL announced');

      const bad = await hb({ blocked_count: 2, throttled_count: -1 });
      assert.equal(bad.status, 400);
      assert.match(JSON.stringify(bad.body), /throttled_count/);
      assert.deepEqual((await status()).heartbeat_actions, { block: 2, throttle: 3, challenge: 1, error: 4 }, 'a bad heartbeat changes nothing');

      assert.equal((await hb({ blocked_count: 7 })).status, 200);
      g = await status();
      assert.deepEqual([g.refused_count, g.heartbeat_actions], [7, null], 'the gateway went back to an older version');
    });
  });
}
