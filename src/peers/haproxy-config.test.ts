import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildHaproxyConfig, type HaproxyPreset } from './haproxy-config.js';
import { haproxyAvailable } from './haproxy.js';
import { skipUnlessTool } from './skip-unless.js';

const cfg = (preset: HaproxyPreset) => buildHaproxyConfig({ host: '127.0.0.1', port: 18081, threads: 2, maxconn: 1000, preset });

test('proxy preset reuses server connections and sets the thread count', () => {
  const c = cfg({ kind: 'proxy', upstreams: ['http://127.0.0.1:9001'] });
  assert.ok(c.includes('nbthread 2'));
  assert.ok(c.includes('http-reuse always'));
  assert.ok(c.includes('option http-keep-alive'));
  assert.match(c, /bind 127\.0\.0\.1:18081/);
  assert.match(c, /server s0 127\.0\.0\.1:9001/);
});

test('limit preset tracks request rate and concurrent connections per source', () => {
  const c = cfg({ kind: 'limit', upstreams: ['http://127.0.0.1:9001'], reqPer10s: 50, connPerClient: 5 });
  assert.ok(c.includes('store http_req_rate(10s),conn_cur'));
  assert.ok(c.includes('deny_status 429 if { sc_http_req_rate(0) gt 50 }'));
  assert.ok(c.includes('deny_status 429 if { sc_conn_cur(0) gt 5 }'));
});

test('return403 preset denies without a backend', () => {
  const c = cfg({ kind: 'return403' });
  assert.ok(c.includes('http-request deny deny_status 403'));
  assert.doesNotMatch(c, /backend be/);
});

const haproxy = haproxyAvailable();
test('every preset passes haproxy -c', { skip: skipUnlessTool(haproxy, 'haproxy', 'apt-get install haproxy') }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ddos-shield-haproxy-c-'));
  try {
    const ups = ['http://127.0.0.1:9001'];
    for (const p of [{ kind: 'proxy', upstreams: ups }, { kind: 'return403' }, { kind: 'limit', upstreams: ups }] as const) {
      const file = join(dir, `${p.kind}.cfg`);
      writeFileSync(file, cfg(p));
      execFileSync(haproxy as string, ['-c', '-q', '-f', file], { stdio: 'pipe' });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
