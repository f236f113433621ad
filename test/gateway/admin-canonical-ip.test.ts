// The admin API and the gateway agree on one text per address: a block written in any spelling
// (uncompressed or upper-case IPv6, IPv4-mapped IPv6) is enforced against real client sockets and
// lifted by an unblock in any other spelling. Also: HEAD on the admin API's GET routes, and the
// whole-minutes rule of duration_minutes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { createGateway } from '../../src/gateway/gateway.js';
import { createAdminServer } from '../../src/admin/admin.js';
import { sendJson } from '../../src/admin/http.js';
import { createSystemClock } from '../../src/core/clock.js';
import { defaultHandler, send, silent, startBackend, startGateway, testConfig, withCleanup, adminCall } from './helpers.js';

const TOKEN = 'test-admin-token-0123456789';

/** True when this host can listen on ::1 (IPv6 loopback); some containers have no IPv6. */
function ipv6Loopback(): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(0, '::1', () => s.close(() => resolve(true)));
  });
}

/** A gateway listening on `host` (::1 or 127.0.0.1) and its admin API on 127.0.0.1. */
async function gatewayOn(defer: (c: () => unknown) => void, host: string) {
  const backend = await startBackend(defaultHandler('app'));
  defer(() => backend.close());
  const config = testConfig({ admin: { token: TOKEN }, backends: { targets: [{ url: backend.url }] } });
  const clock = createSystemClock();
  const gw = createGateway(config, { logger: silent, clock });
  const port = await gw.listen(0, host);
  const admin = createAdminServer(gw, { logger: silent, clock });
  const adminPort = await admin.listen(0, '127.0.0.1');
  defer(() => Promise.all([gw.close(), admin.close()]));
  return { gw, port, adminPort, adminUrl: `http://127.0.0.1:${adminPort}`, url: `http://127.0.0.1:${port}` };
}

const post = (adminUrl: string, path: string, body?: unknown) => send(adminUrl + path, {
  method: 'POST',
  headers: { authorization: `Bearer ${TOKEN}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
  ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
});
const enc = encodeURIComponent;

test('an uncompressed IPv6 block (0:0:0:0:0:0:0:1) is stored as ::1 and refuses a client on ::1', async (t) => {
  if (!(await ipv6Loopback())) { t.skip('::1 is not available on this host (no IPv6 loopback)'); return; }
  await withCleanup(async (defer) => {
    const g = await gatewayOn(defer, '::1');
    const v6url = `http://[::1]:${g.port}/`;
    assert.equal((await send(v6url)).status, 200, 'passes before the block');

    const b = await post(g.adminUrl, `/block/${enc('0:0:0:0:0:0:0:1')}`, { duration_minutes: 5 });
    assert.equal(b.status, 200, b.text);
    assert.equal((JSON.parse(b.text) as { ip: string }).ip, '::1', 'the answer names the canonical address');
    const listed = JSON.parse((await send(`${g.adminUrl}/blocked-ips`)).text) as { ip: string }[];
    assert.deepEqual(listed.map((e) => e.ip), ['::1']);

    const r = await send(v6url);
    assert.equal(r.status, 403, 'a client on ::1 is refused');
    assert.equal(r.headers['x-shield-action'], 'block');

    // unblocked under yet another spelling
    const u = await post(g.adminUrl, `/unblock/${enc('0000::0001')}`);
    assert.equal(u.status, 200, u.text);
    assert.equal((JSON.parse(u.text) as { ip: string }).ip, '::1');
    assert.equal((await send(v6url)).status, 200, 'passes again after the unblock');
  });
});

test('other IPv6 spellings land on one entry: 2001:0db8::6, 2001:DB8:0:0::6, 0000::1', () => withCleanup(async (defer) => {
  const g = await gatewayOn(defer, '127.0.0.1');
  assert.equal((await post(g.adminUrl, `/block/${enc('2001:0db8::6')}`, { duration_minutes: 5 })).status, 200);
  assert.equal((await post(g.adminUrl, `/block/${enc('2001:DB8:0:0::6')}`, { duration_minutes: 5 })).status, 200);
  assert.equal((await post(g.adminUrl, `/block/${enc('0000::1')}`, { duration_minutes: 5 })).status, 200);
  const listed = JSON.parse((await send(`${g.adminUrl}/blocked-ips`)).text) as { ip: string }[];
  assert.deepEqual(listed.map((e) => e.ip).sort(), ['2001:db8::6', '::1']);
  assert.ok(g.gw.blocklist.get('2001:db8::6'), 'found under the form the gateway gives client addresses');
  assert.ok(g.gw.blocklist.get('::1'));
}));

