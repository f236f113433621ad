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

test('cross-field problems are listed together with the others, not after they are fixed', () => {
  const r = loadGatewayConfig({ env: { ADMIN_HOST: '0.0.0.0', GATEWAY_PORT: 'abc', CHALLENGE_SECRET: 'short' } });
  assert.ok(!r.ok);
  const all = r.errors.join('\n');
  assert.match(all, /gateway\.port \(from GATEWAY_PORT\): must be a whole number from 0 to 65535, got 'abc'/);
  assert.match(all, /admin\.host \(from ADMIN_HOST\): .*may only bind a loopback address/);
  assert.match(all, /challenge\.secret \(from CHALLENGE_SECRET\): must be at least 16 bytes/);
  assert.equal(r.errors.length, 3, all);
  // a broken value in the same section as a cross-field rule, and bad types everywhere else
  withFile('admin:\n  host: 0.0.0.0\n  port: eighty\n  colour: blue\nblocking:\n  defaultDurationSec: 100\n  maxDurationSec: 10\n  maxEntries: -1\nbackends:\n  targets: []\n  failureThreshold: x\n', (file) => {
    const r2 = loadGatewayConfig({ file });
    assert.ok(!r2.ok);
    const all2 = r2.errors.join('\n');
    for (const re of [/admin\.port: must be a whole number from 0 to 65535, got 'eighty'/, /admin: Unrecognized key.*colour/, /admin\.host: .*loopback/,
      /blocking\.maxEntries:/, /blocking\.defaultDurationSec: must not exceed maxDurationSec/, /backends\.failureThreshold:/, /backends\.targets: at least one backend/]) {
      assert.match(all2, re);
    }
  });
});

test('port and worker values that are not whole numbers in range say so, whatever their source', () => {
  const cases: [Parameters<typeof loadGatewayConfig>[0], RegExp][] = [
    [{ flags: { adminPort: '-5' } }, /^admin\.port \(from --admin-port\): must be a whole number from 0 to 65535, got '-5'$/],
    [{ flags: { port: '80.5' } }, /^gateway\.port \(from --port\): must be a whole number from 0 to 65535, got '80\.5'$/],
    [{ flags: { port: '65536' } }, /^gateway\.port \(from --port\): must be a whole number from 0 to 65535, got '65536'$/],
    [{ flags: { port: Number.NaN } }, /^gateway\.port \(from --port\): must be a whole number from 0 to 65535, got NaN$/],
    [{ flags: { workers: '0' } }, /^gateway\.workers \(from --workers\): must be a whole number from 1 to 64, got '0'$/],
    [{ env: { ADMIN_PORT: 'eighty' } }, /^admin\.port \(from ADMIN_PORT\): must be a whole number from 0 to 65535, got 'eighty'$/],
    [{ env: { GATEWAY_PORT: '-1' } }, /^gateway\.port \(from GATEWAY_PORT\): must be a whole number from 0 to 65535, got '-1'$/],
    [{ env: { GATEWAY_WORKERS: 'two' } }, /^gateway\.workers \(from GATEWAY_WORKERS\): must be a whole number from 1 to 64, got 'two'$/],
  ];
  for (const [src, re] of cases) {
    const r = loadGatewayConfig(src);
    assert.ok(!r.ok, JSON.stringify(src));
    assert.equal(r.errors.length, 1, r.errors.join('\n'));
    assert.match(r.errors[0] ?? '', re);
  }
  withFile('gateway:\n  port: "8000"\n  workers: 2.5\nadmin:\n  port: -5\n', (file) => {
    const r = loadGatewayConfig({ file });
    assert.ok(!r.ok);
    assert.deepEqual(r.errors.sort(), [
      "admin.port: must be a whole number from 0 to 65535, got -5",
      "gateway.port: must be a whole number from 0 to 65535, got '8000'",
      'gateway.workers: must be a whole number from 1 to 64, got 2.5',
    ]);
  });
  const ok = loadGatewayConfig({ env: { GATEWAY_PORT: ' 7000 ' }, flags: { adminPort: '0', workers: 4 } });
  assert.ok(ok.ok);
  assert.equal(ok.config.gateway.port, 7000);
  assert.equal(ok.config.admin.port, 0);
  assert.equal(ok.config.gateway.workers, 4);
});
