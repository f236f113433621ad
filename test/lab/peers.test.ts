import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findTool } from '../../src/lab/generators/tool.js';
import { runScenario } from '../../src/lab/runner.js';
import { targetUnavailable } from '../../src/lab/targets.js';
import type { RequestResult } from '../../src/lab/types.js';
import { need, scenario } from './helpers.js';

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
