import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { gatewayV8Flags } from './v8-flags.js';

const MODULE = resolve(import.meta.dirname, 'v8-flags.ts');

/**
 * Runs a child that applies the gateway's flags at run time, then keeps a million literals alive
 * (V8 pretenures such a site); returns how many sites V8 decided to pretenure.
 */
function tenuredSites(pretenuring: boolean): number {
  const script = `
    import { applyV8Flags, gatewayV8Flags } from ${JSON.stringify(MODULE)};
    applyV8Flags(gatewayV8Flags({ pretenuring: ${pretenuring} }));
    const keep = [];
    const make = (i) => ({ a: i, b: [i] });
    for (let i = 0; i < 1_000_000; i++) keep.push(make(i));
    console.log('kept', keep.length);
  `;
  const r = spawnSync(process.execPath, ['--trace-pretenuring-statistics', '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /kept 1000000/);
  return (r.stdout.match(/=> tenure/g) ?? []).length;
}

test('the gateway turns allocation-site pretenuring off unless configured on', () => {
  assert.deepEqual(gatewayV8Flags({ pretenuring: false }), ['--no-allocation-site-pretenuring']);
  assert.deepEqual(gatewayV8Flags({ pretenuring: true }), []);
});

test('the flag takes effect when set at run time: V8 pretenures no site', () => {
  assert.ok(tenuredSites(true) > 0, 'with V8 defaults the long-lived literal site is pretenured');
  assert.equal(tenuredSites(false), 0);
});
