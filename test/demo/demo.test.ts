import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { createLogger } from '../../src/core/logger.js';
import { createSystemClock } from '../../src/core/clock.js';
import { startDemo } from '../../src/demo/demo.js';

test('the demo brings up backend, gateway, admin API, dashboard and IDS, wired together', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'demo-'));
  const demo = await startDemo(
    { host: '127.0.0.1', gatewayPort: 0, adminPort: 0, backendPort: 0, dashboardPort: 0, idsPort: 0, sqliteFile: join(dir, 'd.sqlite'), webDir: '', env: {} },
    { logger: createLogger({ level: 'silent' }), clock: createSystemClock() },
  );
  try {
    const site = await request(demo.urls.site!, { headers: { accept: 'text/html' } });
    assert.equal(site.statusCode, 200);
    assert.match(await site.body.text(), /<html/i);

    const health = await request(`${demo.urls.admin}health`);
    assert.equal(health.statusCode, 200);
    assert.equal(((await health.body.json()) as { status: string }).status, 'healthy');

    const ids = await request(`${demo.urls.ids}health`);
    assert.equal(ids.statusCode, 200);
    await ids.body.dump();

    // the gateway announces itself to the dashboard (heartbeat) and ships its request events
    const metricsOf = async () => (await (await request(demo.urls.metrics!)).body.text());
    let sent = 0;
    for (let i = 0; i < 100 && sent === 0; i++) {
      const m = /^ddos_shield_events_sent_total (\d+)/m.exec(await metricsOf());
      sent = m ? Number(m[1]) : 0;
      if (sent === 0) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(sent >= 1, 'request events reached the dashboard');

    const blocked = await request(`${demo.urls.admin}block/127.0.0.1`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ duration_minutes: 1, reason: 'demo test' }) });
    assert.equal(blocked.statusCode, 200);
    await blocked.body.dump();
    const refused = await request(demo.urls.site!);
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.headers['x-shield-action'], 'block');
    await refused.body.dump();
  } finally {
    await demo.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
