import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { request } from 'undici';
import { startHaproxy, haproxyAvailable } from './haproxy.js';
import { startNginx, nginxAvailable } from './nginx.js';
import { canConnect } from './free-port.js';
import { skipUnlessTool } from './skip-unless.js';
import type { PeerProcess } from './types.js';

const skip = skipUnlessTool(haproxyAvailable(), 'haproxy', 'apt-get install haproxy')
  || skipUnlessTool(nginxAvailable(), 'nginx', 'apt-get install nginx-light');

async function status(url: string): Promise<number> {
  const res = await request(url);
  await res.body.text();
  return res.statusCode;
}

test('haproxy proxies, limits and denies in front of nginx', { skip }, async () => {
  const started: PeerProcess[] = [];
  try {
    const backend = await startNginx({ http: { kind: 'static' } });
    started.push(backend);
    const proxy = await startHaproxy({ preset: { kind: 'proxy', upstreams: [backend.url] }, threads: 2 });
    started.push(proxy);
    const limit = await startHaproxy({ preset: { kind: 'limit', upstreams: [backend.url], reqPer10s: 5 } });
    started.push(limit);
    const deny = await startHaproxy({ preset: { kind: 'return403' } });
    started.push(deny);

    const res = await request(`${proxy.url}/x`);
    assert.equal(res.statusCode, 200);
    assert.equal((await res.body.text()).length, 1024);
    assert.ok(proxy.pids().length >= 1);

    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push(await status(limit.url));
    // The start-up readiness probe (a bare connection) may count too, so the cut is not exact.
    const first429 = statuses.indexOf(429);
    assert.equal(statuses[0], 200);
    assert.ok(first429 >= 3 && first429 <= 5, statuses.join(','));
    assert.ok(statuses.slice(first429).every((s) => s === 429), statuses.join(','));

    assert.equal(await status(deny.url), 403);

    const pids = deny.pids();
    await deny.stop();
    for (const pid of pids) assert.equal(existsSync(`/proc/${pid}`), false);
    assert.equal(await canConnect('127.0.0.1', deny.port), false);
  } finally {
    await Promise.all(started.map((p) => p.stop()));
  }
});
