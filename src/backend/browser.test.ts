import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { startTestBackend } from './testing.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const skip = !CHROMIUM && !process.env.CI ? 'Chromium not installed (apt-get install chromium)' : false;

test('a real browser loads every asset, fills the recent box over XHR and logs in', { skip, timeout: 90_000 }, async () => {
  assert.ok(CHROMIUM, 'Chromium is required when CI is set');
  const app = await startTestBackend();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage();
    const failures: string[] = [];
    const seen = new Set<string>();
    page.on('response', (r) => {
      seen.add(`${r.request().resourceType()} ${new URL(r.url()).pathname}`);
      if (r.status() >= 400) failures.push(`${r.status()} ${r.url()}`);
    });
    page.on('console', (m) => { if (m.type() === 'error') failures.push(`console: ${m.text()}`); });
    page.on('pageerror', (e) => failures.push(`page error: ${e.message}`));

    await page.goto(`${app.base}/`);
    await page.waitForSelector('#recent-list[data-loaded="true"]', { timeout: 30_000 });
    assert.equal(await page.locator('#recent-list li').count(), 5);
    assert.equal(await page.getAttribute('header.site nav a[href="/"]', 'aria-current'), 'page');
    for (const kind of ['stylesheet /static/app.css', 'script /static/app.js', 'fetch /api/books']) assert.ok(seen.has(kind), kind);
    assert.ok([...seen].some((s) => s.startsWith('image /static/covers/')));

    await page.click('header.site nav a[href="/books"]');
    await page.click('a[rel="next"]');
    await page.click('table.books a >> nth=0');
    assert.match(page.url(), /\/books\/\d+$/);
    assert.ok(await page.locator('article.detail img').evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth > 0));

    await page.goto(`${app.base}/account`);
    assert.match(page.url(), /\/login\?next=%2Faccount$/);
    await page.fill('input[name="username"]', 'reader');
    await page.fill('input[name="password"]', 'reader');
    await page.click('form.login button[type="submit"]');
    await page.waitForURL('**/account', { timeout: 30_000 });
    assert.match(await page.locator('h1').innerText(), /Your account/);
    const sid = (await page.context().cookies()).find((c) => c.name === 'sid');
    assert.ok(sid?.httpOnly);
    assert.equal(sid?.sameSite, 'Lax');
    assert.deepEqual(failures, []);
  } finally {
    await browser.close();
    await app.close();
  }
});
