import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../cli.ts', import.meta.url));

test('`backend` listens, logs the URL as JSON, serves pages and stops cleanly on SIGTERM', { timeout: 60_000 }, async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'backend', '--port', '0', '--host', '127.0.0.1', '--name', 'CLI Library'], {
    env: { ...process.env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
  try {
    const lines = createInterface({ input: child.stdout });
    let url = '';
    for await (const line of lines) {
      const rec = JSON.parse(line) as { msg: string; url?: string };
      if (rec.msg === 'listening') { url = rec.url ?? ''; break; }
    }
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/, stderr);
    const health = await (await fetch(`${url}/health`)).json() as { status: string; name: string };
    assert.deepEqual([health.status, health.name], ['healthy', 'CLI Library']);
    assert.equal((await fetch(`${url}/books`)).status, 200);
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = await exited;
    assert.equal(code, 0, stderr);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});
