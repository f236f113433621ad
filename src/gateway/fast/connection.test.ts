import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { serveFastConnection, type FastConnectionOptions } from './connection.js';
import type { FastHead } from './request-head.js';

/** A TCP server whose connections are served by serveFastConnection with `request` below. */
async function serve(request: FastConnectionOptions['request'], failures: unknown[] = []): Promise<{ server: Server; port: number }> {
  const options: FastConnectionOptions = {
    maxHeaderBytes: 8192, maxHeaders: 100, idleMs: 5_000, headersMs: 5_000,
    request, onFailure: (err) => failures.push(err),
    handOver: (s) => s.destroy(), closing: () => false, onTimeout: () => {}, timeoutAnswer: () => '',
  };
  const server = createServer((socket) => {
    serveFastConnection(socket, options, '127.0.0.1');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as { port: number }).port };
}

/** Sends `text` on one connection and reads until the server closes it or `until` matches what came. */
async function exchange(port: number, text: string, until: RegExp): Promise<{ got: string; closed: boolean }> {
  const c = connect(port, '127.0.0.1');
  await once(c, 'connect');
  c.write(text);
  let got = '';
  let closed = false;
  await new Promise<void>((resolve) => {
    c.on('data', (d: Buffer) => { got += d.toString('latin1'); if (until.test(got)) resolve(); });
    c.on('close', () => { closed = true; resolve(); });
    c.on('error', () => {});
  });
  c.destroy();
  return { got, closed };
}

const answer = (s: Socket, url: string) => s.write(`HTTP/1.1 200 OK\r\nContent-Length: ${url.length}\r\n\r\n${url}`);
const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`;

test('pipelined requests are answered in order whether the exchange ends at once or later', async () => {
  const seen: string[] = [];
  const { server, port } = await serve((head: FastHead, client) => {
    seen.push(head.url);
    assert.equal(client.peer, '127.0.0.1');
    if (head.url === '/later') setTimeout(() => { answer(client.socket, head.url); client.done(true); }, 20);
    else { answer(client.socket, head.url); client.done(true); }
  });
  try {
    const r = await exchange(port, get('/a') + get('/later') + get('/b') + get('/later') + get('/c'), /\/c$/);
    assert.deepEqual(seen, ['/a', '/later', '/b', '/later', '/c']);
    assert.deepEqual([...r.got.matchAll(/\r\n\r\n(\/[a-z]+)/g)].map((m) => m[1]), ['/a', '/later', '/b', '/later', '/c']);
    assert.equal(r.closed, false);
  } finally {
    server.close();
  }
});

test('an exchange that says the connection ends closes it after its answer, and a second done is ignored', async () => {
  const seen: string[] = [];
  const { server, port } = await serve((head, client) => {
    seen.push(head.url);
    answer(client.socket, head.url);
    client.done(false);
    client.done(true);
    setTimeout(() => client.done(true), 5);
  });
  try {
    const r = await exchange(port, get('/one') + get('/two'), /never/);
    assert.equal(r.closed, true);
    assert.deepEqual(seen, ['/one'], 'the pipelined second request is not served');
    assert.match(r.got, /\r\n\r\n\/one$/);
  } finally {
    server.close();
  }
});

test('a request handler that throws has its connection cut and the failure reported', async () => {
  const failures: unknown[] = [];
  const { server, port } = await serve(() => { throw new Error('boom'); }, failures);
  try {
    const r = await exchange(port, get('/x'), /never/);
    assert.equal(r.closed, true);
    assert.equal(r.got, '');
    assert.equal(failures.length, 1);
    assert.match(String(failures[0]), /boom/);
  } finally {
    server.close();
  }
});

test('heads are found wherever they end: inside the first 2 KB, across that mark, past it, pipelined behind long ones', async () => {
  const seen: { url: string; pad: number }[] = [];
  const { server, port } = await serve((head, client) => {
    seen.push({ url: head.url, pad: head.headers['x-pad']?.toString().length ?? 0 });
    answer(client.socket, head.url);
    client.done(true);
  });
  const padded = (path: string, pad: number) => `GET ${path} HTTP/1.1\r\nHost: x\r\nX-Pad: ${'p'.repeat(pad)}\r\n\r\n`;
  try {
    // each head is looked for from where the one before ended: the blank line of the second straddles its byte 2048, the third ends past it
    const bPad = 2050 - padded('/b', 0).length;
    const wire = `\r\n${padded('/a', 1000)}${padded('/b', bPad)}${padded('/c', 3000)}${get('/d')}`;
    const r = await exchange(port, wire, /\/d$/);
    assert.deepEqual(seen.map((s) => s.url), ['/a', '/b', '/c', '/d']);
    assert.deepEqual(seen.map((s) => s.pad), [1000, bPad, 3000, 0]);
    assert.equal(r.closed, false);
  } finally {
    server.close();
  }
});
