import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { startCopyProxy } from './copy-proxy.js';
import { canConnect } from './free-port.js';

async function backend(): Promise<{ server: Server; url: string; sockets: Set<unknown> }> {
  const sockets = new Set<unknown>();
  const big = Buffer.alloc(1 << 20, 'x');
  const server = createServer((req, res) => {
    sockets.add(req.socket);
    if (req.url === '/big') res.end(big);
    else res.end(`${req.method} ${req.url}`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, sockets };
}

test('the copy proxy carries keep-alive exchanges and large bodies byte for byte, and stop ends it', async () => {
  const be = await backend();
  const proxy = await startCopyProxy({ upstream: be.url });
  const agent = new Agent({ connections: 1 });
  try {
    const [pid] = proxy.pids();
    assert.ok(pid !== undefined && existsSync(`/proc/${pid}`));
    for (const path of ['/a?q=1', '/b']) {
      const res = await request(`${proxy.url}${path}`, { dispatcher: agent });
      assert.equal(res.statusCode, 200);
      assert.equal(await res.body.text(), `GET ${path}`);
    }
    // one client connection, one upstream connection: both requests reached the backend on the same socket
    assert.equal(be.sockets.size, 1);
    const big = await request(`${proxy.url}/big`, { dispatcher: agent });
    const body = Buffer.from(await big.body.arrayBuffer());
    assert.equal(body.length, 1 << 20);
    assert.ok(body.every((b) => b === 0x78));
  } finally {
    await agent.close();
    await proxy.stop();
    be.server.closeAllConnections();
    await new Promise<void>((r) => be.server.close(() => r()));
  }
  assert.equal(await canConnect('127.0.0.1', proxy.port), false);
});

test('the copy proxy refuses an upstream that is not http://host:port', async () => {
  await assert.rejects(startCopyProxy({ upstream: 'https://127.0.0.1:1' }), /must be http:\/\/host:port/);
});
