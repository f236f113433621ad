// `ddos-shield gateway` when a listener cannot bind: a port held by another socket ends the start
// with one line on stderr (which listener, which address and port, what to change), exit code 1,
// no stack, and nothing left running — for the public port and the admin port, with one process
// and with --workers 2. Real sockets; the CLI runs as a child process.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { cleanEnv, runCli, type CliResult } from './process.js';

let holder: Server;
let held = 0;
before(async () => {
  holder = createServer((s) => s.destroy());
  await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
  held = (holder.address() as AddressInfo).port;
});
after(() => new Promise<void>((r) => holder.close(() => r())));

const gateway = (...args: string[]) => runCli(['gateway', '--host', '127.0.0.1', '--admin-host', '127.0.0.1', '--backend', '127.0.0.1:1', ...args], { timeoutMs: 30_000 });

function assertOneClearLine(r: CliResult, re: RegExp): void {
  assert.equal(r.code, 1, `exit code 1 (stderr: ${r.stderr})`);
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0]!, re);
  assert.doesNotMatch(r.stderr + r.stdout, /^\s+at /m, 'no stack trace');
  assert.doesNotMatch(r.stderr, /node:net|Node\.js v/, 'no uncaught error report');
}

test('the public port in use: one line naming the gateway listener, exit 1, no stack', async () => {
  const r = await gateway('--port', String(held), '--admin-port', '0');
  assertOneClearLine(r, new RegExp(`^cannot start the gateway: the public gateway listener cannot listen on 127\\.0\\.0\\.1:${held}: the port is already in use \\(EADDRINUSE\\); stop what uses it or choose another port with --port, GATEWAY_PORT or gateway\\.port`));
  assert.doesNotMatch(r.stdout, /"gateway listening"/);
});

test('the admin port in use: one line naming the admin API, exit 1, the gateway never listens', async () => {
  const r = await gateway('--port', '0', '--admin-port', String(held));
  assertOneClearLine(r, new RegExp(`^cannot start the gateway: the admin API cannot listen on 127\\.0\\.0\\.1:${held}: the port is already in use \\(EADDRINUSE\\); .*--admin-port, ADMIN_PORT or admin\\.port`));
  assert.doesNotMatch(r.stdout, /"gateway listening"/);
});

test('--workers 2, the public port in use: the workers\' failure is one line from the primary, no worker left', async () => {
  const r = await gateway('--workers', '2', '--port', String(held), '--admin-port', '0');
  assertOneClearLine(r, new RegExp(`^cannot start the gateway: the public gateway listener cannot listen on 127\\.0\\.0\\.1:${held}: the port is already in use`));
  assert.doesNotMatch(r.stdout, /"gateway listening"/);
});

test('--workers 2, the admin port in use: one line, no worker is started', async () => {
  const r = await gateway('--workers', '2', '--port', '0', '--admin-port', String(held));
  assertOneClearLine(r, new RegExp(`^cannot start the gateway: the admin API cannot listen on 127\\.0\\.0\\.1:${held}: the port is already in use`));
  assert.doesNotMatch(r.stdout, /starting gateway workers/);
});

test('--check-config lists a bad value and the cross-field rule together (exit 2)', async () => {
  const r = await runCli(['gateway', '--check-config', '--admin-port', '-5'], { env: cleanEnv({ ADMIN_HOST: '0.0.0.0', GATEWAY_PORT: 'abc' }), timeoutMs: 30_000 });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /invalid configuration \(3 problems\)/);
  assert.match(r.stderr, /- gateway\.port \(from GATEWAY_PORT\): must be a whole number from 0 to 65535, got 'abc'/);
  assert.match(r.stderr, /- admin\.port \(from --admin-port\): must be a whole number from 0 to 65535, got '-5'/);
  assert.match(r.stderr, /- admin\.host \(from ADMIN_HOST\): no admin token is set .*loopback/);
});
