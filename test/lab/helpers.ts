import assert from 'node:assert/strict';
import type { Scenario } from '../../src/lab/scenario.js';

/** Whether a test that needs an outside tool must fail rather than skip (CI installs them all). */
export function mustHave(): boolean {
  return Boolean(process.env.CI);
}

/** A scenario written inline for a test. */
export function scenario(partial: Partial<Scenario> & Pick<Scenario, 'clients'>): Scenario {
  return {
    name: 'test', description: 'test scenario', standard: false, duration: 3, attackStart: 0, actions: [],
    ...partial,
  };
}

/** True when the test can run; skips it with the reason otherwise, or fails when CI promised the tool. */
export function need(t: { skip(msg: string): void }, missing: string | undefined): boolean {
  if (!missing) return true;
  if (mustHave()) assert.fail(`${missing} (CI installs it)`);
  t.skip(missing);
  return false;
}
