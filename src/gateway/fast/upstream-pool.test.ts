import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { test } from 'node:test';
import { createSystemClock } from '../../core/clock.js';
import { createUpstreamPool, type UpstreamConn, type UpstreamPoolOptions } from './upstream-pool.js';

type Acquired = { err: (Error & { code?: string }) | null; conn?: UpstreamConn };

/** A backend that accepts and holds connections; stop() also cuts the ones still open. */
async function listen(): Promise<{ server: Server; port: number; accepted: () => number; stop: () => void }> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => { sockets.add(s); s.on('error', () => {}); });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    server, port: (server.address() as AddressInfo).port, accepted: () => sockets.size,
    stop: () => { server.close(); for (const s of sockets) s.destroy(); },
  };
}

function pool(port: number, over: Partial<UpstreamPoolOptions> = {}) {
  return createUpstreamPool({
    host: '127.0.0.1', port, maxConnections: 64, maxConnecting: 2, keepAliveTimeoutMs: 4_000,
    connectTimeoutMs: 2_000, socketTimeoutMs: 5_000, clock: createSystemClock(), ...over,
  });
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 100 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), what);
}

const acquire = (p: ReturnType<typeof pool>) => new Promise<Acquired>((resolve) => p.acquire({ acquired: (err, conn) => resolve({ err, conn }) }));

test('a burst of exchanges opens at most maxConnecting connections at a time; released ones serve the rest', async () => {
  const { port, accepted, stop } = await listen();
  const p = pool(port);
  try {
    const served: Promise<Acquired>[] = [];
    for (let i = 0; i < 10; i++) served.push(acquire(p));
    assert.equal(p.size.connecting, 2, 'two attempts in flight, not ten');
    assert.equal(p.size.waiting, 10);
    // each exchange gives its connection back at once: the ten are carried by a few connections
    const seen = new Set<UpstreamConn>();
    for (const s of served) {
      const { err, conn } = await s;
      assert.equal(err, null);
      assert.ok(conn);
      seen.add(conn);
      p.release(conn);
    }
    assert.ok(seen.size <= 4, `ten exchanges used ${seen.size} connections`);
    // an attempt still in flight when the last exchange was served ends on the idle list
    await until(() => p.size.connecting === 0, 'attempts settle');
    const size: { open: number; idle: number; waiting: number } = p.size;
    assert.ok(size.open <= 4 && size.waiting === 0 && size.idle === size.open, JSON.stringify(size));
    const opened = accepted();
    assert.ok(opened <= 4);
    // the next exchange takes an idle connection: nothing new is opened
    const again = await acquire(p);
    assert.ok(again.conn);
    p.release(again.conn);
    assert.equal(accepted(), opened);
  } finally {
    p.close();
    stop();
  }
});

test('when the backend refuses connections, every waiting exchange gets the error at once', async () => {
  const { server, port, stop } = await listen();
  stop();
  await once(server, 'close');
  const p = pool(port);
  try {
    const results = await Promise.all(Array.from({ length: 6 }, () => acquire(p)));
    for (const r of results) {
      assert.equal(r.conn, undefined);
      assert.equal(r.err?.code, 'ECONNREFUSED');
    }
    await until(() => p.size.open === 0, 'refused sockets closed');
    assert.deepEqual(p.size, { open: 0, idle: 0, waiting: 0, connecting: 0 });
  } finally {
    p.close();
  }
});

test('with a connection busy and the backend no longer accepting, every waiting exchange still gets an error', async () => {
  const { server, port, stop } = await listen();
  const p = pool(port, { maxConnecting: 1 });
  try {
    const busy = await acquire(p);
    assert.ok(busy.conn);
    server.close(); // the established connection stays; new ones are refused
    // one attempt at a time: the first refusal fails the longest waiting exchange and keeps the
    // other for the busy connection; the next attempt is refused too and fails it
    const results = await Promise.all([acquire(p), acquire(p)]);
    for (const r of results) assert.equal(r.err?.code, 'ECONNREFUSED');
    assert.equal(p.size.waiting, 0);
    p.release(busy.conn);
    assert.equal(p.size.idle, 1);
  } finally {
    p.close();
    stop();
  }
});

test('close fails the waiting exchanges and a connection that opens afterwards is closed', async () => {
  const { port, accepted, stop } = await listen();
  const p = pool(port);
  try {
    const a = acquire(p);
    p.close();
    const r = await a;
    assert.equal(r.conn, undefined);
    assert.match(r.err?.message ?? '', /pool closed/);
    await new Promise((res) => setTimeout(res, 100));
    assert.ok(accepted() <= 1);
    assert.equal(p.size.idle, 0);
  } finally {
    stop();
  }
});