test('::FFFF:127.1.1.1 blocks the client 127.1.1.1, and an unblock in any spelling lifts it', () => withCleanup(async (defer) => {
  const g = await gatewayOn(defer, '127.0.0.1');
  const client = '127.1.1.1';
  assert.equal((await send(g.url + '/', { localAddress: client })).status, 200);

  const b = await post(g.adminUrl, `/block/${enc('::FFFF:127.1.1.1')}`, { duration_minutes: 5 });
  assert.equal(b.status, 200, b.text);
  assert.equal((JSON.parse(b.text) as { ip: string }).ip, client);
  assert.equal((await send(g.url + '/', { localAddress: client })).status, 403, 'the mapped spelling blocks the IPv4 client');
  assert.equal((await send(g.url + '/', { localAddress: '127.1.1.2' })).status, 200, 'another client passes');

  const u = await post(g.adminUrl, `/unblock/${enc('::ffff:127.1.1.1')}`);
  assert.equal(u.status, 200, u.text);
  assert.deepEqual(JSON.parse(u.text), { status: 'unblocked', ip: client });
  assert.equal((await send(g.url + '/', { localAddress: client })).status, 200);

  // and the other way round: blocked as IPv4, unblocked as (hex) IPv4-mapped IPv6
  assert.equal((await post(g.adminUrl, `/block/${client}`, { duration_minutes: 5 })).status, 200);
  const u2 = await post(g.adminUrl, `/unblock/${enc('0:0:0:0:0:FFFF:7F01:101')}`);
  assert.equal(u2.status, 200, u2.text);
  assert.equal((await send(g.url + '/', { localAddress: client })).status, 200);
}));

test('HEAD is answered like GET without a body on every GET route of the admin API', () => withCleanup(async (defer) => {
  const backend = await startBackend(defaultHandler('app'));
  defer(() => backend.close());
  const tg = await startGateway(testConfig({ admin: { token: TOKEN }, backends: { targets: [{ url: backend.url }] } }));
  defer(() => tg.close());
  for (const path of ['/', '/health', '/stats', '/metrics', '/backends', '/blocked-ips', '/allowlist']) {
    const get = await send(tg.adminUrl + path);
    const head = await send(tg.adminUrl + path, { method: 'HEAD' });
    assert.equal(head.status, get.status, `HEAD ${path}`);
    assert.equal(head.body.length, 0, `HEAD ${path} has no body`);
    assert.equal(head.headers['content-type'], get.headers['content-type'], `HEAD ${path} content-type`);
  }
  const h = await send(tg.adminUrl + '/health', { method: 'HEAD' });
  assert.ok(Number(h.headers['content-length']) > 0, 'Content-Length of the GET answer');
  // a mutating route still refuses HEAD, and says HEAD
  const blk = await send(tg.adminUrl + '/block/10.0.0.1', { method: 'HEAD' });
  assert.equal(blk.status, 405);
  const put = await adminCall(tg, 'PUT', '/stats');
  assert.match(put.text, /method PUT not allowed/);
}));

test('HEAD reaches an extra GET route (like GET /clients/{ip} of the detector) as GET, without the body', () => withCleanup(async (defer) => {
  const backend = await startBackend(defaultHandler('app'));
  defer(() => backend.close());
  const config = testConfig({ backends: { targets: [{ url: backend.url }] } });
  const clock = createSystemClock();
  const gw = createGateway(config, { logger: silent, clock });
  await gw.listen(0, '127.0.0.1');
  const admin = createAdminServer(gw, {
    logger: silent, clock,
    routes: [(req, res, path) => {
      if (!path.startsWith('/clients/')) return false;
      if (req.method !== 'GET') { sendJson(res, 405, { error: 'GET only' }); return true; }
      sendJson(res, 200, { client: path.slice('/clients/'.length) });
      return true;
    }],
  });
  const port = await admin.listen(0, '127.0.0.1');
  defer(() => Promise.all([gw.close(), admin.close()]));
  const get = await send(`http://127.0.0.1:${port}/clients/10.0.0.1`);
  const head = await send(`http://127.0.0.1:${port}/clients/10.0.0.1`, { method: 'HEAD' });
  assert.equal(get.status, 200);
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
  assert.equal(head.headers['content-length'], get.headers['content-length']);
}));

test('duration_minutes: whole minutes from 1 to the configured maximum, 400 with the rule otherwise', () => withCleanup(async (defer) => {
  const backend = await startBackend(defaultHandler('app'));
  defer(() => backend.close());
  const tg = await startGateway(testConfig({ admin: { token: TOKEN }, backends: { targets: [{ url: backend.url }] }, blocking: { maxDurationSec: 3600 } }));
  defer(() => tg.close());
  for (const bad of [0.5, 0.02, 1.5, 0, -1, 61, '5', null, true]) {
    const r = await adminCall(tg, 'POST', '/block/203.0.113.20', { token: TOKEN, body: { duration_minutes: bad } });
    assert.equal(r.status, 400, `duration_minutes ${JSON.stringify(bad)}: ${r.text}`);
    assert.match((r.json as { error: string }).error, /duration_minutes must be a whole number of minutes from 1 to 60 \(blocking\.maxDurationSec = 3600 s\)/);
  }
  assert.equal(tg.gw.blocklist.size(), 0, 'nothing blocked by a refused call');
  for (const ok of [1, 60]) {
    const r = await adminCall(tg, 'POST', '/block/203.0.113.21', { token: TOKEN, body: { duration_minutes: ok } });
    assert.equal(r.status, 200, r.text);
    const e = tg.gw.blocklist.get('203.0.113.21');
    assert.equal(e && (e.expiresAt - e.blockedAt) / 1000, ok * 60);
  }
  // without a body: the default duration (in seconds, whatever it is)
  assert.equal((await adminCall(tg, 'POST', '/block/203.0.113.22', { token: TOKEN })).status, 200);
}));
