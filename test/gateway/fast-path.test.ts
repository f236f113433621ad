// The fast path on real sockets: keep-alive reuse on both sides, pipelining, hand-over to node:http
// in the middle of a connection, every response framing, upstream failures and head timeouts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createNetServer, connect, type AddressInfo, type Socket } from 'node:net';
import { defaultHandler, metricValue, rawExchange, rawStatus, startBackend, startGateway, testConfig, withCleanup, until } from './helpers.js';

/** A raw TCP backend that answers every request head with `answer` (or stays silent when it returns null). */
async function rawBackend(answer: (head: string) => string | null, opts: { closeAfter?: boolean } = {}) {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createNetServer((s) => {
    connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString('latin1');
      let end: number;
      while ((end = buf.indexOf('\r\n\r\n')) >= 0) {
        const head = buf.slice(0, end);
        buf = buf.slice(end + 4);
        const a = answer(head);
        if (a === null) continue;
        if (opts.closeAfter) s.end(a); else s.write(a);
      }
    });
    s.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    get connections() { return connections; },
    close: () => new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
  };
}

/** Opens one client connection and returns a function that sends bytes and waits for `n` complete responses. */
function clientConnection(port: number) {
  const sock = connect({ port, host: '127.0.0.1' });
  let got = '';
  sock.on('data', (d) => { got += d.toString('latin1'); });
  const responses = () => got.split(/(?=HTTP\/1\.1 \d{3} )/).filter(Boolean);
  return {
    sock,
    async exchange(data: string, n: number, from = 0): Promise<string[]> {
      sock.write(data);
      await until(`${n} responses`, () => responses().length >= from + n && /\r\n\r\n/.test(responses()[from + n - 1] ?? ''));
      return responses().slice(from, from + n);
    },
    text: () => got,
  };
}

test('keep-alive requests take the fast path and share one upstream connection', () => withCleanup(async (defer) => {
  const backend = await startBackend(defaultHandler('fast'));
  defer(() => backend.close());
  let upstreamConnections = 0;
  backend.server.on('connection', () => upstreamConnections++);
  const tg = await startGateway(testConfig({ backends: { targets: [{ url: backend.url }] } }), { admin: false });
  defer(() => tg.close());

  const c = clientConnection(tg.port);
  defer(() => c.sock.destroy());
  for (let i = 0; i < 5; i++) {
    const [r] = await c.exchange(`GET /item/${i} HTTP/1.1\r\nHost: shop.test\r\nUser-Agent: t\r\n\r\n`, 1, i);
    assert.equal(rawStatus(r!), 200);
    assert.match(r!, /\r\n\r\nfast$/);
    assert.doesNotMatch(r!, /\r\nconnection: close/i);
  }
  assert.equal(upstreamConnections, 1, 'one upstream keep-alive connection carried all five');
  assert.deepEqual(backend.seen.map((s) => s.url), ['/item/0', '/item/1', '/item/2', '/item/3', '/item/4']);
  assert.equal(backend.seen[0]!.headers['x-forwarded-for'], '127.0.0.1');
  assert.equal(backend.seen[0]!.headers['x-forwarded-host'], 'shop.test');
  const m = await tg.gw.metrics.registry.metrics();
  assert.equal(metricValue(m, 'ddos_shield_fast_path_requests_total'), 5);
  assert.equal(metricValue(m, 'ddos_shield_requests_total'), 5);
}));

