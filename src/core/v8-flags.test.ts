import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { gatewayV8Flags } from './v8-flags.js';

const MODULE = resolve(import.meta.dirname, 'v8-flags.ts');

/**
 * Runs a child that applies the gateway's flags at run time, then keeps a million literals alive
 * (V8 pretenures such a site), with a scavenge after every 50,000; returns how many times V8
 * decided to pretenure a site, or that it may.
 */
function tenuredSites(pretenuring: boolean): number {
  const script = `
    import { applyV8Flags, gatewayV8Flags } from ${JSON.stringify(MODULE)};
    applyV8Flags(gatewayV8Flags({ pretenuring: ${pretenuring} }));
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

test('the gateway turns allocation-site pretenuring off unless configured on', () => {
  assert.deepEqual(gatewayV8Flags({ pretenuring: false }), ['--no-allocation-site-pretenuring']);
  assert.deepEqual(gatewayV8Flags({ pretenuring: true }), []);
});

test('the flag takes effect when set at run time: V8 pretenures no site', () => {
  assert.ok(tenuredSites(true) > 0, 'with V8 defaults the long-lived literal site is pretenured');
  assert.equal(tenuredSites(false), 0, 'with the gateway\'s flags V8 pretenures nothing');
});
