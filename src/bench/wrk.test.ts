import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startNginx, nginxAvailable } from '../peers/nginx.js';
import { skipUnlessTool } from '../peers/skip-unless.js';
import { pacingScript, runWrk, wrkAvailable } from './wrk.js';
import { procCpuTime } from './cpu.js';
import { affinityOf, tasksetAvailable } from './cpu-pin.js';

const skip = skipUnlessTool(wrkAvailable(), 'wrk', 'apt-get install wrk')
  || skipUnlessTool(nginxAvailable(), 'nginx', 'apt-get install nginx-light');

test('wrk measures nginx: 2xx over keep-alive, 403 over one connection per request', { skip }, async () => {
  const ok = await startNginx({ http: { kind: 'static' } });
  const deny = await startNginx({ http: { kind: 'return403' } });
  try {
    const cpu0 = procCpuTime(ok.pids());
    const a = await runWrk({ url: `${ok.url}/`, connections: 4, durationSec: 1 });
    const cpu1 = procCpuTime(ok.pids());
    assert.ok(a.requests > 0);
    assert.equal(a.non2xx3xx, 0);
    assert.ok(a.latencyMs.p50 <= a.latencyMs.p99);
    assert.ok(cpu1 >= cpu0, 'server CPU time does not go backwards');
    assert.match(a.command, /^wrk -t 1 -c 4 -d 1s --latency http:\/\/127\.0\.0\.1:\d+\/$/);

    const b = await runWrk({ url: `${deny.url}/`, connections: 2, durationSec: 1, headers: { Connection: 'close' } });
    assert.ok(b.requests > 0);
    assert.equal(b.non2xx3xx, b.requests);
    assert.match(b.command, /-H 'Connection: close'/);
  } finally {
    await ok.stop();
    await deny.stop();
  }
});

const tasksetPath = tasksetAvailable();
test('wrk runs on the CPUs it is given', { skip: skip || skipUnlessTool(tasksetPath, 'taskset', 'apt-get install util-linux') }, async () => {
  const ok = await startNginx({ http: { kind: 'static' } });
  try {
    const cpu = affinityOf(process.pid, tasksetPath!).at(-1)!;
    const r = await runWrk({ url: `${ok.url}/`, connections: 2, durationSec: 1, cpus: { list: String(cpu), taskset: tasksetPath! } });
    assert.ok(r.requests > 0);
    assert.match(r.command, new RegExp(`^taskset -c ${cpu} wrk -t 1 -c 2 `));
  } finally {
    await ok.stop();
  }
});

test('a pacing script limits the request rate', { skip }, async () => {
  const ok = await startNginx({ http: { kind: 'static' } });
  try {
    // 2 connections each pausing 50..150 ms between requests: at most 20 req/s each over 2 s.
    const r = await runWrk({ url: `${ok.url}/`, connections: 2, durationSec: 2, luaScript: pacingScript(100) });
    assert.ok(r.requests > 0 && r.requests <= 2 * (2 * 20 + 1), `requests ${r.requests}`);
  } finally {
    await ok.stop();
  }
});

test('with startAfterMs the first request of each connection waits until then', { skip }, async () => {
  const ok = await startNginx({ http: { kind: 'static' } });
  try {
    const held = await runWrk({ url: `${ok.url}/`, connections: 3, durationSec: 1, luaScript: pacingScript(20, { startAfterMs: 1500, connections: 3 }) });
    assert.equal(held.requests, 0, 'nothing before 1.5 s');
    const r = await runWrk({ url: `${ok.url}/`, connections: 3, durationSec: 2, luaScript: pacingScript(20, { startAfterMs: 500, connections: 3 }) });
    // 3 connections, ~1.5 s of 20 ms pauses (10..30 ms): 150..450 requests
    assert.ok(r.requests >= 100 && r.requests <= 3 * (1500 / 10 + 1), `requests ${r.requests}`);
  } finally {
    await ok.stop();
  }
});

test('refuses non-loopback targets and impossible settings', async () => {
  await assert.rejects(runWrk({ url: 'http://10.0.0.1/', connections: 1, durationSec: 1, binary: '/bin/true' }), /only sent to loopback/);
  await assert.rejects(runWrk({ url: 'http://127.0.0.1:1/', connections: 1, threads: 2, durationSec: 1, binary: '/bin/true' }), /must be an integer >= threads/);
  assert.throws(() => pacingScript(0.5), /whole number/);
  assert.throws(() => pacingScript(50, { startAfterMs: 500 }), /connections per wrk thread/);
});
