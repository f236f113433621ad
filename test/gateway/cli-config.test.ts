// `ddos-shield gateway` configuration errors: every problem listed on stderr with exit code 2;
// --check-config exits 0 on a good file; precedence flag > environment > file; the example
// configuration is valid. The CLI runs are started together up front (each one is a process start).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { cleanEnv, runCli, type CliResult } from './process.js';

const EXAMPLE = resolve(import.meta.dirname, '..', '..', 'config', 'gateway.example.yaml');
const dir = mkdtempSync(join(tmpdir(), 'ddos-shield-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const badFile = join(dir, 'bad.yaml');
writeFileSync(badFile, [
  'gateway:',
  '  port: 70000',
  '  bogus: 1',
  '  timeouts:',
  '    headersMs: -5',
  '  limits:',
  '    maxHeaders: 3',
  'backends:',
  '  targets:',
  '    - url: ftp://127.0.0.1:9000',
  '  healthCheck:',
  '    path: health',
  'blocking:',
  '  allowlist: ["10.0.0.0/40"]',
  '',
].join('\n'));
const brokenFile = join(dir, 'broken.yaml');
writeFileSync(brokenFile, 'gateway:\n  port: [1, 2\n');
const goodFile = join(dir, 'good.yaml');
writeFileSync(goodFile, 'gateway:\n  port: 1111\n  id: from-file\nadmin:\n  token: file-token-secret\nbackends:\n  targets:\n    - url: http://127.0.0.1:9100\n      weight: 3\n');

const runs: Record<string, Promise<CliResult>> = {
  bad: runCli(['gateway', '--config', badFile, '--check-config', '--trusted-proxy', '10.0.0.0/99'],
    { env: cleanEnv({ ADMIN_PORT: 'eighty', BACKEND_URL: 'ftp://nope', LOG_LEVEL: 'loud' }) }),
  broken: runCli(['gateway', '--config', brokenFile, '--port', '0', '--admin-port', '0']),
  openAdmin: runCli(['gateway', '--check-config', '--admin-host', '0.0.0.0']),
  layered: runCli(['gateway', '--config', goodFile, '--check-config', '--port', '3333'],
    { env: cleanEnv({ GATEWAY_PORT: '2222', GATEWAY_ID: 'from-env', BACKEND_TARGETS: '127.0.0.1:9201,http://127.0.0.1:9202' }) }),
  ...(existsSync(EXAMPLE) ? { example: runCli(['gateway', '--config', EXAMPLE, '--check-config']) } : {}),
};
for (const p of Object.values(runs)) p.catch(() => {}); // awaited in the tests

function problems(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.startsWith('  - ')).map((l) => l.slice(4));
}

test('a bad file, bad environment and a bad flag: exit 2 with every problem listed', async () => {
  const r = await runs.bad!;
  assert.equal(r.code, 2, r.stderr);
  const listed = problems(r.stderr);
  const expected: [string, RegExp][] = [
    ['file port', /^gateway\.port\b/],
    ['unknown key', /bogus/],
    ['negative timeout', /^gateway\.timeouts\.headersMs\b/],
    ['too few headers', /^gateway\.limits\.maxHeaders\b/],
    ['bad backend from the environment', /^backends\.targets \(from BACKEND_URL\)/],
    ['health path', /^backends\.healthCheck\.path\b/],
    ['bad allowlist cidr', /^blocking\.allowlist\.0\b/],
    ['ADMIN_PORT', /^admin\.port \(from ADMIN_PORT\)/],
    ['--trusted-proxy', /^gateway\.trustedProxies\.0 \(from --trusted-proxy\)/],
    ['LOG_LEVEL', /^logging\.level \(from LOG_LEVEL\)/],
  ];
  for (const [what, re] of expected) assert.ok(listed.some((l) => re.test(l)), `${what} is listed in:\n${r.stderr}`);
  assert.match(r.stderr, new RegExp(`invalid configuration \\(${listed.length} problems\\)`));
  assert.equal(r.stdout.trim(), '', 'nothing is printed as the configuration');
});

test('a malformed YAML file stops the start with exit 2', async () => {
  const r = await runs.broken!;
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /broken\.yaml/);
  assert.ok(!r.stdout.includes('listening'), 'nothing was started');
});

test('without a token the admin API may not bind a public address', async () => {
  const r = await runs.openAdmin!;
  assert.equal(r.code, 2, r.stderr);
  assert.ok(problems(r.stderr).some((l) => /^admin\.host .*token/.test(l)), r.stderr);
});

test('--check-config on a good file exits 0; flag > environment > file', async () => {
  const r = await runs.layered!;
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /configuration is valid/);
  const cfg = JSON.parse(r.stdout) as { gateway: { port: number; id: string }; admin: { token: string }; backends: { targets: { url: string }[] } };
  assert.equal(cfg.gateway.port, 3333, 'the flag wins over GATEWAY_PORT and the file');
  assert.equal(cfg.gateway.id, 'from-env', 'the environment wins over the file');
  assert.deepEqual(cfg.backends.targets.map((t) => t.url), ['http://127.0.0.1:9201', 'http://127.0.0.1:9202']);
  assert.equal(cfg.admin.token, '(set)', 'the file’s token is used but not printed');
  assert.ok(!r.stdout.includes('file-token-secret'));
});

test('config/gateway.example.yaml passes --check-config', { skip: !runs.example && 'config/gateway.example.yaml is not there' }, async () => {
  const r = await runs.example!;
  assert.equal(r.code, 0, r.stderr);
  const cfg = JSON.parse(r.stdout) as { gateway: { port: number } };
  assert.equal(typeof cfg.gateway.port, 'number');
});
