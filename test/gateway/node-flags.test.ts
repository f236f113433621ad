// `ddos-shield gateway` runs on a node started with --no-memory-reducer (gateway.v8MemoryReducer:
// false, the default). Started without it, the CLI starts itself again with it and stays as the
// parent: the gateway is the child, signals to the parent reach it, and the child ends by itself
// when the parent is killed outright. With the reducer configured on, nothing is started again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultHandler, send, startBackend, until, withCleanup } from './helpers.js';
import { startGatewayChild } from './process.js';

const cmdline = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };

test('started without --no-memory-reducer, the gateway runs in a child started with it; SIGTERM to the parent drains and stops both', { timeout: 90_000 }, () => withCleanup(async (defer) => {
  const backend = await startBackend(defaultHandler('app'));
  defer(() => backend.close());
  const gw = await startGatewayChild(['--backend', backend.url]);
  defer(() => gw.stop());
  assert.notEqual(gw.pid, gw.child.pid, 'the gateway is a child of the process started');
  assert.ok(!cmdline(gw.child.pid!).includes('--no-memory-reducer'));
  assert.ok(cmdline(gw.pid).includes('--no-memory-reducer'), `gateway command line: ${cmdline(gw.pid).join(' ')}`);
  const r = await send(`${gw.url}/`);
  assert.equal(r.status, 200);
  assert.equal(r.text, 'app');
  const exit = new Promise<number | null>((res) => gw.child.once('exit', (code) => res(code)));
  gw.child.kill('SIGTERM');
  assert.equal(await exit, 0, gw.stderr());
  await until('the gateway process gone', () => !alive(gw.pid));
}));

test('the parent killed outright: the gateway child stops by itself', { timeout: 90_000 }, () => withCleanup(async (defer) => {
  const backend = await startBackend(defaultHandler('app'));
  defer(() => backend.close());
  const gw = await startGatewayChild(['--backend', backend.url]);
  defer(() => gw.stop());
  defer(() => { if (alive(gw.pid)) process.kill(gw.pid, 'SIGKILL'); });
  assert.notEqual(gw.pid, gw.child.pid);
  gw.child.kill('SIGKILL');
  await until('the orphaned gateway gone', () => !alive(gw.pid), { timeoutMs: 20_000 });
}));

test('gateway.v8MemoryReducer: true: no second process, the reducer left to V8', { timeout: 90_000 }, () => withCleanup(async (defer) => {
  const dir = mkdtempSync(join(tmpdir(), 'ddos-shield-flags-'));
  defer(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'gateway.yaml');
  writeFileSync(file, 'gateway:\n  v8MemoryReducer: true\n');
  const backend = await startBackend(defaultHandler('app'));
  defer(() => backend.close());
  const gw = await startGatewayChild(['--backend', backend.url, '--config', file]);
  defer(() => gw.stop());
  assert.equal(gw.pid, gw.child.pid);
  assert.ok(!cmdline(gw.pid).includes('--no-memory-reducer'));
  assert.equal((await send(`${gw.url}/`)).status, 200);
}));
