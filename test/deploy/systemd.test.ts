// The systemd units in deploy/systemd: systemd accepts them, the environment file names only
// variables the services read, and each unit's command, run as systemd would run it (its
// ExecStart with the environment file), starts its service, serves, and stops cleanly on the
// unit's KillSignal within its TimeoutStopSec.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { request } from 'undici';
import { findBinary } from '../../src/peers/find-binary.js';
import { freePort } from '../../src/peers/free-port.js';
import { skipUnlessTool } from '../../src/peers/skip-unless.js';
import { cleanEnv } from '../gateway/process.js';
import { commandOf, parseEnvFile, parseUnit, type Unit } from './unit-file.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const DIR = join(ROOT, 'deploy', 'systemd');
const UNITS = readdirSync(DIR).filter((f) => f.endsWith('.service')).sort();
const ENV_FILE = join(DIR, 'ddos-shield.env');
const INSTALL_DIR = '/opt/ddos-shield';
const CONFIG_FILE = '/etc/ddos-shield/gateway.yaml';

const unit = (name: string): Unit => parseUnit(readFileSync(join(DIR, name), 'utf8'));

test('there is a unit for the gateway, the dashboard and the IDS', () => {
  assert.deepEqual(UNITS, ['ddos-shield-dashboard.service', 'ddos-shield-gateway.service', 'ddos-shield-ids.service']);
});

const analyze = findBinary('systemd-analyze', ['/usr/bin', '/bin']);
test('systemd accepts every unit (systemd-analyze verify: no warning, no error)', { skip: skipUnlessTool(analyze, 'systemd-analyze', 'apt-get install systemd') }, () => {
  for (const name of UNITS) {
    const r = spawnSync(analyze!, ['verify', join(DIR, name)], { encoding: 'utf8' });
    assert.equal(`${r.stdout}${r.stderr}`.trim(), '', `${name}: systemd-analyze says`);
    assert.equal(r.status, 0, name);
  }
});

test('each unit runs as the ddos-shield user from the install directory, with the environment file', () => {
  for (const name of UNITS) {
    const s = unit(name).Service ?? {};
    assert.equal(s.User?.[0], 'ddos-shield', name);
    assert.equal(s.WorkingDirectory?.[0], INSTALL_DIR, name);
    assert.equal(s.EnvironmentFile?.[0], '/etc/ddos-shield/ddos-shield.env', name);
    assert.equal(s.ExecStart?.length, 1, `${name} has one ExecStart`);
    assert.equal(unit(name).Install?.WantedBy?.[0], 'multi-user.target', name);
  }
});

test('the environment file names only variables that the services read', () => {
  const sources = readSources(join(ROOT, 'src'));
  const names = Object.keys(parseEnvFile(readFileSync(ENV_FILE, 'utf8')));
  assert.ok(names.length >= 10, `the file sets ${names.length} variables`);
  // read as a string ('NAME') or as the key of a table of variables (NAME: ...)
  const unread = names.filter((n) => !new RegExp(`'${n}'|\\b${n}:`).test(sources));
  assert.deepEqual(unread, [], 'variables no service reads');
});

/** Every product source (tests excluded) in one string. */
function readSources(dir: string): string {
  let out = '';
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out += readSources(p);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) out += readFileSync(p, 'utf8');
  }
  return out;
}

interface Exit { code: number | null; signal: string | null }
interface Started { pid: number; stderr(): string; exited: Promise<Exit>; stop(): Promise<Exit> }

/**
 * Runs a unit's ExecStart as systemd would (environment file, working directory), with the
 * installed paths mapped onto this checkout: node runs src/cli.ts through tsx instead of the
 * build in dist/, and the gateway's configuration is config/gateway.example.yaml.
 */
function runUnit(u: Unit, extraArgs: string[], env: Record<string, string>): Started {
  const { node, nodeArgs, script, args } = commandOf(u);
  assert.equal(node, '/usr/bin/node');
  assert.equal(script, `${INSTALL_DIR}/dist/cli.js`);
  const mapped = args.map((a) => (a === CONFIG_FILE ? join(ROOT, 'config', 'gateway.example.yaml') : a));
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', join(ROOT, 'src', 'cli.ts'), ...mapped, ...extraArgs], {
    cwd: ROOT, env: cleanEnv(env), stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (c: Buffer) => { err += c.toString(); });
  const exited = new Promise<Exit>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  const stopAfterMs = Number(/^(\d+)$/.exec(u.Service?.TimeoutStopSec?.[0] ?? '')?.[1] ?? 90) * 1000;
  const killSignal = (u.Service?.KillSignal?.[0] ?? 'SIGTERM') as NodeJS.Signals;
  return {
    pid: child.pid!,
    stderr: () => err,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill(killSignal);
      // as systemd does once TimeoutStopSec has passed
      const hard = setTimeout(() => child.kill('SIGKILL'), stopAfterMs);
      const r = await exited;
      clearTimeout(hard);
      return r;
    },
  };
}

