// Whole-number CLI options, checked by running the CLI: `dashboard --sample-above <n>` (0 or
// more, not bounded like a port) and `replay --top <n>` (1 or more). A bad value stops the command
// before anything starts, with exit code 1 and the rule on stderr. The runs are one at a time.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, runCli } from '../gateway/process.js';

const dir = mkdtempSync(join(tmpdir(), 'ddos-shield-cli-numbers-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The environment without the dashboard's variables, so that the host's settings do not leak in. */
function dashboardEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = cleanEnv();
  for (const k of Object.keys(env)) if (k.startsWith('DASHBOARD_') || k === 'DATABASE_URL') delete env[k];
  return { ...env, ...extra };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
function clf(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

// two clients flooding at 100 requests/s each for 15 s: both are flagged by the replay
const floodLog = join(dir, 'flood.log');
{
  const t0 = Date.UTC(2026, 2, 1, 10);
  const lines: string[] = [];
  for (let i = 0; i < 1500; i++) {
    for (const ip of ['203.0.113.5', '203.0.113.6']) lines.push(`${ip} - - [${clf(t0 + i * 10)}] "GET / HTTP/1.1" 200 512 "-" "python-requests/2.31.0"`);
  }
  writeFileSync(floodLog, `${lines.join('\n')}\n`);
}

test('dashboard --sample-above refuses what is not a whole number of 0 or more, naming the rule', async () => {
  for (const bad of ['-5', '2.5', 'abc', '1e3', '']) {
    const r = await runCli(['dashboard', '--sample-above', bad, '--port', '0'], { env: dashboardEnv() });
    assert.equal(r.code, 1, `${bad}: ${r.stderr}`);
    assert.ok(r.stderr.includes(`option '--sample-above <n>' argument '${bad}' is invalid. must be a whole number, 0 or more`), `${bad}: ${r.stderr}`);
    assert.ok(!r.stderr.includes('dashboard: http'), 'nothing was started');
  }
  const env = await runCli(['dashboard', '--port', '0'], { env: dashboardEnv({ DASHBOARD_SAMPLE_ABOVE: 'lots' }) });
  assert.equal(env.code, 1, env.stderr);
  assert.match(env.stderr, /option '--sample-above <n>' value 'lots' from env 'DASHBOARD_SAMPLE_ABOVE' is invalid\. must be a whole number, 0 or more/);
});

test('dashboard --sample-above is not bounded like a port: 70000 and 0 are taken', async () => {
  // a bad --port after it stops the start: the error is about the port, so --sample-above was accepted
  for (const good of ['70000', '0']) {
    const r = await runCli(['dashboard', '--sample-above', good, '--port', 'nope'], { env: dashboardEnv() });
    assert.equal(r.code, 1, r.stderr);
    assert.ok(!r.stderr.includes('--sample-above'), `${good}: ${r.stderr}`);
    assert.match(r.stderr, /option '-p, --port <n>' argument 'nope' is invalid/);
  }
});

test('replay --top refuses what is not a whole number of 1 or more, naming the rule', async () => {
  for (const bad of ['0', '-3', '2.5', 'abc']) {
    const r = await runCli(['replay', floodLog, '--top', bad]);
    assert.equal(r.code, 1, `${bad}: ${r.stderr}`);
    assert.ok(r.stderr.includes(`option '--top <n>' argument '${bad}' is invalid. must be a whole number, 1 or more`), `${bad}: ${r.stderr}`);
    assert.equal(r.stdout, '', 'nothing was replayed');
  }
});

test('replay --top 1 lists one client of the two flagged', async () => {
  const r = await runCli(['replay', floodLog, '--top', '1']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /clients by worst decision \(top 1 of 2\):/);
  const listed = r.stdout.split('\n').filter((l) => l.startsWith('203.0.113.'));
  assert.equal(listed.length, 1, r.stdout);
});
