import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { connect, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { createSystemClock } from '../../core/clock.js';
import { createLogger } from '../../core/logger.js';
import { listen, closeServer } from '../../core/listen.js';
import { createConnectionGuard } from './guard.js';

async function start(bigResponse = false, shadow = false, logLines: string[] | null = null, logWindowMs?: number) {
  const registry = new Registry();
  const logger = logLines
    ? createLogger({ level: 'info', destination: new Writable({ write(chunk, _enc, cb) { logLines.push(String(chunk)); cb(); } }) })
    : createLogger({ level: 'silent' });
  const guard = createConnectionGuard({ maxConnsPerClient: 3, headerMinBytesPerSec: 200, bodyMinBytesPerSec: 200, stalledReadTimeoutMs: 1000, graceMs: 1000, sweepMs: 100, shadow, ...(logWindowMs === undefined ? {} : { logWindowMs }), clock: createSystemClock(), registry, logger });
  const server = createServer((req, res) => {
    guard.onRequest(req, res);
    req.resume();
    req.on('end', () => {
      if (bigResponse) { res.end(Buffer.alloc(64 * 1024 * 1024, 97)); return; }
      res.end('ok');
    });
  });
  server.on('connection', (s) => guard.onConnection(s, s.remoteAddress ?? ''));
  const port = await listen(server, 0, '127.0.0.1');
  const sockets: Socket[] = [];
  const open = () => new Promise<Socket>((resolve, reject) => { const s = connect(port, '127.0.0.1', () => resolve(s)); s.on('error', () => {}); s.once('error', reject); sockets.push(s); });
  const closed = (s: Socket) => new Promise<void>((resolve) => { if (s.destroyed || s.readableEnded) resolve(); else s.once('close', () => resolve()); });
  const close = async () => { for (const s of sockets) s.destroy(); guard.close(); server.closeAllConnections(); await closeServer(server); };
  return { port, guard, registry, open, closed, close };
}

async function waitFor(cond: () => boolean, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function get(port: number): Promise<number> {
  const r = await fetch(`http://127.0.0.1:${port}/`);
  await r.text();
  return r.status;
}

test('closes a client connection beyond the per-client cap and counts it', async () => {
  const t = await start();
  try {
    const held = [await t.open(), await t.open(), await t.open()];
    const extra = await t.open();
    await t.closed(extra);
    assert.equal(t.guard.stats().dropped['conn-cap'], 1);
    assert.equal(held.filter((s) => !s.destroyed).length, 3);
    assert.match(await t.registry.metrics(), /ddos_shield_slow_guard_dropped_total\{reason="conn-cap"\} 1/);
  } finally { await t.close(); }
});

test('ends a slowloris connection that dribbles its headers while normal requests are served', async () => {
  const t = await start();
  try {
    const s = await t.open();
    s.write('GET / HTTP/1.1\r\nHost: x\r\n');
    const drip = setInterval(() => { if (!s.destroyed) s.write('X'); }, 200);
    try {
      await t.closed(s);
    } finally { clearInterval(drip); }
    assert.equal(t.guard.stats().dropped['slow-headers'], 1);
    assert.equal(await get(t.port), 200);
  } finally { await t.close(); }
});

test('ends a slow request body (R.U.D.Y.) but not a quick one', async () => {
  const t = await start();
  try {
    const s = await t.open();
    s.write('POST /form HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n');
    const drip = setInterval(() => { if (!s.destroyed) s.write('a=1&'); }, 200);
    try { await t.closed(s); } finally { clearInterval(drip); }
    assert.equal(t.guard.stats().dropped['slow-body'], 1);
    const r = await fetch(`http://127.0.0.1:${t.port}/form`, { method: 'POST', body: 'x'.repeat(100_000) });
    assert.equal(r.status, 200);
    await r.text();
    assert.equal(t.guard.stats().dropped['slow-body'], 1);
  } finally { await t.close(); }
});

test('ends a connection whose client stops reading a large response (slow read)', async () => {
  const t = await start(true);
  try {
    const s = await t.open();
    s.pause(); // never read
    s.write('GET /big HTTP/1.1\r\nHost: x\r\n\r\n');
    // A paused client does not notice the close itself: wait for the guard's count, then for the server side to let go.
    await waitFor(() => t.guard.stats().dropped['stalled-read'] === 1);
    await waitFor(() => t.guard.stats().connections === 0);
  } finally { await t.close(); }
});

test('in shadow mode counts what it would close and closes nothing', async () => {
  const t = await start(false, true);
  try {
    const held = [await t.open(), await t.open(), await t.open(), await t.open()];
    // a slowloris head: one byte, then nothing, well past the grace period
    held[0]!.write('G');
    await waitFor(() => t.guard.stats().dropped['slow-headers'] >= 1 && t.guard.stats().dropped['conn-cap'] >= 1);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(held.filter((s) => !s.destroyed).length, 4);
    assert.equal(t.guard.stats().dropped['conn-cap'], 1);
    assert.equal(await get(t.port), 200);
  } finally { await t.close(); }
});

const capLines = (lines: string[]) => lines.filter((l) => l.includes('"reason":"conn-cap"')).map((l) => JSON.parse(l) as { msg: string; connections?: number });

test('in shadow mode a client far over the cap is counted for every connection, logged once, then summed up', async () => {
  const lines: string[] = [];
  const t = await start(false, true, lines, 1000);
  try {
    const held: Socket[] = [];
    for (let i = 0; i < 8; i++) held.push(await t.open());
    await waitFor(() => t.guard.stats().dropped['conn-cap'] >= 5);
    assert.equal(t.guard.stats().dropped['conn-cap'], 5, 'connections 4 to 8 are over the cap of 3');
    assert.equal(held.filter((s) => !s.destroyed).length, 8);
    assert.equal(capLines(lines).length, 1, 'the first one is logged at once, the next ones wait for the window to end');
    // the window ends: one line for the 4 not logged yet
    await waitFor(() => capLines(lines).length >= 2, 5000);
    const summary = capLines(lines)[1]!;
    assert.equal(summary.connections, 4);
    assert.match(summary.msg, /would have closed more connections/);
    // a window with nothing new closes silently; the next time over the cap is logged at once
    await new Promise((r) => setTimeout(r, 1300));
    assert.equal(capLines(lines).length, 2);
    await t.open();
    await waitFor(() => t.guard.stats().dropped['conn-cap'] >= 6);
    await waitFor(() => capLines(lines).length >= 3, 5000);
    assert.equal(capLines(lines)[2]!.connections, undefined);
  } finally { await t.close(); }
});

test('a flood over the cap closes every connection and logs one line at once and one per window', async () => {
  const lines: string[] = [];
  const t = await start(false, false, lines, 1000);
  try {
    const held = [await t.open(), await t.open(), await t.open()];
    const extra: Socket[] = [];
    for (let i = 0; i < 6; i++) extra.push(await t.open());
    for (const s of extra) await t.closed(s);
    assert.equal(t.guard.stats().dropped['conn-cap'], 6);
    assert.equal(held.filter((s) => !s.destroyed).length, 3);
    assert.equal(capLines(lines).length, 1);
    assert.match(capLines(lines)[0]!.msg, /connection closed by slow-attack guard/);
    await waitFor(() => capLines(lines).length >= 2, 5000);
    assert.equal(capLines(lines)[1]!.connections, 5);
    assert.match(await t.registry.metrics(), /ddos_shield_slow_guard_dropped_total\{reason="conn-cap"\} 6/);
  } finally { await t.close(); }
});