/** Polls a URL until it answers 200 (or the process has died, or time is up). */
async function waitFor200(url: string, s: Started, timeoutMs = 60_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < until) {
    try {
      const res = await request(url);
      const body = await res.body.text();
      if (res.statusCode === 200) return body;
      last = `${res.statusCode} ${body.slice(0, 200)}`;
    } catch (err) {
      last = (err as Error).message;
    }
    try { process.kill(s.pid, 0); } catch { break; }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer 200 (last: ${last}); stderr: ${s.stderr().slice(-2000)}`);
}

/** The environment file's values, with this test's ports and state directory. */
function unitEnv(overrides: Record<string, string>): Record<string, string> {
  return { ...parseEnvFile(readFileSync(ENV_FILE, 'utf8')), ...overrides };
}

function assertCleanStop(name: string, r: Exit, u: Unit): void {
  assert.equal(r.signal, null, `${name} was killed (${r.signal}) instead of stopping on ${u.Service?.KillSignal?.[0]}`);
  assert.equal(r.code, 0, `${name} exit code`);
}

test('the gateway unit: its configuration checks out, it proxies as one process, and it stops on SIGTERM', async () => {
  const u = unit('ddos-shield-gateway.service');
  const site = createServer((req, res) => { res.setHeader('content-type', 'text/plain'); res.end(`site ${req.url}`); });
  await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
  try {
    const backend = `127.0.0.1:${(site.address() as AddressInfo).port}`;
    const [port, adminPort] = [await freePort(), await freePort()];
    const env = unitEnv({ BACKEND_TARGETS: backend, GATEWAY_HOST: '127.0.0.1', GATEWAY_PORT: String(port), ADMIN_PORT: String(adminPort), DASHBOARD_URL: '' });

    const check = runUnit(u, ['--check-config'], env);
    const checked = await check.exited;
    assert.equal(checked.code, 0, `--check-config: ${check.stderr()}`);

    const gw = runUnit(u, [], env);
    try {
      assert.equal(await waitFor200(`http://127.0.0.1:${port}/page`, gw), 'site /page');
      const health = JSON.parse(await waitFor200(`http://127.0.0.1:${adminPort}/health`, gw)) as { status?: string };
      assert.equal(health.status, 'healthy');
      // node was given --no-memory-reducer in ExecStart, so the gateway did not start itself again
      assert.match(readFileSync(`/proc/${gw.pid}/cmdline`, 'utf8'), /--no-memory-reducer/);
      assert.equal(readFileSync(`/proc/${gw.pid}/task/${gw.pid}/children`, 'utf8').trim(), '', 'the gateway runs as one process');
    } finally {
      assertCleanStop('gateway', await gw.stop(), u);
    }
  } finally {
    await new Promise((r) => site.close(r));
  }
});

test('the dashboard unit starts on SQLite in the state directory and stops on SIGTERM', async () => {
  const u = unit('ddos-shield-dashboard.service');
  assert.equal(u.Service?.StateDirectory?.[0], 'ddos-shield');
  const state = mkdtempSync(join(tmpdir(), 'ddos-shield-unit-'));
  try {
    const port = await freePort();
    const file = parseEnvFile(readFileSync(ENV_FILE, 'utf8'));
    assert.equal(file.DASHBOARD_SQLITE_FILE, '/var/lib/ddos-shield/dashboard.sqlite', 'the SQLite file is in the unit\'s StateDirectory');
    const d = runUnit(u, [], unitEnv({ DASHBOARD_PORT: String(port), DASHBOARD_SQLITE_FILE: join(state, 'dashboard.sqlite') }));
    try {
      const health = JSON.parse(await waitFor200(`http://127.0.0.1:${port}/api/health`, d)) as { status?: string; database?: string };
      assert.deepEqual(health, { status: 'ok', database: 'sqlite' });
      assert.ok(readdirSync(state).includes('dashboard.sqlite'));
    } finally {
      assertCleanStop('dashboard', await d.stop(), u);
    }
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
});

test('the IDS unit loads its models, serves and stops on SIGTERM', async () => {
  const u = unit('ddos-shield-ids.service');
  const port = await freePort();
  const ids = runUnit(u, [], unitEnv({ IDS_PORT: String(port), DASHBOARD_URL: '' }));
  try {
    const health = JSON.parse(await waitFor200(`http://127.0.0.1:${port}/health`, ids)) as Record<string, unknown>;
    assert.equal(health.status, 'healthy');
  } finally {
    assertCleanStop('ids', await ids.stop(), u);
  }
});
