// POST /allowlist stores a network as its network address (10.1.2.3/8 is 10.0.0.0/8), says so in
// the answer, keeps no duplicates, and lifts the blocks of the addresses it now covers: an
// allowlisted address is never listed as blocked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adminCall, defaultHandler, send, startBackend, startGateway, testConfig, withCleanup } from './helpers.js';

const TOKEN = 'test-admin-token-0123456789';

interface AllowAnswer { status: string; cidr: string; requested?: string; note?: string; unblocked: string[]; message?: string; allowlist: string[] }

test('POST /allowlist normalises to the network address and stores no duplicate', () => withCleanup(async (defer) => {
  const backend = await startBackend(defaultHandler('app'));
  defer(() => backend.close());
  const tg = await startGateway(testConfig({ admin: { token: TOKEN }, backends: { targets: [{ url: backend.url }] }, blocking: { allowlist: ['10.0.0.0/8'] } }));
  defer(() => tg.close());
  const post = async (cidr: string) => { const r = await adminCall(tg, 'POST', '/allowlist', { token: TOKEN, body: { cidr } }); return { status: r.status, body: r.json as AllowAnswer }; };

  const dup = await post('10.1.2.3/8');
  assert.equal(dup.status, 200);
  assert.equal(dup.body.status, 'already present');
  assert.equal(dup.body.cidr, '10.0.0.0/8');
  assert.equal(dup.body.requested, '10.1.2.3/8');
  assert.match(dup.body.note ?? '', /stored as the network 10\.0\.0\.0\/8/);
  assert.deepEqual(dup.body.allowlist, ['10.0.0.0/8']);

  const host = await post('192.168.1.1');
  assert.equal(host.status, 201);
  assert.equal(host.body.cidr, '192.168.1.1/32');
  const net = await post('172.16.5.9/12');
  assert.equal(net.status, 201);
  assert.equal(net.body.cidr, '172.16.0.0/12');
  assert.equal((await post('172.31.255.255/12')).status, 200, 'the same network written another way');
  const v6 = await post('2001:DB8:0:0:1::7/48');
  assert.equal(v6.status, 201);
  assert.equal(v6.body.cidr, '2001:db8::/48');
  assert.equal((await post('2001:db8::/48')).status, 200);
  assert.deepEqual(((await adminCall(tg, 'GET', '/allowlist')).json as { allowlist: string[] }).allowlist.sort(),
    ['10.0.0.0/8', '172.16.0.0/12', '192.168.1.1/32', '2001:db8::/48']);

  // DELETE finds the entry however it is written
  const del = await adminCall(tg, 'DELETE', `/allowlist/${encodeURIComponent('172.20.0.1/12')}`, { token: TOKEN });
  assert.equal(del.status, 200, del.text);
  assert.equal((del.json as { cidr: string }).cidr, '172.16.0.0/12');
}));

test('allowlisting a blocked address lifts its block, and the answer says so', () => withCleanup(async (defer) => {
  const backend = await startBackend(defaultHandler('app'));
  defer(() => backend.close());
  const tg = await startGateway(testConfig({ admin: { token: TOKEN }, backends: { targets: [{ url: backend.url }] } }));
  defer(() => tg.close());
  const blocked = async () => ((await adminCall(tg, 'GET', '/blocked-ips')).json as { ip: string }[]).map((e) => e.ip).sort();

  for (const ip of ['127.0.0.21', '127.0.0.22', '127.0.0.40']) {
    assert.equal((await adminCall(tg, 'POST', `/block/${ip}`, { token: TOKEN, body: { duration_minutes: 5 } })).status, 200);
  }
  assert.equal((await send(tg.url + '/', { localAddress: '127.0.0.21' })).status, 403);

  const r = await adminCall(tg, 'POST', '/allowlist', { token: TOKEN, body: { cidr: '127.0.0.21/27' } });
  assert.equal(r.status, 201, r.text);
  const a = r.json as AllowAnswer;
  assert.equal(a.cidr, '127.0.0.0/27');
  assert.deepEqual([...a.unblocked].sort(), ['127.0.0.21', '127.0.0.22']);
  assert.match(a.message ?? '', /no longer blocked: .*127\.0\.0\.21/);
  assert.deepEqual(await blocked(), ['127.0.0.40'], 'the covered addresses are not listed as blocked any more');
  assert.equal(tg.gw.blocklist.get('127.0.0.22'), undefined);
  assert.equal((await send(tg.url + '/', { localAddress: '127.0.0.21' })).status, 200);
  assert.equal((await send(tg.url + '/', { localAddress: '127.0.0.40' })).status, 403, 'an address outside the network stays blocked');

  // an address blocked by something else while allowlisted is cleared by the next POST too
  tg.gw.blocklist.block('127.0.0.23', { durationSec: 60, reason: 'detector', source: 'test' });
  const again = await adminCall(tg, 'POST', '/allowlist', { token: TOKEN, body: { cidr: '127.0.0.0/27' } });
  assert.equal(again.status, 200);
  assert.deepEqual((again.json as AllowAnswer).unblocked, ['127.0.0.23']);
  assert.deepEqual(await blocked(), ['127.0.0.40']);
  // nothing to lift: the answer says an empty list and no message
  const none = (await adminCall(tg, 'POST', '/allowlist', { token: TOKEN, body: { cidr: '127.0.0.0/27' } })).json as AllowAnswer;
  assert.deepEqual(none.unblocked, []);
  assert.equal(none.message, undefined);
}));
