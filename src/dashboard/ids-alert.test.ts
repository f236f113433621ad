import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createManualClock } from '../core/clock.js';
import { buildAlert } from '../ids/alerts.js';
import { formatIssues, idsAlertSchema } from './schemas.js';

const clock = createManualClock(Date.parse('2026-12-08T12:00:00.000Z'));

test('every alert the IDS builds passes the dashboard\'s ingest schema', () => {
  const cases = [
    buildAlert(clock, 1, [{ probability: 0.95, family: 'ddos' }], '127.0.0.1'),
    buildAlert(clock, 10, [{ probability: 0.2, family: 'portscan' }, { probability: 0.4, family: 'bruteforce' }], undefined),
    buildAlert(clock, 2, [{ probability: 0.9, family: 'web' }, { probability: 0.9, family: 'web' }], '::ffff:10.0.0.1'),
  ];
  for (const a of cases) {
    const r = idsAlertSchema.safeParse(a);
    assert.ok(r.success, r.success ? '' : formatIssues(r.error).join('; '));
  }
});

test('names the field of a bad alert', () => {
  const good = buildAlert(clock, 3, [{ probability: 0.5, family: 'dos' }], '127.0.0.1');
  const issues = (v: unknown) => {
    const r = idsAlertSchema.safeParse(v);
    return r.success ? [] : formatIssues(r.error);
  };
  assert.match(issues({ ...good, severity: 'low' }).join(), /^severity: /);
  assert.match(issues({ ...good, details: { ...good.details, flows: 0 } }).join(), /^details\.flows: /);
  assert.match(issues({ ...good, details: { ...good.details, families: { dos: 'one' } } }).join(), /^details\.families\.dos: /);
  assert.match(issues({ ...good, details: { ...good.details, client: 'x'.repeat(65) } }).join(), /^details\.client: /);
  assert.match(issues({ ...good, type: 'other' }).join(), /^type: /);
  assert.match(issues({ ...good, details: { ...good.details, attacks: 4 } }).join(), /attacks must not exceed flows/);
});
