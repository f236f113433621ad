import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSystemClock } from '../../src/core/clock.js';
import { findChromium, runBrowser } from '../../src/lab/generators/browser.js';
import { runSlowHttp } from '../../src/lab/generators/slowhttp.js';
import { findTool } from '../../src/lab/generators/tool.js';
import { demoSinkHandler } from '../../src/lab/lab.js';
import { runScenario } from '../../src/lab/runner.js';
import { createSink } from '../../src/lab/sink.js';
import { targetUnavailable } from '../../src/lab/targets.js';
import type { RequestResult } from '../../src/lab/types.js';
import { mustHave, scenario } from './helpers.js';

/** Skips with a reason, or fails when CI promised the tool. */
function need(t: { skip(msg: string): void }, missing: string | undefined): boolean {
  if (!missing) return true;
  if (mustHave()) assert.fail(`${missing} (CI installs it)`);
  t.skip(missing);
  return false;
}

test('wrk flood through nginx limit: refusals are counted as stopped, and the sink saw what wrk saw pass', async (t) => {
  if (!need(t, findTool('wrk') ? targetUnavailable('nginx') : 'wrk is not installed')) return;
  const run = await runScenario(scenario({
    duration: 2, attackStart: 0,
    clients: [
      { generator: 'wrk-flood', label: 'attack', rate: 1, start: 0, params: { connections: 4 } },
      { generator: 'api-poller', label: 'benign', rate: 2, start: 0, params: { clients: 2 } },
    ],
  }), 'nginx');
  assert.ok(run.attack.sent > 50, `wrk sent ${run.attack.sent}`);
  assert.ok(run.attack.byOutcome.reject > 0, 'nginx answered 429');
  assert.equal(run.attack.stopped, run.attack.byOutcome.reject);
  assert.ok(run.attack.mitigationStartMs !== null);
  // wrk stops with at most one request in flight per connection: those reached the sink unanswered.
  const extra = run.attack.reachedBackend - run.attack.passed;
  assert.ok(extra >= 0 && extra <= 4, `sink ${run.attack.reachedBackend} vs passed ${run.attack.passed}`);
  assert.equal(run.benign.rejected, 0, 'a slow API poller stays under the limit');
  assert.ok(run.resources.cpuSeconds !== null);
});

test('a scan above HAProxy\'s per-address rate is refused with 429 and counted as stopped', async (t) => {
  if (!need(t, targetUnavailable('haproxy'))) return;
  const results: RequestResult[] = [];
  const run = await runScenario(scenario({
    // More than HAProxy's 100 requests per 10 s from one address, even on a slow machine.
    duration: 5, attackStart: 0,
    clients: [{ generator: 'path-scan', label: 'attack', rate: 100, start: 0, params: { sources: 1 } }],
  }), 'haproxy', { onResult: (r) => results.push(r) });
  assert.ok(run.attack.stopped > 0);
  assert.equal(run.attack.stopped + run.attack.passed + run.attack.errors, run.attack.sent);
  assert.ok(results.filter((r) => r.outcome === 'reject').every((r) => r.status === 429));
  assert.equal(run.attack.reachedBackend, run.attack.passed);
});

test('a real Chromium session browses the demo site as its own client and address', async (t) => {
  if (!need(t, findChromium() ? undefined : 'chromium is not installed')) return;
  const clock = createSystemClock();
  const sink = await createSink({ clock, handler: demoSinkHandler() });
  const results: RequestResult[] = [];
  try {
    const summary = await runBrowser({
      target: sink.url, label: 'benign', rate: 2, durationMs: 4000, signal: AbortSignal.timeout(60_000),
      onResult: (r) => results.push(r), clock, origin: sink.origin, addressGroup: 41, sessions: 1,
    });
    assert.equal(summary.skippedReason, undefined);
    const ok = results.filter((r) => r.outcome === 'backend');
    assert.ok(ok.length >= 3, `pages and their assets were loaded: ${ok.length}`);
    const counts = sink.counts();
    assert.equal(counts.byClient.get('benign/browser/0'), ok.length);
    assert.equal(counts.byAddress.get('127.41.1.1'), counts.total, 'every browser request came from the session\'s own address');
  } finally {
    await sink.close();
  }
});

test('slowhttptest slowloris holds connections open against the sink', async (t) => {
  if (!need(t, findTool('slowhttptest') ? undefined : 'slowhttptest is not installed')) return;
  const clock = createSystemClock();
  const sink = await createSink({ clock });
  try {
    const s = await runSlowHttp({ target: sink.url, label: 'attack', rate: 20, durationMs: 3000, signal: AbortSignal.timeout(60_000), mode: 'slowloris', connections: 20, intervalSec: 1 });
    assert.equal(s.skippedReason, undefined);
    assert.ok(Number(s.extra?.slowConnectionsHeldMax) > 0, JSON.stringify(s.extra));
  } finally {
    await sink.close();
  }
});
