// `ddos-shield gateway --workers 2`: a node:cluster primary with two gateway workers on one public
// port. A block made through the admin API reaches both workers, the admin API answers for all of
// them (/stats and /metrics summed, GET /workers), a killed worker is replaced and gets the live
// blocks, request counts travel between workers, and SIGTERM stops every process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { defaultHandler, metricValue, send, startBackend, until, withCleanup } from './helpers.js';
import { cleanEnv, startGatewayChild } from './process.js';

const TOKEN = 'test-admin-token-0123456789';

interface WorkerDoc { index: number; pid: number | null; ready: boolean; admin_url: string | null; restarts: number; started_at: string }

const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };

test('two workers share blocks, counts and one admin API; a dead worker is replaced; SIGTERM stops all', { timeout: 120_000 }, () => withCleanup(async (defer) => {
  const backend = await startBackend(defaultHandler('app'));
  defer(() => backend.close());
  // shadow mode: detection runs (and its request counts travel) but does not decide these tests' answers
  const gw = await startGatewayChild(['--backend', backend.url, '--workers', '2', '--shadow'], { env: cleanEnv({ ADMIN_TOKEN: TOKEN }) });
  defer(() => gw.stop());
  const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

  const workersDoc = async () => (JSON.parse((await send(`${gw.adminUrl}/workers`)).text) as { workers: WorkerDoc[] }).workers;
  const first = await until('both workers ready', async () => { const w = await workersDoc(); return w.every((x) => x.ready) ? w : null; });
  assert.equal(first.length, 2);
  const pids = first.map((w) => w.pid as number);
  assert.equal(new Set([gw.pid, ...pids]).size, 3, 'a primary and two worker processes');
  for (const pid of pids) {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    assert.ok(args.includes('--no-memory-reducer'), `the workers' node is started with the flag V8 reads at start: ${args.join(' ')}`);
  }
  for (const w of first) assert.match(w.admin_url ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);

  // traffic from several clients, one connection per request
  const n = 40;
  for (let i = 0; i < n; i++) assert.equal((await send(`${gw.url}/`, { localAddress: `127.0.0.${60 + (i % 4)}` })).status, 200);

  // the admin API sums the workers' counters; mutations need the token, which the workers check
  const stats = JSON.parse((await send(`${gw.adminUrl}/stats`)).text) as { statistics: { total_requests: number }; backend_distribution: Record<string, number> };
  assert.equal(stats.statistics.total_requests, n);
  assert.equal(Object.values(stats.backend_distribution).reduce((a, b) => a + b, 0), n);
  assert.equal((await send(`${gw.adminUrl}/block/127.0.0.70`, { method: 'POST' })).status, 401);
  const bad = await send(`${gw.adminUrl}/block/not-an-ip`, { method: 'POST', headers: auth });
  assert.equal(bad.status, 400, bad.text);

  // a block reaches every worker: each one's own list has it, and every connection of the client gets 403
  const client = '127.0.0.70';
  const blocked = await send(`${gw.adminUrl}/block/${client}`, { method: 'POST', headers: auth, body: JSON.stringify({ duration_minutes: 5, reason: 'scraping' }) });
  assert.equal(blocked.status, 200, blocked.text);
  const listedEverywhere = async (urls: string[]) => {
    for (const u of urls) {
      const list = JSON.parse((await send(`${u}/blocked-ips`)).text) as { ip: string; reason: string }[];
      if (!list.some((e) => e.ip === client && e.reason === 'scraping')) return false;
    }
    return true;
  };
  await until('the block on both workers', () => listedEverywhere(first.map((w) => w.admin_url as string)), { timeoutMs: 3000, intervalMs: 20 });
  for (let i = 0; i < 10; i++) assert.equal((await send(`${gw.url}/`, { localAddress: client })).status, 403);
  assert.equal((await send(`${gw.url}/`, { localAddress: '127.0.0.71' })).status, 200);

  const metrics = (await send(`${gw.adminUrl}/metrics`)).text;
  assert.equal(metricValue(metrics, 'ddos_shield_requests_total'), n + 11);
  assert.equal(metricValue(metrics, 'ddos_shield_decisions_total', { action: 'block', reason: 'blocklist' }), 10);
  assert.equal(metricValue(metrics, 'ddos_shield_blocklist_size'), 1, 'the shared list is counted once');
  assert.equal(metricValue(metrics, 'ddos_shield_shared_blocklist_updates_total', { op: 'block', direction: 'sent' }), 1);
  assert.equal(metricValue(metrics, 'ddos_shield_shared_blocklist_updates_total', { op: 'block', direction: 'received' }), 1);
  // whichever worker saw the requests sent their counts; the other received them
  const counted = await until('request counts shared', async () => {
    const m = (await send(`${gw.adminUrl}/metrics`)).text;
    return metricValue(m, 'ddos_shield_shared_counts_batches_total', { direction: 'received' }) >= 1 ? m : null;
  }, { timeoutMs: 5000 });
  assert.ok(metricValue(counted, 'ddos_shield_shared_counts_batches_total', { direction: 'sent' }) >= 1);

  // a killed worker is replaced, and the new one has the live block from its start
  const victim = first[1] as WorkerDoc;
  process.kill(victim.pid as number, 'SIGKILL');
  const replaced = await until('the replacement worker', async () => {
    const w = (await workersDoc())[1];
    return w && w.ready && w.pid !== victim.pid ? w : null;
  }, { timeoutMs: 20_000 });
  assert.equal(replaced.restarts, 1);
  assert.ok(await listedEverywhere([replaced.admin_url as string]), 'the new worker has the block');
  for (let i = 0; i < 6; i++) assert.equal((await send(`${gw.url}/`, { localAddress: client })).status, 403);

  // unblock through the primary reaches both
  assert.equal((await send(`${gw.adminUrl}/unblock/${client}`, { method: 'POST', headers: auth })).status, 200);
  for (const w of await workersDoc()) {
    await until(`the unblock on worker ${w.index}`, async () => (JSON.parse((await send(`${w.admin_url as string}/blocked-ips`)).text) as unknown[]).length === 0, { timeoutMs: 3000, intervalMs: 20 });
  }
  assert.equal((await send(`${gw.url}/`, { localAddress: client })).status, 200);

  // SIGTERM to the primary stops the workers, then itself
  const all = [gw.pid, first[0]?.pid as number, replaced.pid as number];
  await gw.stop();
  assert.equal(gw.child.exitCode, 0, gw.stderr());
  await until('every worker gone', () => all.every((p) => !alive(p)), { timeoutMs: 10_000 });
}));