test('pipelined requests are answered in order; a POST hands the connection to node:http, body intact', () => withCleanup(async (defer) => {
  const backend = await startBackend((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      const body = `${req.method} ${req.url} ${Buffer.concat(chunks).toString()}`;
      res.writeHead(200, { 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  defer(() => backend.close());
  const tg = await startGateway(testConfig({ backends: { targets: [{ url: backend.url }] } }), { admin: false });
  defer(() => tg.close());

  const c = clientConnection(tg.port);
  defer(() => c.sock.destroy());
  const rs = await c.exchange(
    'GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n' +
    'POST /c HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello' +
    'GET /d HTTP/1.1\r\nHost: x\r\n\r\n', 4);
  assert.deepEqual(rs.map((r) => r.slice(r.indexOf('\r\n\r\n') + 4)), ['GET /a ', 'GET /b ', 'POST /c hello', 'GET /d ']);
  const m = await tg.gw.metrics.registry.metrics();
  assert.equal(metricValue(m, 'ddos_shield_fast_path_requests_total'), 2);
  assert.equal(metricValue(m, 'ddos_shield_fast_path_handovers_total', { reason: 'method' }), 1);
  assert.equal(metricValue(m, 'ddos_shield_requests_total'), 4);
}));

test('chunked, close-delimited, HEAD and 304 responses reach the client framed right', () => withCleanup(async (defer) => {
  const chunked = await rawBackend((head) => head.startsWith('HEAD')
    ? 'HTTP/1.1 200 OK\r\nContent-Length: 42\r\nX-Kind: head\r\n\r\n'
    : head.includes('/304')
      ? 'HTTP/1.1 304 Not Modified\r\nETag: "v1"\r\n\r\n'
      : 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive, X-Hop\r\nX-Hop: secret\r\n\r\n4\r\nabcd\r\n3\r\nefg\r\n0\r\n\r\n');
  defer(() => chunked.close());
  const tg = await startGateway(testConfig({ backends: { targets: [{ url: chunked.url }] } }), { admin: false });
  defer(() => tg.close());
  const c = clientConnection(tg.port);
  defer(() => c.sock.destroy());
  const [r1] = await c.exchange('GET /chunked HTTP/1.1\r\nHost: x\r\n\r\n', 1);
  assert.match(r1!, /\r\nTransfer-Encoding: chunked\r\n/);
  assert.doesNotMatch(r1!, /X-Hop/i, 'fields named in Connection are removed');
  await until('the whole chunked body', () => c.text().endsWith('0\r\n\r\n'));
  assert.ok(c.text().includes('\r\n\r\n4\r\nabcd\r\n3\r\nefg\r\n0\r\n\r\n'));
  const [r2] = await c.exchange('HEAD /h HTTP/1.1\r\nHost: x\r\n\r\n', 1, 1);
  assert.match(r2!, /Content-Length: 42\r\n/);
  assert.ok(r2!.endsWith('\r\n\r\n'), 'no body after a HEAD answer');
  const [r3] = await c.exchange('GET /304 HTTP/1.1\r\nHost: x\r\n\r\n', 1, 2);
  assert.equal(rawStatus(r3!), 304);
  assert.equal(chunked.connections, 1, 'all three over one upstream connection');

  const eof = await rawBackend(() => 'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end', { closeAfter: true });
  defer(() => eof.close());
  const tg2 = await startGateway(testConfig({ backends: { targets: [{ url: eof.url }] } }), { admin: false });
  defer(() => tg2.close());
  const text = await rawExchange(tg2.port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', { timeoutMs: 5000 });
  assert.equal(rawStatus(text), 200);
  assert.match(text, /\r\nConnection: close\r\n/);
  assert.ok(text.endsWith('\r\n\r\nuntil the end'), 'the body up to the backend closing, then the client connection closes');
}));

test('a malformed upstream answer is a 502, a silent backend a 504, and the client connection lives on', () => withCleanup(async (defer) => {
  const bad = await rawBackend((head) => head.includes('/slow') ? null : 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nx');
  defer(() => bad.close());
  const tg = await startGateway(testConfig({ backends: { targets: [{ url: bad.url }], upstream: { headersTimeoutMs: 300 } } }), { admin: false });
  defer(() => tg.close());
  const c = clientConnection(tg.port);
  defer(() => c.sock.destroy());
  const [r1] = await c.exchange('GET /bad HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\n\r\n', 1);
  assert.equal(rawStatus(r1!), 502);
  assert.match(r1!, /x-shield-action: error/);
  await until('the 502 body', () => c.text().includes('upstream_protocol'));
  const [r2] = await c.exchange('GET /slow HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\n\r\n', 1, 1);
  assert.equal(rawStatus(r2!), 504);
  const m = await tg.gw.metrics.registry.metrics();
  assert.equal(metricValue(m, 'ddos_shield_decisions_total', { action: 'error', reason: 'upstream_timeout' }), 1);
  assert.equal(metricValue(m, 'ddos_shield_upstream_errors_total', { backend: bad.url, kind: 'protocol' }), 1);
}));

test('Connection: close from the client closes after the answer; a head that stalls gets 408', () => withCleanup(async (defer) => {
  const backend = await startBackend(defaultHandler('b'));
  defer(() => backend.close());
  const tg = await startGateway(testConfig({ backends: { targets: [{ url: backend.url }] }, gateway: { timeouts: { headersMs: 300 } } }), { admin: false });
  defer(() => tg.close());
  const closed = await rawExchange(tg.port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', { timeoutMs: 5000 });
  assert.equal(rawStatus(closed), 200);
  assert.ok(closed.endsWith('\r\n\r\nb'), 'answered, then the gateway closed the connection');
  const stalled = await rawExchange(tg.port, 'GET / HTTP/1.1\r\nHost: x\r\n', { timeoutMs: 5000 });
  assert.equal(rawStatus(stalled), 408);
  const m = await tg.gw.metrics.registry.metrics();
  assert.equal(metricValue(m, 'ddos_shield_rejected_total', { reason: 'request_timeout' }), 1);
}));

test('with fastPath off every request goes through node:http', () => withCleanup(async (defer) => {
  const backend = await startBackend(defaultHandler('slow-path'));
  defer(() => backend.close());
  const tg = await startGateway(testConfig({ backends: { targets: [{ url: backend.url }] }, gateway: { fastPath: false } }), { admin: false });
  defer(() => tg.close());
  const text = await rawExchange(tg.port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', { timeoutMs: 5000 });
  assert.equal(rawStatus(text), 200);
  const m = await tg.gw.metrics.registry.metrics();
  assert.equal(metricValue(m, 'ddos_shield_fast_path_requests_total'), 0);
  assert.equal(metricValue(m, 'ddos_shield_requests_total'), 1);
}));

test("the gateway's own answers on the fast path are framed right, pages with their own headers too", () => withCleanup(async (defer) => {
  const backend = await startBackend(defaultHandler('b'));
  defer(() => backend.close());
  const page = '<!doctype html><p>Checking your browser… ✓</p>';
  const tg = await startGateway(testConfig({ backends: { targets: [{ url: backend.url }] } }), {
    admin: false,
    deps: {
      guards: [{
        name: 'test',
        inspect: (ctx) => ctx.req.url === '/page'
          ? { status: 403, action: 'challenge', reason: 'test', message: 'x', page: { headers: { 'content-type': 'text/html; charset=utf-8', 'content-length': String(Buffer.byteLength(page)) }, body: page } }
          : ctx.req.url === '/throttle' ? { status: 429, action: 'throttle', reason: 'test', message: 'Slow down — please.', retryAfterSec: 3 } : null,
      }],
    },
  });
  defer(() => tg.close());
  const { request } = await import('undici');
  for (let i = 0; i < 2; i++) {
    const p = await request(`${tg.url}/page`, { headers: { accept: 'text/html' } });
    assert.equal(p.statusCode, 403);
    assert.equal(p.headers['x-shield-action'], 'challenge');
    assert.equal(await p.body.text(), page, 'the whole page, as long as its Content-Length says (undici checks)');
    const t = await request(`${tg.url}/throttle`, { headers: { accept: 'text/html' } });
    assert.equal(t.statusCode, 429);
    assert.equal(t.headers['retry-after'], '3');
    assert.match(await t.body.text(), /Slow down — please\./);
  }
  const raw = await rawExchange(tg.port, 'GET /page HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', { timeoutMs: 5000 });
  assert.equal(raw.match(/content-length/gi)?.length, 1, 'one Content-Length');
  const m = await tg.gw.metrics.registry.metrics();
  assert.ok(metricValue(m, 'ddos_shield_fast_path_requests_total') >= 5);
}));

test('more concurrent requests than upstream connections wait for one; none is lost', () => withCleanup(async (defer) => {
  let open = 0;
  let most = 0;
  const backend = await startBackend((req, res) => {
    req.resume();
    setTimeout(() => { res.writeHead(200, { 'content-length': '2' }); res.end('ok'); }, 20);
  });
  defer(() => backend.close());
  backend.server.on('connection', (s) => { open++; most = Math.max(most, open); s.on('close', () => open--); });
  const tg = await startGateway(testConfig({ backends: { targets: [{ url: backend.url }], upstream: { connections: 2 } } }), { admin: false });
  defer(() => tg.close());
  const { request } = await import('undici');
  const rs = await Promise.all(Array.from({ length: 12 }, (_, i) => request(`${tg.url}/n/${i}`).then(async (r) => ({ s: r.statusCode, b: await r.body.text() }))));
  assert.deepEqual(rs.map((r) => r.s), Array(12).fill(200));
  assert.ok(rs.every((r) => r.b === 'ok'));
  assert.ok(most <= 2, `the backend saw ${most} connections at once`);
  assert.equal(backend.seen.length, 12);
}));
