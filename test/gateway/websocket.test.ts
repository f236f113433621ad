// WebSocket pass-through: an echo server behind the gateway, messages both ways (text and a
// large binary), forwarded-for headers on the upgrade, and a blocked client's upgrade refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { defaultHandler, metricValue, startBackend, startGateway, testConfig, until, withCleanup } from './helpers.js';

interface Client { ws: WebSocket; next(): Promise<{ data: Buffer; binary: boolean }> }

/** Connects and queues messages from the start (the first may come with the handshake). */
function open(url: string, opts: { localAddress?: string; headers?: Record<string, string> } = {}): Promise<Client> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { ...opts, handshakeTimeout: 10_000 });
    const queue: { data: Buffer; binary: boolean }[] = [];
    const waiting: ((m: { data: Buffer; binary: boolean }) => void)[] = [];
    ws.on('message', (data: RawData, binary: boolean) => {
      const m = { data: Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer), binary };
      const w = waiting.shift();
      if (w) w(m); else queue.push(m);
    });
    const next = () => {
      const m = queue.shift();
      if (m) return Promise.resolve(m);
      return new Promise<{ data: Buffer; binary: boolean }>((res, rej) => {
        waiting.push(res);
        ws.once('close', () => rej(new Error('closed before a message')));
      });
    };
    ws.once('open', () => resolve({ ws, next }));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`unexpected ${res.statusCode}`), { res })));
  });
}

test('WebSocket messages pass both ways through the gateway; a blocked client gets 403', () => withCleanup(async (defer) => {
  const backend = await startBackend(defaultHandler('http'));
  defer(() => backend.close());
  const upgrades: IncomingMessage[] = [];
  const wss = new WebSocketServer({ server: backend.server });
  wss.on('connection', (sock, req) => {
    upgrades.push(req);
    sock.send(`welcome ${String(req.headers['x-forwarded-for'])}`);
    sock.on('message', (data, binary) => sock.send(data, { binary }));
  });
  defer(() => { for (const c of wss.clients) c.terminate(); wss.close(); });
  const tg = await startGateway(testConfig({ backends: { targets: [{ url: backend.url }] } }), { admin: false });
  defer(() => tg.close());
  const wsUrl = `ws://127.0.0.1:${tg.port}/chat?room=1`;

  const c = await open(wsUrl, { localAddress: '127.0.0.30', headers: { 'x-forwarded-for': '203.0.113.1' } });
  const ws = c.ws;
  defer(() => ws.terminate());
  assert.equal((await c.next()).data.toString(), 'welcome 127.0.0.30', 'the backend sees the real client, not the spoofed one');
  assert.equal(upgrades[0]!.url, '/chat?room=1');
  assert.equal(upgrades[0]!.headers.host, `127.0.0.1:${tg.port}`);

  for (const text of ['hello', 'second message', 'ü∑ unicode']) {
    ws.send(text);
    const got = await c.next();
    assert.equal(got.binary, false);
    assert.equal(got.data.toString(), text);
  }
  const blob = randomBytes(1024 * 1024);
  ws.send(blob);
  const got = await c.next();
  assert.equal(got.binary, true);
  assert.ok(got.data.equals(blob), 'a 1 MB binary frame comes back intact');

  // a closing handshake passes too
  const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
  ws.close(4001, 'bye');
  assert.equal(await closed, 4001);

  // blocked: the upgrade is refused before reaching the backend
  tg.gw.blocklist.block('127.0.0.31', { durationSec: 60, reason: 'test', source: 'test' });
  const before = upgrades.length;
  const refused = await open(wsUrl, { localAddress: '127.0.0.31' }).then(
    () => assert.fail('the upgrade of a blocked client must fail'),
    (e: Error & { res?: IncomingMessage }) => e,
  );
  assert.equal(refused.res?.statusCode, 403, refused.message);
  assert.equal(refused.res?.headers['x-shield-action'], 'block');
  assert.equal(upgrades.length, before);
  // and an unblocked one still connects
  const other = await open(wsUrl, { localAddress: '127.0.0.32' });
  defer(() => other.ws.terminate());
  await until('the second connection to reach the backend', () => upgrades.length === before + 1);

  const metrics = await tg.gw.metrics.registry.metrics();
  assert.equal(metricValue(metrics, 'ddos_shield_websocket_upgrades_total', { outcome: 'proxied' }), 2);
  assert.equal(metricValue(metrics, 'ddos_shield_websocket_upgrades_total', { outcome: 'blocklist' }), 1);
}));

test('a WebSocket upgrade with every backend down gets 503', () => withCleanup(async (defer) => {
  const backend = await startBackend(defaultHandler('http'));
  const tg = await startGateway(testConfig({ backends: { targets: [{ url: backend.url }] } }), { admin: false });
  defer(() => tg.close());
  await backend.close();
  tg.gw.pool.setHealth(tg.gw.pool.backends[0]!, false, 'test');
  const e = await open(`ws://127.0.0.1:${tg.port}/`).then(() => assert.fail('must fail'), (err: Error & { res?: IncomingMessage }) => err);
  assert.equal(e.res?.statusCode, 503, e.message);
  assert.equal(e.res?.headers['x-shield-action'], 'error');
}));
