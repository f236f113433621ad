import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Measurement } from './measure.js';
import { FLOOR_ROW, cpuWord, ratiosOf, renderProxyReport, type ProxyBenchResult } from './proxy-report.js';

const m = (target: string, reqPerSec: number, p99Ms: number, cpuUsPerReq: number, non2xx = 0): Measurement => ({
  target, requests: reqPerSec * 10, reqPerSec, p50Ms: p99Ms / 4, p99Ms, cpuMs: (cpuUsPerReq * reqPerSec * 10) / 1000,
  cpuUsPerReq, non2xx, socketErrors: 0, command: 'wrk ...', machineTicks: 1000, stealTicks: Math.round(p99Ms * 10),
  // user space takes 60 % of each row's CPU
  cpuUserMs: (0.6 * cpuUsPerReq * reqPerSec * 10) / 1000,
});

test('ratios compare the gateway with each peer and stay null when a side is missing', () => {
  const r = ratiosOf([m('gateway', 5000, 4, 100), m('nginx', 20000, 2, 25)], 'throughput');
  assert.equal(r['throughput.reqPerSec.gateway/nginx'], 0.25);
  assert.equal(r['throughput.p99.gateway/nginx'], 2);
  assert.equal(r['throughput.cpuPerReq.gateway/nginx'], 4);
  assert.equal(r['throughput.reqPerSec.gateway/haproxy'], null);
  // user and system apart: the gateway 100 µs of which 70 user, nginx 25 of which 10 user
  const split = ratiosOf([{ ...m('gateway', 5000, 4, 100), cpuUserMs: 3500 }, { ...m('nginx', 20000, 2, 25), cpuUserMs: 2000 }], 'throughput');
  assert.equal(split['throughput.userPerReq.gateway/nginx'], 7);
  assert.equal(split['throughput.systemPerReq.gateway/nginx'], 2);
  const { cpuUserMs: _omit, ...old } = m('nginx', 20000, 2, 25);
  assert.equal(ratiosOf([m('gateway', 5000, 4, 100), old], 'throughput')['throughput.userPerReq.gateway/nginx'], undefined, 'no split without both sides');
});

test('the report holds every table, the ratios, the machine and the exact command', () => {
  const throughput = [m('direct', 30000, 1, 20), m('gateway', 6000, 8, 150), m('nginx', 15000, 3, 30), m('haproxy', 12000, 4, 35)];
  const keepAlive = [m('gateway', 9000, 5, 90, 90000), m('nginx', 40000, 1, 9, 400000), m('haproxy', 20000, 2, 15, 200000)];
  const res: ProxyBenchResult = {
    date: '2026-01-02T03:04:05.000Z',
    command: 'npm run bench:proxy -- --duration 5',
    revision: 'abc1234',
    machine: { cores: 2, cpuModel: 'Test CPU', node: 'v20.20.2', loadavg1m: 1.5, nginx: 'nginx/1.22.1', haproxy: 'HAProxy version 2.6.12', wrk: 'wrk 4.1.0' },
    settings: { durationSec: 5, rounds: 1, connections: 50, threads: 1, workers: 1, backendBytes: 1024 },
    gateway: { ran: true, args: [], note: 'default configuration' },
    throughput,
    rejection: { keepAlive, close: keepAlive },
    rawRuns: [...throughput, ...keepAlive],
    halfLoad: { method: 'paced', points: [{ basis: "nginx's maximum", offeredReqPerSec: 7500, connections: 375, delayMs: 50,
      rows: [{ ...m('direct', 7400, 2, 20), offeredReqPerSec: 7500, addedP99Ms: 0 }, { ...m('gateway', 6000, 9, 150), offeredReqPerSec: 7500, addedP99Ms: 7 }] }] },
    ratios: { ...ratiosOf(throughput, 'throughput'), ...ratiosOf(keepAlive, 'rejectKeepAlive'), ...ratiosOf(keepAlive, 'rejectClose') },
  };
  const text = renderProxyReport(res);
  assert.ok(text.includes('`npm run bench:proxy -- --duration 5`'));
  assert.ok(text.includes('2 cores (Test CPU)'));
  assert.ok(text.includes('abc1234'));
  assert.ok(text.includes('gateway / nginx: req/s 0.40×, p99 2.67×, CPU per request 5.00×'));
  assert.match(text, /\| gateway\s+\|\s+9000 \|.*\| 90000\/90000\s+\|/);
  assert.match(text, /At half of nginx's maximum: 7500 req\/s offered \(375 connections, 50 ms pause\)/);
  assert.equal((text.match(/^\| target/gm) ?? []).length, 4, 'four tables');
  assert.match(text, /share the CPUs \(not pinned\)/);
  // steal: per row (p99 × 10 ticks of 1000 in the fixture) and the range over single runs
  assert.match(text, /^\| gateway\s+\|\s+6000 \|.*\|\s+8 \|$/m);
  assert.match(text, /during single runs: 1\.0–8\.0 % of the machine's CPU time/);
  assert.match(text, /^\| gateway\s+\|\s+6000 \|.*\|\s+7 \|\s+150 \|\s+90 \|\s+9 \|$/m);
  assert.match(text, /\| CPU µs\/req \| of it user µs \|/);
  assert.ok(text.includes('CPU per request 5.00× (user 5.00×, system 5.00×)'));
  assert.doesNotMatch(renderProxyReport({ ...res, rawRuns: [] }), /during single runs/);
  const quarter = renderProxyReport({ ...res, halfLoad: { ...res.halfLoad, points: res.halfLoad.points.map((p) => ({ ...p, share: 0.25, offeredReqPerSec: 3750 })) } });
  assert.match(quarter, /At a quarter of nginx's maximum: 3750 req\/s offered/);
  const niced = renderProxyReport({ ...res, halfLoad: { ...res.halfLoad, points: res.halfLoad.points.map((p) => ({ ...p, nice: -10 })) } });
  assert.match(niced, /At half of nginx's maximum, servers at nice -10: 7500 req\/s offered/);
  const pinnedPass = renderProxyReport({ ...res, halfLoad: { ...res.halfLoad, points: res.halfLoad.points.map((p) => ({ ...p, pinned: { load: '0', servers: '1' } })) } });
  assert.match(pinnedPass, /At half of nginx's maximum, each server's main thread on CPU 1, wrk and the backend on CPU 0: 7500 req\/s offered/);
  assert.equal(cpuWord('1'), 'CPU 1');
  assert.equal(cpuWord('2,3'), 'CPUs 2,3');
  assert.equal(cpuWord('0-3'), 'CPUs 0-3');
  const pinned = renderProxyReport({ ...res, settings: { ...res.settings, pinned: { load: '0', servers: '1' } } });
  assert.match(pinned, /wrk and the backend on 0, the server measured on 1/);
  assert.doesNotMatch(pinned, /not pinned/);
  // the floor row is explained only when it was measured
  assert.doesNotMatch(text, /copies bytes both ways/);
  const withFloor = renderProxyReport({ ...res, throughput: [...throughput, m(FLOOR_ROW, 14000, 3, 28)] });
  assert.match(withFloor, /and the node copy proxy: one Node\.js process .* copies bytes both ways, parsing nothing/);
  assert.match(withFloor, /^\| node copy proxy\s+\|\s+14000 \|/m);
});
