import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runScenario } from '../../src/lab/runner.js';
import type { RequestResult } from '../../src/lab/types.js';
import { scenario } from './helpers.js';

test('against the sink alone, every request a client counts is counted by the sink, per client, and nothing is stopped', async () => {
  const results: RequestResult[] = [];
  const run = await runScenario(scenario({
    duration: 3,
    attackStart: 0.5,
    clients: [
      { generator: 'api-poller', label: 'benign', rate: 4, start: 0, params: { clients: 3 } },
      { generator: 'distributed-flood', label: 'attack', rate: 40, start: 0.5, params: { sources: 20 } },
      { generator: 'path-scan', label: 'attack', rate: 10, start: 1, params: { sources: 1 } },
    ],
  }), 'none', { onResult: (r) => results.push(r) });

  assert.ok(results.length > 30, `expected traffic, got ${results.length} results`);
  // Every answer came from the sink (it stamps x-lab-sink) and nothing failed.
  assert.deepEqual([...new Set(results.map((r) => r.outcome))], ['backend']);
  assert.equal(run.attack.errors, 0);
  assert.equal(run.benign.errors, 0);

  // Sent = received, overall and per client.
  const attack = results.filter((r) => r.label === 'attack').length;
  const benign = results.filter((r) => r.label === 'benign').length;
  assert.equal(run.attack.sent, attack);
  assert.equal(run.attack.passed, attack);
  assert.equal(run.attack.reachedBackend, attack);
  assert.equal(run.benign.requests, benign);
  assert.equal(run.benign.reachedBackend, benign);
  const perClient = new Map<string, number>();
  for (const r of results) perClient.set(r.clientId, (perClient.get(r.clientId) ?? 0) + 1);
  assert.equal(perClient.size, 3 + 20 + 1);
  // The timeline adds up to the totals.
  assert.equal(run.timeline.reduce((a, p) => a + p.attackSent, 0), attack);
  assert.equal(run.timeline.reduce((a, p) => a + p.attackReached, 0), attack);
  assert.equal(run.timeline.reduce((a, p) => a + p.benignOk, 0), benign);

  // Nothing stood in the way: no mitigation, every benign client served.
  assert.equal(run.attack.stopped, 0);
  assert.equal(run.attack.mitigationStartMs, null);
  assert.equal(run.attack.timeToMitigateMs, null);
  assert.equal(run.benign.clientsRejected, 0);
  assert.equal(run.benign.clients, 3);
  assert.equal(run.benign.duringAttack.successRate, 1);
  // The 404s of the scan are backend answers, not stops.
  assert.ok(results.some((r) => r.label === 'attack' && r.status === 404));
  // No target process: no CPU figure is invented.
  assert.equal(run.resources.cpuSeconds, null);
});
