import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { createSystemClock } from '../../core/clock.js';
import { createChallenge } from './challenge.js';
import { startChallengeSite } from './test-server.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const skip = !CHROMIUM && !process.env.CI ? 'Chromium not installed (apt-get install chromium)' : false;
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

test('real Chromium solves the proof of work and lands on the page it asked for; without JavaScript it gets through after the wait', { skip, timeout: 120_000 }, async () => {
  assert.ok(CHROMIUM, 'Chromium is required when CI is set');
  const ch = createChallenge({ secret: 'browser-test-secret-0123456789', difficulty: 14, ttlSec: 600, clock: createSystemClock(), noJsDelaySec: 2 });
  const site = await startChallengeSite(ch);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  try {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${site.base}/books/42?x=1`);
    await page.waitForSelector('#welcome', { timeout: 60_000 });
    assert.equal(new URL(page.url()).pathname + new URL(page.url()).search, '/books/42?x=1');
    const pass = (await ctx.cookies()).find((c) => c.name === 'shield_pass');
    assert.ok(pass?.httpOnly);
    // The cookie carries later requests straight through.
    const again = await page.goto(`${site.base}/other`);
    assert.equal(again?.status(), 200);
    assert.deepEqual(errors, []);

    const noJs = await browser.newContext({ javaScriptEnabled: false });
    const p2 = await noJs.newPage();
    await p2.goto(`${site.base}/slow`);
    assert.match(await p2.content(), /JavaScript is off/);
    await p2.waitForSelector('#welcome', { timeout: 60_000 });
    assert.equal(new URL(p2.url()).pathname, '/slow');
  } finally {
    await browser.close();
    await site.close();
  }
});
