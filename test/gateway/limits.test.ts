// The gateway's own error answers: 504 upstream timeout, 502 refused/garbage backend, 413 body
// too large (Content-Length and chunked), 431 too many or too large headers, 408 slow headers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { defaultHandler, metricValue, rawExchange, rawStatus, send, startBackend, startGateway, testConfig, until, withCleanup } from './helpers.js';

function headerLines(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += `X-Field-${i}: v${i}\r\n`;
  return s;
}

function shieldHeader(raw: string): string | undefined {
  return /\r\nx-shield-action: (\w+)/i.exec(raw)?.[1];
}

test('a backend that does not answer in time gives 504', () => withCleanup(async (defer) => {
  const held: ServerResponse[] = [];
  const backend = await startBackend((req, res) => { req.resume(); held.push(res); });
  defer(() => backend.close());
  defer(() => { for (const r of held) r.destroy(); });
  const tg = await startGateway(testConfig({ backends: { targets: [{ url: backend.url }], upstream: { headersTimeoutMs: 300 } } }), { admin: false });
  defer(() => tg.close());
  const r = await send(tg.url + '/slow');
  assert.equal(r.status, 504);
  assert.equal(r.headers['x-shield-action'], 'error');
  assert.equal((JSON.parse(r.text) as { reason: string }).reason, 'upstream_timeout');
  assert.equal(backend.seen.length, 1, 'the request reached the backend once (no retry after a timeout)');
  const m = await tg.gw.metrics.registry.metrics();
  assert.equal(metricValue(m, 'ddos_shield_decisions_total', { action: 'error', reason: 'upstream_timeout' }), 1);
}));

test('a refused connection or a garbage answer gives 502', () => withCleanup(async (defer) => {
  // a port with nothing listening
  const gone = await startBackend(defaultHandler('gone'));
  await gone.close();
  // a backend that answers bytes that are not HTTP
  const sockets = new Set<Socket>();
  const garbage: TcpServer = createTcpServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.end('this is not http\r\n\r\n');
  });
  await new Promise<void>((r) => garbage.listen(0, '127.0.0.1', r));
  defer(() => { garbage.close(); for (const s of sockets) s.destroy(); });
  const garbageUrl = `http://127.0.0.1:${(garbage.address() as AddressInfo).port}`;

  const refused = await startGateway(testConfig({ backends: { targets: [{ url: gone.url }], failureThreshold: 100 } }), { admin: false });
  defer(() => refused.close());
  const r1 = await send(refused.url + '/');
  assert.equal(r1.status, 502);
  assert.equal(r1.headers['x-shield-action'], 'error');
  const r2 = await send(refused.url + '/form', { method: 'POST', body: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(r2.status, 502);

  const bad = await startGateway(testConfig({ backends: { targets: [{ url: garbageUrl }] } }), { admin: false });
  defer(() => bad.close());
  const r3 = await send(bad.url + '/');
  assert.equal(r3.status, 502);
  assert.equal(r3.headers['x-shield-action'], 'error');
  // the gateway itself is still fine
  assert.equal((await send(bad.url + '/_shield/health')).status, 200);
}));

test('a body over the limit gives 413, with Content-Length and chunked', () => withCleanup(async (defer) => {
  const backend = await startBackend((req, res) => {
    let n = 0;
    req.on('data', (c: Buffer) => { n += c.length; });
    req.on('end', () => res.end(String(n)));
    req.on('error', () => {});
  });
  defer(() => backend.close());
  const tg = await startGateway(testConfig({ gateway: { limits: { maxBodyBytes: 1024 } }, backends: { targets: [{ url: backend.url }] } }), { admin: false });
  defer(() => tg.close());

  // at the limit: passes
  const ok = await send(tg.url + '/up', { method: 'POST', body: Buffer.alloc(1024, 97) });
  assert.equal(ok.status, 200);
  assert.equal(ok.text, '1024');

  // announced too large: refused before the backend sees it
  const seenBefore = backend.seen.length;
  const big = Buffer.alloc(4096, 98);
  const raw = await rawExchange(tg.port, Buffer.concat([Buffer.from(`POST /up HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Length: ${big.length}\r\n\r\n`), big]));
  assert.equal(rawStatus(raw), 413, raw.slice(0, 200));
  assert.equal(shieldHeader(raw), 'error');
  assert.equal(backend.seen.length, seenBefore, 'the backend never saw it');

  // chunked, no length up front: cut while streaming
  const chunkedRaw = await rawExchange(tg.port, (sock) => {
    sock.write('POST /up HTTP/1.1\r\nHost: t\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n');
    const piece = Buffer.alloc(512, 99);
    let sent = 0;
    const timer = setInterval(() => {
      if (sock.destroyed || sent >= 64) { clearInterval(timer); if (!sock.destroyed) sock.end('0\r\n\r\n'); return; }
      sent++;
      sock.write(`${piece.length.toString(16)}\r\n`);
      sock.write(piece);
      sock.write('\r\n');
    }, 5);
    sock.on('close', () => clearInterval(timer));
  });
  assert.equal(rawStatus(chunkedRaw), 413, chunkedRaw.slice(0, 200));
  assert.equal(shieldHeader(chunkedRaw), 'error');

  // a large announced body that the client keeps streaming: the answer must still reach it
  // (closing a socket with unread input resets it and loses the answer)
  const streamed = await send(tg.url + '/up', {
    method: 'POST',
    headers: { 'content-length': String(8 * 1024 * 1024) },
    body: Readable.from((function* () { for (let i = 0; i < 128; i++) yield Buffer.alloc(64 * 1024, 100); })()),
  });
  assert.equal(streamed.status, 413);
  assert.equal(streamed.headers['x-shield-action'], 'error');
  // and the same for a chunked body of unknown length
  const streamedChunked = await send(tg.url + '/up', {
    method: 'POST',
    body: Readable.from((function* () { for (let i = 0; i < 128; i++) yield Buffer.alloc(64 * 1024, 101); })()),
  });
  assert.equal(streamedChunked.status, 413);
  assert.equal(streamedChunked.headers['x-shield-action'], 'error');
  const m = await tg.gw.metrics.registry.metrics();
  assert.equal(metricValue(m, 'ddos_shield_rejected_total', { reason: 'body_too_large' }), 4);
}));

