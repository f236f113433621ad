import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadGatewayConfig } from './load.js';

function withFile(text: string, fn: (path: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
  try { const p = join(dir, 'g.yaml'); writeFileSync(p, text); fn(p); } finally { rmSync(dir, { recursive: true }); }
}

test('embedded defaults give a complete, frozen configuration', () => {
  const r = loadGatewayConfig({});
  assert.ok(r.ok);
  assert.equal(r.config.gateway.port, 8000);
  assert.equal(r.config.admin.host, '127.0.0.1');
  assert.equal(r.config.admin.port, 8081);
  assert.equal(r.config.blocking.defaultDurationSec, 600);
  assert.equal(r.config.backends.healthCheck.intervalMs, 30_000);
  assert.deepEqual(r.config.backends.targets, [{ url: 'http://127.0.0.1:9000', weight: 1 }]);
  assert.ok(Object.isFrozen(r.config.gateway.limits));
});

test('flags override environment, environment overrides the file', () => {
  withFile('gateway:\n  port: 7000\n  host: 10.0.0.1\nbackends:\n  targets:\n    - url: http://10.1.1.1:80\n', (file) => {
    const r = loadGatewayConfig({
      file,
      env: { GATEWAY_PORT: '7100', BACKEND_TARGETS: '127.0.0.1:9001, http://127.0.0.1:9002', LOG_LEVEL: 'warn' },
      flags: { port: '7200' },
    });
    assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
    assert.equal(r.config.gateway.port, 7200);
    assert.equal(r.config.gateway.host, '10.0.0.1');
    assert.equal(r.config.logging.level, 'warn');
    assert.deepEqual(r.config.backends.targets.map((t) => t.url), ['http://127.0.0.1:9001', 'http://127.0.0.1:9002']);
  });
});

test('lists every problem at once, naming where each value came from', () => {
  withFile('gateway:\n  port: 99999\n  colour: blue\nblocking:\n  allowlist: ["10.0.0.0/40"]\n', (file) => {
    const r = loadGatewayConfig({ file, env: { ADMIN_PORT: 'eighty', BACKEND_URL: 'ftp://x' }, flags: { logLevel: 'loud' } });
    assert.ok(!r.ok);
    const all = r.errors.join('\n');
    assert.match(all, /gateway\.port: .*65535/);
    assert.match(all, /gateway: Unrecognized key.*colour/);
    assert.match(all, /blocking\.allowlist\.0: .*prefix must be 0\.\.32/);
    assert.match(all, /admin\.port \(from ADMIN_PORT\)/);
    assert.match(all, /backends\.targets \(from BACKEND_URL\): .*only http and https/);
    assert.match(all, /logging\.level \(from --log-level\)/);
    assert.ok(r.errors.length >= 6, all);
  });
});

test('refuses a non-loopback admin address without a token', () => {
  const r = loadGatewayConfig({ env: { ADMIN_HOST: '0.0.0.0' } });
  assert.ok(!r.ok);
  assert.match(r.errors.join('\n'), /admin\.host.*may only bind a loopback address/);
  assert.ok(loadGatewayConfig({ env: { ADMIN_HOST: '0.0.0.0', ADMIN_TOKEN: 's3cret' } }).ok);
});

test('reports a missing file and broken YAML', () => {
  const r = loadGatewayConfig({ file: '/nonexistent/g.yaml' });
  assert.ok(!r.ok);
  assert.match(r.errors[0] ?? '', /not found/);
  withFile('gateway: [\n', (file) => {
    const r2 = loadGatewayConfig({ file });
    assert.ok(!r2.ok);
    assert.match(r2.errors[0] ?? '', /config file/);
  });
});
