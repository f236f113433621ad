import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'undici';
import { startNginx, nginxAvailable } from './nginx.js';
import { canConnect } from './free-port.js';
import { staticBody } from './nginx-config.js';
import { skipUnlessTool } from './skip-unless.js';
import type { PeerProcess } from './types.js';

const skip = skipUnlessTool(nginxAvailable(), 'nginx', 'apt-get install nginx-light');

async function withPeers(fn: (started: PeerProcess[]) => Promise<void>): Promise<void> {
  const started: PeerProcess[] = [];
  try {
    await fn(started);
  } finally {
    await Promise.all(started.map((p) => p.stop()));
  }
}

async function get(url: string, headers: Record<string, string> = {}) {
  const res = await request(url, { headers });
  return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
}

test('a request flows through nginx proxy to nginx static', { skip }, () => withPeers(async (started) => {
  const backend = await startNginx({ http: { kind: 'static', bodyBytes: 1024 } });
  started.push(backend);
  const proxy = await startNginx({ http: { kind: 'proxy', upstreams: [backend.url] }, workers: 2 });
  started.push(proxy);

  const direct = await get(`${backend.url}/anything`);
  assert.equal(direct.status, 200);
  assert.equal(direct.body, staticBody(1024));

  const via = await get(`${proxy.url}/some/path?q=1`);
  assert.equal(via.status, 200);
  assert.equal(via.body, direct.body);

  // master + 2 workers, all alive
  const pids = proxy.pids();
  assert.equal(pids.length, 3, `pids ${pids.join(',')}`);
  for (const pid of pids) assert.ok(existsSync(`/proc/${pid}`));
}));

test('stop ends the master and every worker and frees the port', { skip }, async () => {
  const peer = await startNginx({ http: { kind: 'return403' }, workers: 2 });
  const pids = peer.pids();
  assert.equal((await get(peer.url)).status, 403);
  await peer.stop();
  for (const pid of pids) assert.equal(existsSync(`/proc/${pid}`), false, `pid ${pid} still alive`);
  assert.equal(await canConnect('127.0.0.1', peer.port), false);
  await peer.stop(); // second call is harmless
});

test('limit preset answers 429 once a client goes over its burst', { skip }, () => withPeers(async (started) => {
  const backend = await startNginx({ http: { kind: 'static' } });
  started.push(backend);
  const limit = await startNginx({ http: { kind: 'limit', upstreams: [backend.url] } });
  started.push(limit);
  const statuses: number[] = [];
  // 10 r/s with burst 20: 60 back-to-back requests cannot all fit unless they take > 4 s.
  for (let i = 0; i < 60; i++) statuses.push((await get(limit.url)).status);
  assert.equal(statuses[0], 200);
  assert.ok(statuses.includes(429), `statuses ${statuses.join(',')}`);
  assert.ok(statuses.every((s) => s === 200 || s === 429));
}));

test('a config nginx refuses fails with the error log tail', { skip }, async () => {
  await assert.rejects(
    startNginx({ http: { kind: 'custom', body: ({ listen }) => `server { ${listen} no_such_directive on; }` } }),
    (err: Error) => /nginx-custom failed to start: exited/.test(err.message) && /unknown directive "no_such_directive"/.test(err.message),
  );
});

test('masterProcess false serves from one process, launched through the wrapper command', { skip }, async () => {
  const peer = await startNginx({ http: { kind: 'static' }, masterProcess: false, wrap: ['/usr/bin/env', 'DDOS_SHIELD_WRAPPED=yes'] });
  try {
    assert.equal((await get(peer.url)).status, 200);
    const pids = peer.pids();
    assert.equal(pids.length, 1, `pids ${pids.join(',')}`);
    // env set the variable, then ran nginx in its place (same process)
    assert.match(readFileSync(`/proc/${pids[0]}/environ`, 'latin1'), /(^|\0)DDOS_SHIELD_WRAPPED=yes\0/);
  } finally {
    await peer.stop();
  }
});
