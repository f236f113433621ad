import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sourceAddress } from '../../src/lab/generators/common.js';
import { entryAddressGroup, runScenario } from '../../src/lab/runner.js';
import type { RequestResult } from '../../src/lab/types.js';
import { scenario } from './helpers.js';

test('behind the gateway, a client blocked by hand is reported as stopped from the block on, and benign clients as passed', async () => {
  const attacker = sourceAddress(entryAddressGroup(1), 0);
  const results: RequestResult[] = [];
  const run = await runScenario(scenario({
    duration: 4,
    attackStart: 0.5,
    clients: [
      { generator: 'api-poller', label: 'benign', rate: 5, start: 0, params: { clients: 2 } },
      { generator: 'distributed-flood', label: 'attack', rate: 20, start: 0.5, params: { sources: 1 } },
    ],
    actions: [{ at: 2, block: attacker, minutes: 5 }],
  }), 'gateway', {
    onResult: (r) => results.push(r),
    // Detection only records (shadow): the one thing that stops requests here is the hand-made block.
    gatewayArgs: ['--shadow'],
  });

  const action = run.actions[0];
  assert.ok(action?.ok, `the block went through: ${action?.error ?? ''}`);
  const attack = results.filter((r) => r.label === 'attack');
  const benign = results.filter((r) => r.label === 'benign');
  assert.ok(attack.length > 20 && benign.length > 10, `traffic flowed: ${attack.length} attack, ${benign.length} benign`);

  // Only the blocked client's requests are stopped, and each one as a gateway block.
  assert.equal(run.attack.stopped, attack.filter((r) => r.outcome === 'block').length);
  assert.equal(run.attack.byOutcome.block, run.attack.stopped);
  assert.equal(run.attack.passed + run.attack.stopped, run.attack.sent, 'every attack request either passed or was blocked');
  assert.ok(run.attack.stopped > 0);
  // Requests answered before the block was asked for passed; requests sent after it was confirmed were stopped.
  for (const r of attack) {
    if (r.sentAt + r.latencyMs < action.atMs) assert.equal(r.outcome, 'backend');
    if (r.sentAt > action.doneMs) assert.equal(r.outcome, 'block');
  }
  // The sink saw exactly the attack requests that passed, and none after mitigation began.
  assert.equal(run.attack.reachedBackend, run.attack.passed);
  assert.equal(run.attack.reachedAfterMitigation, 0);

  // Time to mitigate: from the attack start to the first blocked answer, which came after the block was asked for.
  assert.ok(run.attack.mitigationStartMs !== null && run.attack.timeToMitigateMs !== null);
  assert.ok(run.attack.mitigationStartMs >= action.atMs);
  assert.equal(run.attack.timeToMitigateMs, run.attack.mitigationStartMs - run.attackStartMs);
  const firstBlock = Math.min(...attack.filter((r) => r.outcome === 'block').map((r) => r.sentAt + r.latencyMs));
  assert.equal(run.attack.mitigationStartMs, firstBlock);

  // Benign clients were all served by the backend.
  assert.equal(run.benign.rejected, 0);
  assert.equal(run.benign.clientsRejected, 0);
  assert.equal(run.benign.passed, benign.length);
  assert.equal(run.benign.reachedBackend, benign.length);
  // The gateway is a real process: its CPU and memory were measured.
  assert.ok(run.resources.rssMaxMB !== null && run.resources.rssMaxMB > 0);
});
