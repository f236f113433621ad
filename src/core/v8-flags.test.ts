import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { gatewayStartFlags, gatewayV8Flags, missingNodeFlags } from './v8-flags.js';

const MODULE = resolve(import.meta.dirname, 'v8-flags.ts');

/**
 * Runs a child that applies the gateway's flags at run time, then keeps a million literals alive
 * (V8 pretenures such a site), with a scavenge after every 50,000; returns how many times V8
 * decided to pretenure a site, or that it may.
 */
function tenuredSites(pretenuring: boolean): number {
  const script = `
    import { applyV8Flags, gatewayV8Flags } from ${JSON.stringify(MODULE)};
    applyV8Flags(gatewayV8Flags({ v8Pretenuring: ${pretenuring}, v8MemoryReducer: true }));
    const keep = [];
    const make = (i) => ({ a: i, b: [i] });
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 50_000; i++) keep.push(make(i));
      globalThis.gc({ type: 'minor' }); // a scavenge: V8 reads the sites' survival here
    }
    console.log('kept', keep.length);
  `;
  const r = spawnSync(process.execPath, ['--expose-gc', '--trace-pretenuring-statistics', '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /kept 1000000/);
  return (r.stdout.match(/=> (maybe )?tenure/g) ?? []).length;
}

test('the gateway turns allocation-site pretenuring and the memory reducer off unless configured on', () => {
  assert.deepEqual(gatewayV8Flags({ v8Pretenuring: false, v8MemoryReducer: false }), ['--no-allocation-site-pretenuring']);
  assert.deepEqual(gatewayV8Flags({ v8Pretenuring: true, v8MemoryReducer: false }), []);
  assert.deepEqual(gatewayStartFlags({ v8Pretenuring: true, v8MemoryReducer: false }), ['--no-memory-reducer']);
  assert.deepEqual(gatewayStartFlags({ v8Pretenuring: false, v8MemoryReducer: true }), []);
});

test('the start flags this node was not given', () => {
  assert.deepEqual(missingNodeFlags(['--no-memory-reducer'], ['--import', 'tsx']), ['--no-memory-reducer']);
  assert.deepEqual(missingNodeFlags(['--no-memory-reducer'], ['--no-memory-reducer', '--import', 'tsx']), []);
  assert.deepEqual(missingNodeFlags([], []), []);
});

test('this node accepts the gateway\'s start flags (a flag it does not know stops it)', () => {
  // What the memory reducer costs a gateway between bursts is measured by `npm run bench:stalls`
  // (docs/BENCHMARKS.md): V8 decides when to run it from timers and allocation rates, which no
  // test can pin down on a shared machine.
  const start = (flags: string[]) => spawnSync(process.execPath, [...flags, '-e', 'process.exit(0)'], { encoding: 'utf8', timeout: 30_000 });
  const flags = gatewayStartFlags({ v8Pretenuring: false, v8MemoryReducer: false });
  assert.deepEqual(flags, ['--no-memory-reducer']);
  const ok = start(flags);
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(ok.stderr, '');
  const misspelt = start(flags.map((f) => `${f}x`));
  assert.notEqual(misspelt.status, 0);
  assert.match(misspelt.stderr, /bad option: --no-memory-reducerx/);
});

test('the flag takes effect when set at run time: V8 pretenures no site', () => {
  assert.ok(tenuredSites(true) > 0, 'with V8 defaults the long-lived literal site is pretenured');
  assert.equal(tenuredSites(false), 0, 'with the gateway\'s flags V8 pretenures nothing');
});
