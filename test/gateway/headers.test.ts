// Header rewriting through the gateway: hop-by-hop fields removed both ways, X-Forwarded-* set,
// Host preserved, and X-Forwarded-For believed only from trusted proxies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { send, startBackend, startGateway, testConfig, withCleanup, type Handler } from './helpers.js';

const HOP = ['keep-alive', 'te', 'proxy-connection', 'upgrade', 'x-custom-hop', 'trailer', 'proxy-authorization'];

test('hop-by-hop request headers are removed, X-Forwarded-* set and Host preserved', () => withCleanup(async (defer) => {
  const backend = await startBackend((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.stringify({ body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  defer(() => backend.close());
  const gw = await startGateway(testConfig({ backends: { targets: [{ url: backend.url }] } }), { admin: false });
  defer(() => gw.close());

  const r = await send(`${gw.url}/echo?x=1`, {
    method: 'POST',
    headers: [
      'Host', 'shop.example.test',
      'Connection', 'keep-alive, X-Custom-Hop',
      'Keep-Alive', 'timeout=30',
      'TE', 'trailers',
      'Proxy-Connection', 'keep-alive',
      'Proxy-Authorization', 'Basic Zm9vOmJhcg==',
      'Upgrade', 'h2c',
      'Trailer', 'X-Checksum',
      'X-Custom-Hop', 'secret',
      'X-End-To-End', 'kept',
      'Transfer-Encoding', 'chunked',
    ],
    body: Readable.from([Buffer.from('hello '), Buffer.from('chunked '), Buffer.from('world')]),
  });
  assert.equal(r.status, 200);
  assert.deepEqual(JSON.parse(r.text), { body: 'hello chunked world' }, 'a chunked request body arrives whole');
  const seen = backend.seen.at(-1);
  assert.ok(seen);
  assert.equal(seen.url, '/echo?x=1');
  const h = seen.headers;
  for (const name of HOP) assert.equal(h[name], undefined, `${name} must not reach the backend`);
  assert.ok(!String(h.connection ?? '').toLowerCase().includes('x-custom-hop'), 'Connection of the client is not forwarded');
  assert.equal(h['x-end-to-end'], 'kept');
  assert.equal(h.host, 'shop.example.test', 'Host is preserved');
  assert.equal(h['x-forwarded-for'], '127.0.0.1');
  assert.equal(h['x-forwarded-proto'], 'http');
  assert.equal(h['x-forwarded-host'], 'shop.example.test');
  // the framing is the gateway's own: exactly one of content-length / transfer-encoding
  assert.ok((h['content-length'] === undefined) !== (h['transfer-encoding'] === undefined));
}));

test('hop-by-hop response headers are removed before the client sees them', () => withCleanup(async (defer) => {
  const handler: Handler = (req, res) => {
    req.resume();
    res.setHeader('Connection', 'X-Resp-Hop');
    res.setHeader('X-Resp-Hop', 'internal');
    res.setHeader('Keep-Alive', 'timeout=99');
    res.setHeader('Proxy-Connection', 'keep-alive');
    res.setHeader('Upgrade', 'h2c');
    res.setHeader('X-Resp-Kept', 'yes');
    res.writeHead(200, { 'content-type': 'text/plain' }); // no length: chunked from the backend
    res.write('part one, ');
    res.end('part two');
  };
  const backend = await startBackend(handler);
  defer(() => backend.close());
  const gw = await startGateway(testConfig({ backends: { targets: [{ url: backend.url }] } }), { admin: false });
  defer(() => gw.close());

  const r = await send(`${gw.url}/x`);
  assert.equal(r.status, 200);
  assert.equal(r.text, 'part one, part two');
  assert.equal(r.headers['x-resp-kept'], 'yes');
  assert.equal(r.headers['x-resp-hop'], undefined);
  assert.equal(r.headers['proxy-connection'], undefined);
  assert.equal(r.headers.upgrade, undefined);
  assert.notEqual(r.headers['keep-alive'], 'timeout=99', "the backend's Keep-Alive is not passed on");
  assert.ok(!String(r.headers.connection ?? '').toLowerCase().includes('x-resp-hop'));
}));

test('X-Forwarded-For from an untrusted peer is ignored for the backend and for blocking', () => withCleanup(async (defer) => {
  const backend = await startBackend((req, res) => { req.resume(); res.end(String(req.headers['x-forwarded-for'])); });
  defer(() => backend.close());
  const gw = await startGateway(testConfig({ backends: { targets: [{ url: backend.url }] } }), { admin: false });
  defer(() => gw.close());
  const spoof = { 'x-forwarded-for': '203.0.113.50', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.test' };

  const r = await send(gw.url + '/', { localAddress: '127.0.0.2', headers: spoof });
  assert.equal(r.status, 200);
  assert.equal(r.text, '127.0.0.2', 'the backend sees the real peer only');
  const seen = backend.seen.at(-1)!;
  assert.equal(seen.headers['x-forwarded-proto'], 'http');
  assert.equal(seen.headers['x-forwarded-host'], `127.0.0.1:${gw.port}`);

  // blocking the spoofed address does nothing to this client
  gw.gw.blocklist.block('203.0.113.50', { durationSec: 60, reason: 'test', source: 'test' });
  assert.equal((await send(gw.url + '/', { localAddress: '127.0.0.2', headers: spoof })).status, 200);
  // blocking the real address applies whatever it claims to be
  gw.gw.blocklist.block('127.0.0.2', { durationSec: 60, reason: 'test', source: 'test' });
  const blocked = await send(gw.url + '/', { localAddress: '127.0.0.2', headers: { 'x-forwarded-for': '198.51.100.1' } });
  assert.equal(blocked.status, 403);
  assert.equal(blocked.headers['x-shield-action'], 'block');
  // another loopback client passes
  assert.equal((await send(gw.url + '/', { localAddress: '127.0.0.3' })).status, 200);
}));

test('X-Forwarded-For from a trusted proxy: the right-most untrusted hop is the client', () => withCleanup(async (defer) => {
  const backend = await startBackend((req, res) => { req.resume(); res.end(String(req.headers['x-forwarded-for'])); });
  defer(() => backend.close());
  const gw = await startGateway(testConfig({
    gateway: { trustedProxies: ['127.0.0.1/32'] },
    backends: { targets: [{ url: backend.url }] },
  }), { admin: false });
  defer(() => gw.close());

  const viaProxy = (xff: string) => send(gw.url + '/', { localAddress: '127.0.0.1', headers: { 'x-forwarded-for': xff, 'x-forwarded-proto': 'https' } });

  const r = await viaProxy('203.0.113.7, 198.51.100.9');
  assert.equal(r.status, 200);
  assert.equal(r.text, '203.0.113.7, 198.51.100.9, 127.0.0.1', 'the chain is extended, not replaced');
  assert.equal(backend.seen.at(-1)!.headers['x-forwarded-proto'], 'https', 'a trusted proxy’s proto is kept');

  gw.gw.blocklist.block('198.51.100.9', { durationSec: 60, reason: 'test', source: 'test' });
  const blocked = await viaProxy('203.0.113.7, 198.51.100.9');
  assert.equal(blocked.status, 403, 'the right-most untrusted hop is blocked');
  assert.equal(blocked.headers['x-shield-action'], 'block');
  // trusted hops to the right are skipped
  assert.equal((await viaProxy('198.51.100.9, 127.0.0.1')).status, 403);
  // a left-most (spoofable) hop is not the client
  assert.equal((await viaProxy('198.51.100.9, 203.0.113.7')).status, 200);
  // the same header from an untrusted peer is ignored
  const other = await send(gw.url + '/', { localAddress: '127.0.0.4', headers: { 'x-forwarded-for': '198.51.100.9' } });
  assert.equal(other.status, 200);
  assert.equal(other.text, '127.0.0.4');
}));

test('repeated fields, HEAD, 204 and 304 pass through unchanged', () => withCleanup(async (defer) => {
  const backend = await startBackend((req, res) => {
    req.resume();
    if (req.url === '/empty') { res.writeHead(204, { 'x-kind': 'empty' }); res.end(); return; }
    if (req.url === '/cached') { res.writeHead(304, { etag: '"v1"' }); res.end(); return; }
    const body = JSON.stringify({ cookie: req.headers.cookie, dup: req.rawHeaders.filter((_, i, a) => i % 2 === 1 && a[i - 1]!.toLowerCase() === 'x-dup') });
    res.setHeader('set-cookie', ['a=1; Path=/', 'b=2; Path=/; HttpOnly']);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  defer(() => backend.close());
  const gw = await startGateway(testConfig({ backends: { targets: [{ url: backend.url }] } }), { admin: false });
  defer(() => gw.close());

  const r = await send(gw.url + '/', { headers: ['Host', 'h.test', 'Cookie', 'x=1', 'X-Dup', 'one', 'X-Dup', 'two'] });
  assert.equal(r.status, 200);
  assert.deepEqual(r.headers['set-cookie'], ['a=1; Path=/', 'b=2; Path=/; HttpOnly']);
  assert.deepEqual(JSON.parse(r.text), { cookie: 'x=1', dup: ['one', 'two'] });

  const head = await send(gw.url + '/', { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
  const plain = await send(gw.url + '/');
  assert.equal(head.headers['content-length'], plain.headers['content-length'], 'HEAD keeps the length of the GET');

  const empty = await send(gw.url + '/empty');
  assert.equal(empty.status, 204);
  assert.equal(empty.headers['x-kind'], 'empty');
  const cached = await send(gw.url + '/cached', { headers: { 'if-none-match': '"v1"' } });
  assert.equal(cached.status, 304);
  assert.equal(cached.headers.etag, '"v1"');
  assert.equal(backend.seen.at(-1)!.headers['if-none-match'], '"v1"');
}));