test('too many header fields give 431 (also past 1,000, which Node would silently truncate)', () => withCleanup(async (defer) => {
  const backend = await startBackend((req, res) => { req.resume(); res.end(String(req.rawHeaders.length / 2)); }, 0, { maxHeaderSize: 256 * 1024 });
  backend.server.maxHeadersCount = 5000;
  defer(() => backend.close());
  const tg = await startGateway(testConfig({
    gateway: { limits: { maxHeaderBytes: 256 * 1024 } },
    backends: { targets: [{ url: backend.url }] },
  }), { admin: false });
  defer(() => tg.close());

  const ask = (n: number, port = tg.port) => rawExchange(port, `GET /h HTTP/1.1\r\nHost: t\r\nConnection: close\r\n${headerLines(n)}\r\n`);
  const fine = await ask(90);
  assert.equal(rawStatus(fine), 200);
  for (const n of [150, 1_100, 3_000]) {
    const r = await ask(n);
    assert.equal(rawStatus(r), 431, `${n} headers: ${r.slice(0, 120)}`);
    assert.equal(shieldHeader(r), 'error');
  }
  assert.ok(backend.seen.every((s) => s.rawHeaders.length / 2 < 100), 'no oversized request reached the backend');

  // a higher limit lets 1,200 fields through whole, and still refuses more than the limit
  const wide = await startGateway(testConfig({
    gateway: { limits: { maxHeaderBytes: 256 * 1024, maxHeaders: 1_500 } },
    backends: { targets: [{ url: backend.url }] },
  }), { admin: false });
  defer(() => wide.close());
  const whole = await ask(1_200, wide.port);
  assert.equal(rawStatus(whole), 200, whole.slice(0, 200));
  const count = Number(whole.slice(whole.indexOf('\r\n\r\n') + 4));
  assert.ok(count >= 1_200, `the backend saw ${count} header fields`);
  assert.equal(rawStatus(await ask(1_600, wide.port)), 431);
}));

test('a header block over the byte limit gives 431; slow headers and a stalled body give 408', () => withCleanup(async (defer) => {
  const backend = await startBackend(defaultHandler('b'));
  defer(() => backend.close());
  const tg = await startGateway(testConfig({
    gateway: { timeouts: { headersMs: 400, requestMs: 2_000, checkIntervalMs: 100 } },
    backends: { targets: [{ url: backend.url }] },
  }), { admin: false });
  defer(() => tg.close());

  const big = await rawExchange(tg.port, `GET / HTTP/1.1\r\nHost: t\r\nX-Big: ${'x'.repeat(20 * 1024)}\r\n\r\n`);
  assert.equal(rawStatus(big), 431, big.slice(0, 200));
  assert.equal(shieldHeader(big), 'error');

  // a head that never finishes
  const slow = await rawExchange(tg.port, 'GET / HTTP/1.1\r\nHost: t\r\nX-Slow: 1\r\n');
  assert.equal(rawStatus(slow), 408, slow.slice(0, 200));
  assert.equal(shieldHeader(slow), 'error');
  assert.equal(backend.seen.length, 0);

  // a body that stops halfway: 408 once the request time is up, and the upstream exchange ends
  const slowBody = await rawExchange(tg.port, 'POST /up HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n0123456789');
  assert.equal(rawStatus(slowBody), 408, slowBody.slice(0, 200));
  assert.equal(shieldHeader(slowBody), 'error');
  await until('the cut request to leave the books', async () => metricValue(await tg.gw.metrics.registry.metrics(), 'ddos_shield_inflight_requests') === 0);

  const m = await tg.gw.metrics.registry.metrics();
  assert.equal(metricValue(m, 'ddos_shield_rejected_total', { reason: 'headers_too_large' }), 1);
  assert.equal(metricValue(m, 'ddos_shield_rejected_total', { reason: 'request_timeout' }), 2);
}));
