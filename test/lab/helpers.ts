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
