import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { drainBody } from './http.js';

/** A server that answers 413 at once and drains the body within `limits`; the client sends `chunks` × 64 KiB, one every `gapMs`. */
async function refuse(limits: { maxBytes: number; maxMs: number }, chunks: number, gapMs: number) {
  const server = createServer((req, res) => {
    res.writeHead(413, { 'content-type': 'text/plain', 'content-length': '4' });
    res.end('no\r\n');
    drainBody(req, limits);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  try {
    return await new Promise<{ status: number; error: string | null; sent: number }>((resolve) => {
      let status = 0;
      let sent = 0;
      const req = request({ port, host: '127.0.0.1', method: 'POST', path: '/', headers: { 'content-length': String(chunks * 65536) } }, (res) => {
        status = res.statusCode ?? 0;
        res.resume();
      });
      req.on('error', (e: Error & { code?: string }) => resolve({ status, error: e.code ?? e.message, sent }));
      req.on('close', () => resolve({ status, error: null, sent }));
      const piece = Buffer.alloc(65536, 'a');
      const pump = (): void => {
        if (req.destroyed) return;
        if (sent === chunks) { req.end(); return; }
        sent++;
        req.write(piece);
        setTimeout(pump, gapMs);
      };
      pump();
    });
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

test('a refused body within the limits is read to its end: the client gets the answer and no reset', async () => {
  const r = await refuse({ maxBytes: 4 * 1024 * 1024, maxMs: 5_000 }, 32, 1);
  assert.equal(r.status, 413);
  assert.equal(r.error, null);
  assert.equal(r.sent, 32);
});

test('a refused body longer than maxBytes gets its connection cut', async () => {
  const r = await refuse({ maxBytes: 256 * 1024, maxMs: 5_000 }, 64, 2);
  assert.equal(r.status, 413);
  assert.ok(r.error !== null || r.sent < 64, `the connection was cut (error ${r.error}, ${r.sent} of 64 pieces sent)`);
  assert.ok(r.sent < 64, `sending stopped early: ${r.sent} of 64 pieces`);
});

test('a refused body slower than maxMs gets its connection cut', async () => {
  const r = await refuse({ maxBytes: 64 * 1024 * 1024, maxMs: 150 }, 40, 20);
  assert.equal(r.status, 413);
  assert.ok(r.sent < 40, `sending stopped early: ${r.sent} of 40 pieces`);
});
