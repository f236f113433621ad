import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { resolve } from 'node:path';
import { gatewayStartFlags, gatewayV8Flags, missingNodeFlags } from './v8-flags.js';

const execFileP = promisify(execFile);
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

/**
 * Runs a node child started with the gateway's start flags that allocates for a second (V8 runs
 * full collections meanwhile, which arm its memory reducer) and then idles for 20 s; returns
 * the number of memory-reducing collections V8 traced. V8 checks the allocation rate every 8 s
 * after a full collection and starts the reducer's collections once the rate is low: about 17 s
 * after the burst here.
 */
async function reducingGcs(memoryReducer: boolean): Promise<number> {
  const flags = gatewayStartFlags({ v8Pretenuring: false, v8MemoryReducer: memoryReducer });
  const script = `
    let keep = [];
    const t0 = Date.now();
    while (Date.now() - t0 < 1000) { keep.push(new Array(100).fill(0.5)); if (keep.length > 50000) keep = []; }
    keep = null;
    setTimeout(() => console.log('idle done'), 20000);
  `;
  const { stdout } = await execFileP(process.execPath, [...flags, '--trace-gc', '-e', script], { encoding: 'utf8', timeout: 60_000, maxBuffer: 16 << 20 });
  assert.match(stdout, /idle done/);
  return (stdout.match(/Mark-Compact \(reduce\)/g) ?? []).length;
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

test('started with the gateway\'s start flags, V8 runs no memory-reducing collection while idle', async () => {
  const [on, off] = await Promise.all([reducingGcs(true), reducingGcs(false)]);
  assert.ok(on > 0, 'with V8\'s defaults the heap is shrunk while the process idles');
  assert.equal(off, 0, 'with --no-memory-reducer V8 runs no reducing collection');
});

test('the flag takes effect when set at run time: V8 pretenures no site', () => {
  assert.ok(tenuredSites(true) > 0, 'with V8 defaults the long-lived literal site is pretenured');
  assert.equal(tenuredSites(false), 0, 'with the gateway\'s flags V8 pretenures nothing');
});
