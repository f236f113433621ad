import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createSystemClock } from '../../src/core/clock.js';
import { startGatewayService, type GatewayService } from '../../src/gateway/service.js';
import { silent, testConfig } from '../gateway/helpers.js';
import { ADMIN_PASSWORD, INGEST_TOKEN, makeEvent, postJson, postLogs, skipOrFail, startTestDashboard, type TestDashboard } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const ADMIN_TOKEN = 'ui-actions-admin-token-0123456789';
const skip = skipOrFail(existsSync(CHROMIUM) ? null : `Chromium not found at ${CHROMIUM}`);

/** The UI's counts and action errors, in a real browser against a real gateway's admin API. */
describe('dashboard UI: one definition of blocked, and the server\'s words on failed actions', { skip, timeout: 180_000 }, () => {
  const clock = createSystemClock();
  let webDir = '';
  let t: TestDashboard;
  let gw: GatewayService;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];

  before(async () => {
    webDir = mkdtempSync(join(tmpdir(), 'dash-web-'));
    await build({ configFile: 'web/vite.config.ts', logLevel: 'error', build: { outDir: webDir, emptyOutDir: true } });
    t = await startTestDashboard('sqlite', clock, { webDir, gatewayAdminToken: ADMIN_TOKEN });
    gw = await startGatewayService(testConfig({ admin: { token: ADMIN_TOKEN }, backends: { targets: [{ url: 'http://127.0.0.1:9' }] }, detection: { enabled: false } }),
      { logger: silent, clock });
    await postJson(t.base, '/api/heartbeat', `Bearer ${INGEST_TOKEN}`, {
      gateway_id: 'gw-ui', admin_url: `http://127.0.0.1:${gw.adminPort}`, uptime_seconds: 5, requests_processed: 30, blocked_count: 19,
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    await page.goto(t.base);
    await page.fill('input[name=username]', 'admin');
    await page.fill('input[name=password]', ADMIN_PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=nav-overview]');
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await gw?.close().catch(() => {});
    await t?.close();
    if (webDir) rmSync(webDir, { recursive: true, force: true });
  });

  it('shows the same blocked count on Overview, Statistics and Blocked, challenges apart', async () => {
    const now = Date.now();
    const ev = (i: number, over: Parameters<typeof makeEvent>[0]) => makeEvent({ at: now - 2000 - i, gateway_id: 'gw-ui', ...over });
    await postLogs(t.base, [
      ...Array.from({ length: 2 }, (_, i) => ev(i, { source_ip: '203.0.113.1', action: 'block', is_blocked: true, prediction: 'DDoS', status: 403, reason: 'rate_burst', confidence: 0.95 })),
      ...Array.from({ length: 15 }, (_, i) => ev(i, { source_ip: '203.0.113.1', action: 'block', is_blocked: true, prediction: 'BLOCKED', status: 403, reason: 'blocklist', confidence: 1 })),
      ...Array.from({ length: 2 }, (_, i) => ev(i, { source_ip: '203.0.113.2', action: 'challenge', is_blocked: true, prediction: 'SUSPICIOUS', status: 200, reason: 'challenge' })),
      ...Array.from({ length: 5 }, (_, i) => ev(i, { source_ip: '192.0.2.50' })),
    ]);
    await page.click('[data-testid=nav-overview]');
    await page.reload();
    await page.locator('[data-testid=blocked-requests] .big', { hasText: /^17$/ }).waitFor({ timeout: 15_000 });
    assert.match(await page.locator('[data-testid=blocked-requests]').textContent() ?? '', /2 challenged/);
    await page.click('[data-testid=nav-statistics]');
    await page.locator('[data-testid=by-action] li', { hasText: 'Blocked: 17 ' }).waitFor({ timeout: 15_000 });
    await page.locator('[data-testid=by-action] li', { hasText: 'Challenged: 2 ' }).waitFor({ timeout: 15_000 });
    await page.click('[data-testid=nav-blocked]');
    await page.locator('[data-testid=blocked-summary]', { hasText: '17 blocked requests in range' }).waitFor({ timeout: 15_000 });
    await page.click('[data-testid=nav-gateways]');
    await page.locator('[data-testid=gateway-actions]', { hasText: 'Blocked: 0' }).waitFor({ timeout: 15_000 });
  });

  it('tags each alert with its source, shows the IDS figures, and counts gateway errors apart', async () => {
    const now = Date.now();
    await postLogs(t.base, [
      makeEvent({ at: now - 1500, gateway_id: 'gw-ui', source_ip: '192.0.2.51', action: 'error', status: 502, reason: 'upstream_connect' }),
    ]);
    const ids = await postJson(t.base, '/api/alerts', `Bearer ${INGEST_TOKEN}`, {
      source: 'ids', type: 'flow_attack', severity: 'high', message: 'flow IDS: 12 attack flows', timestamp: new Date(now - 1000).toISOString(),
      details: { flows: 40, attacks: 12, max_probability: 0.97, families: { PortScan: 3, DoS: 9 } },
    });
    assert.equal(ids.status, 200);
    await page.click('[data-testid=nav-overview]');
    await page.reload();
    const idsItem = page.locator('.alerts li', { hasText: 'flow IDS: 12 attack flows' });
    await idsItem.waitFor({ timeout: 15_000 });
    assert.equal(await idsItem.locator('[data-testid=alert-source]').textContent(), 'IDS');
    assert.equal(await idsItem.locator('[data-testid=alert-details]').textContent(), '12 attack flows of 40, max p 0.97; DoS 9, PortScan 3');
    const gwItem = page.locator('.alerts li', { hasText: 'client 203.0.113.1 blocked' });
    assert.equal(await gwItem.locator('[data-testid=alert-source]').textContent(), 'gateway');
    assert.equal(await gwItem.locator('[data-testid=alert-details]').count(), 0);
    await page.click('[data-testid=nav-statistics]');
    await page.locator('[data-testid=by-action] li', { hasText: 'Gateway errors: 1 ' }).waitFor({ timeout: 15_000 });
    await page.locator('[data-testid=by-action] li', { hasText: 'Allowed: 5 ' }).waitFor({ timeout: 15_000 });
    await page.locator('[data-testid=error-summary]', { hasText: 'Gateway errors in range: 1' }).waitFor({ timeout: 15_000 });
  });

  it('shows the server\'s message when an unblock fails on every gateway', async () => {
    const ip = '198.51.100.61';
    await page.click('[data-testid=nav-blocked]');
    await page.fill('[data-testid=block-ip-input]', ip);
    await page.click('[data-testid=block-ip-submit]');
    await page.locator('[data-testid=action-message]', { hasText: 'IP blocked for 60 minutes on 1 of 1 gateways' }).waitFor({ timeout: 15_000 });
    await page.locator(`tr[data-ip="${ip}"] [data-testid=block-status]`, { hasText: 'active' }).waitFor({ timeout: 15_000 });
    await gw.close();
    // the gateway cannot be asked any longer: the page says so instead of guessing
    await page.locator(`tr[data-ip="${ip}"] [data-testid=block-status]`, { hasText: 'unknown' }).waitFor({ timeout: 15_000 });
    await page.locator('[data-testid=unreachable]', { hasText: 'gw-ui' }).waitFor({ timeout: 15_000 });
    await page.click(`tr[data-ip="${ip}"] [data-testid=unblock]`);
    const msg = page.locator('[data-testid=action-message]', { hasText: 'Failed: IP unblocked on 0 of 1 gateways' });
    await msg.waitFor({ timeout: 15_000 });
    assert.match(await msg.textContent() ?? '', /gw-ui: .*ECONNREFUSED/);

    // the gateway cannot be asked for its counts: the Gateways page shows the last heartbeat's, each action apart
    await postJson(t.base, '/api/heartbeat', `Bearer ${INGEST_TOKEN}`, {
      gateway_id: 'gw-ui', admin_url: `http://127.0.0.1:${gw.adminPort}`, uptime_seconds: 9, requests_processed: 30,
      blocked_count: 4, throttled_count: 5, challenged_count: 6, error_count: 7,
    });
    await page.click('[data-testid=nav-gateways]');
    const counts = page.locator('[data-testid=gateway-actions]', { hasText: 'as of the last heartbeat' });
    await counts.waitFor({ timeout: 15_000 });
    assert.match(await counts.textContent() ?? '', /Blocked: 4 .*throttled: 5, challenged: 6, errors: 7/);
    assert.deepEqual(consoleErrors, []);
  });
});
