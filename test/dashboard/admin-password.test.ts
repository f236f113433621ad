import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { createLogger } from '../../src/core/logger.js';
import { createSystemClock } from '../../src/core/clock.js';
import { buildDashboardConfig } from '../../src/dashboard/config.js';
import { adminPasswordFileFor, startDashboard } from '../../src/dashboard/server.js';

const clock = createSystemClock();
const logger = createLogger({ level: 'silent' });

async function login(base: string, password: string): Promise<number> {
  const res = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password }) });
  await res.arrayBuffer();
  return res.status;
}

test('the admin is never locked out: the generated password is kept at once, DASHBOARD_ADMIN_PASSWORD resets it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dash-admin-'));
  const sqliteFile = join(dir, 'd.sqlite');
  const pwFile = adminPasswordFileFor(sqliteFile);
  const busy = createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
  const busyPort = (busy.address() as { port: number }).port;
  try {
    // a first start that fails after the database and the admin user were created (port taken)
    await assert.rejects(startDashboard(buildDashboardConfig({ port: busyPort, sqliteFile }), { clock, logger }), /EADDRINUSE/);
    assert.ok(existsSync(pwFile), 'the generated password is written beside the database although the start failed');
    assert.equal(statSync(pwFile).mode & 0o777, 0o600);
    const generated = /password: (\S+)/.exec(readFileSync(pwFile, 'utf8'))![1]!;

    // the next start without a password: the generated one works
    let h = await startDashboard(buildDashboardConfig({ port: 0, sqliteFile }), { clock, logger });
    try {
      assert.equal(h.generatedAdminPassword, undefined, 'no new password: the user exists');
      assert.equal(await login(h.url, generated), 200);
    } finally { await h.close(); }

    // a start with DASHBOARD_ADMIN_PASSWORD set: the existing admin's password becomes that one
    const configured = 'a-new-admin-password-42';
    h = await startDashboard(buildDashboardConfig({ port: 0, sqliteFile, adminPassword: configured }), { clock, logger });
    try {
      assert.equal(await login(h.url, configured), 200, 'the configured password opens the existing admin account');
      assert.equal(await login(h.url, generated), 401, 'the old password no longer does');
      assert.ok(!existsSync(pwFile), 'the stale generated password file is removed');
    } finally { await h.close(); }

    // and it stays in force on the next start without the variable
    h = await startDashboard(buildDashboardConfig({ port: 0, sqliteFile }), { clock, logger });
    try { assert.equal(await login(h.url, configured), 200); } finally { await h.close(); }
  } finally {
    await new Promise<void>((r) => busy.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  }
});
