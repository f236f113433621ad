// Graceful shutdown: an in-flight request finishes with 200 while close() runs, new connections
// are refused, idle keep-alive and WebSocket connections do not hold the shutdown forever.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import type { ServerResponse } from 'node:http';
import { Agent, request } from 'undici';
import { WebSocket, WebSocketServer } from 'ws';
import { send, startBackend, startGateway, testConfig, until, withCleanup } from './helpers.js';

function connectRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ port, host: '127.0.0.1' });
    s.once('connect', () => { s.destroy(); resolve(false); });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
  });
}

test('close() lets an in-flight request finish, refuses new connections, then resolves', () => withCleanup(async (defer) => {
  const pending: ServerResponse[] = [];
  const backend = await startBackend((req, res) => {
    req.resume();
    if (req.url === '/slow') {
      pending.push(res);
      setTimeout(() => res.end('slow done'), 1_000);
    } else res.end('fast');
  });
  defer(() => backend.close());
  const tg = await startGateway(testConfig({ gateway: { shutdownGraceMs: 30_000 }, backends: { targets: [{ url: backend.url }] } }), { admin: false });
  defer(() => tg.close());

  // an idle keep-alive connection, which must not hold the shutdown
  const keepAlive = new Agent({ keepAliveTimeout: 60_000 });
  defer(() => keepAlive.destroy());
  const warm = await request(`${tg.url}/fast`, { dispatcher: keepAlive });
  assert.equal(await warm.body.text(), 'fast');

  const slow = send(`${tg.url}/slow`);
  await until('the slow request to reach the backend', () => pending.length === 1);
  let closed = false;
  const closing = tg.gw.close().then(() => { closed = true; });

  await until('new connections to be refused', () => connectRefused(tg.port));
  assert.equal(closed, false, 'close() waits for the in-flight request');
  const r = await slow;
  assert.equal(r.status, 200);
  assert.equal(r.text, 'slow done');
  await closing;
  assert.equal(closed, true);
  assert.equal(await connectRefused(tg.port), true);
}));

test('close() cuts what is still running after the grace period, WebSockets included', () => withCleanup(async (defer) => {
  const held: ServerResponse[] = [];
  const backend = await startBackend((req, res) => { req.resume(); held.push(res); });
  defer(() => { for (const r of held) r.destroy(); });
  defer(() => backend.close());
  const wss = new WebSocketServer({ server: backend.server });
  defer(() => { for (const c of wss.clients) c.terminate(); wss.close(); });
  const tg = await startGateway(testConfig({ gateway: { shutdownGraceMs: 500 }, backends: { targets: [{ url: backend.url }] } }), { admin: false });
  defer(() => tg.close());

  const ws = new WebSocket(`ws://127.0.0.1:${tg.port}/live`);
  await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
  const wsClosed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  ws.on('error', () => {});
  const stuck = send(`${tg.url}/never`).then((x) => x.status, (e: Error) => e.message);
  await until('the stuck request to reach the backend', () => held.length === 1);

  await tg.gw.close();
  await wsClosed;
  const outcome = await stuck;
  assert.notEqual(outcome, 200, 'the request that outlived the grace period was cut');
}));
