import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildNginxConfig, staticBody, type NginxConfigInput } from './nginx-config.js';
import { nginxAvailable } from './nginx.js';
import { skipUnlessTool } from './skip-unless.js';

const base = (http: NginxConfigInput['http']): NginxConfigInput => ({
  dir: '/tmp/x', host: '127.0.0.1', port: 18080, workers: 2, workerConnections: 1024, accessLog: false, http,
});

test('writes a foreground config with logs and temp paths in the prefix dir', () => {
  const c = buildNginxConfig(base({ kind: 'static' }));
  for (const d of ['daemon off;', 'master_process on;', 'worker_processes 2;', 'worker_connections 1024;',
    'pid nginx.pid;', 'error_log error.log warn;', 'access_log off;', 'client_body_temp_path tmp/body;',
    'listen 127.0.0.1:18080;']) {
    assert.ok(c.includes(d), `missing ${d}`);
  }
  assert.doesNotMatch(c, /\/etc\/nginx|\/var\/log/);
  assert.ok(buildNginxConfig({ ...base({ kind: 'static' }), accessLog: true }).includes('access_log access.log;'));
});

test('proxy preset keeps upstream connections alive', () => {
  const c = buildNginxConfig(base({ kind: 'proxy', upstreams: ['http://127.0.0.1:9001', 'http://127.0.0.1:9002'] }));
  assert.match(c, /upstream backend \{\s+server 127\.0\.0\.1:9001;\s+server 127\.0\.0\.1:9002;\s+keepalive 64;/);
  assert.ok(c.includes('proxy_http_version 1.1;'));
  assert.ok(c.includes('proxy_set_header Connection "";'));
});

test('limit preset uses the published zones, burst and 429 status', () => {
  const c = buildNginxConfig(base({ kind: 'limit', upstreams: ['http://127.0.0.1:9001'] }));
  for (const d of ['limit_req_zone $binary_remote_addr zone=req:10m rate=10r/s;', 'limit_req zone=req burst=20 nodelay;',
    'limit_conn_zone $binary_remote_addr zone=conn:10m;', 'limit_conn conn 10;', 'limit_req_status 429;', 'limit_conn_status 429;']) {
    assert.ok(c.includes(d), `missing ${d}`);
  }
});

test('rejects bad upstreams and worker counts before writing anything', () => {
  assert.throws(() => buildNginxConfig(base({ kind: 'proxy', upstreams: [] })), /at least one upstream/);
  assert.throws(() => buildNginxConfig(base({ kind: 'proxy', upstreams: ['https://x:1'] })), /must be http:\/\/host:port/);
  assert.throws(() => buildNginxConfig(base({ kind: 'proxy', upstreams: ['http://127.0.0.1'] })), /must be http:\/\/host:port/);
  assert.throws(() => buildNginxConfig({ ...base({ kind: 'return403' }), workers: 0 }), /workers must be/);
});

test('static body has the exact requested size', () => {
  assert.equal(staticBody(1024).length, 1024);
  assert.equal(Buffer.byteLength(staticBody(10)), 10);
});

const nginx = nginxAvailable();
test('every preset passes nginx -t', { skip: skipUnlessTool(nginx, 'nginx', 'apt-get install nginx-light') }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ddos-shield-nginx-t-'));
  try {
    mkdirSync(join(dir, 'tmp'));
    mkdirSync(join(dir, 'static'));
    const ups = ['http://127.0.0.1:9001'];
    for (const http of [{ kind: 'static' }, { kind: 'proxy', upstreams: ups }, { kind: 'return403' }, { kind: 'limit', upstreams: ups }] as const) {
      const conf = join(dir, `${http.kind}.conf`);
      writeFileSync(conf, buildNginxConfig({ ...base(http), dir }));
      execFileSync(nginx as string, ['-t', '-q', '-p', `${dir}/`, '-c', conf, '-e', join(dir, 'error.log')], { stdio: 'pipe' });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
