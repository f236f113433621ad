// The demo's wiring of the IDS to the dashboard: an attack flow posted to the IDS lands as an
// alert in the dashboard, and the IDS's log lines carry their component once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createLogger } from '../../src/core/logger.js';
import { createSystemClock } from '../../src/core/clock.js';
import { startDemo } from '../../src/demo/demo.js';
import { fixtureFlows } from '../ids/helpers.js';

const PASSWORD = 'demo-test-password-123';

test('in the demo, an attack flow scored by the IDS shows up as an IDS alert on the dashboard', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'demo-ids-'));
  const lines: string[] = [];
  const out = new PassThrough();
  out.setEncoding('utf8');
  let partial = '';
  out.on('data', (s: string) => { const parts = (partial + s).split('\n'); partial = parts.pop() ?? ''; lines.push(...parts); });
  const demo = await startDemo(
    { host: '127.0.0.1', gatewayPort: 0, adminPort: 0, backendPort: 0, dashboardPort: 0, idsPort: 0, sqliteFile: join(dir, 'd.sqlite'), webDir: '', env: { DASHBOARD_ADMIN_PASSWORD: PASSWORD } },
    { logger: createLogger({ level: 'info', destination: out }), clock: createSystemClock() },
  );
  try {
    const f = fixtureFlows('cse-cic-ids2018-sample.csv').flows.find((x) => x.Label === 'DDoS attacks-LOIC-HTTP')!;
    const features = Object.fromEntries(Object.entries(f).filter(([k]) => k !== 'Label'));
    const scored = await fetch(`${demo.urls.ids}predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ features }) });
    assert.equal(scored.status, 200);
    assert.equal(((await scored.json()) as { prediction: number }).prediction, 1);

    const login = await fetch(`${demo.urls.dashboard}api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: PASSWORD }) });
    assert.equal(login.status, 200);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    let found: { source: string; alert_type: string } | undefined;
    for (let i = 0; i < 100 && !found; i++) {
      const r = await fetch(`${demo.urls.dashboard}api/alerts?source=ids`, { headers: { cookie } });
      found = ((await r.json()) as { alerts: { source: string; alert_type: string }[] }).alerts[0];
      if (!found) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(found, 'the IDS alert reached the dashboard');
    assert.equal(found.alert_type, 'Flow_Attack');

    const idsMetrics = await (await fetch(`${demo.urls.ids}metrics`)).text();
    assert.match(idsMetrics, /^ids_alerts_sent_total 1$/m);
    assert.doesNotMatch(idsMetrics, /^ids_alerts_dropped_total\{/m);
  } finally {
    await demo.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const idsLines = lines.filter((l) => l.includes('"component":"ids"'));
  assert.ok(idsLines.some((l) => l.includes('ids listening')), 'the IDS logged its start');
  for (const l of idsLines) assert.equal(l.split('"component":').length - 1, 1, l);
  assert.ok(!lines.some((l) => l.includes('dashboard refused an alert')));
});
