import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { request } from 'undici';
import { createLogger } from '../core/logger.js';
import { createAdminFront, type WorkerView } from './admin-front.js';

test('before any worker is ready: 503 with Retry-After and a message, logged at warn without a stack', async () => {
  const lines: Record<string, unknown>[] = [];
  const out = new PassThrough();
  out.on('data', (c: Buffer) => { for (const l of c.toString().split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>); });
  const starting: WorkerView[] = [
    { index: 0, pid: 101, adminPort: null, ready: false, restarts: 0, startedAt: Date.now() },
    { index: 1, pid: 102, adminPort: null, ready: false, restarts: 0, startedAt: Date.now() },
  ];
  const front = createAdminFront({
    logger: createLogger({ level: 'info', destination: out }), gatewayId: 'gw', workers: () => starting,
    metrics: async () => [], allowlistChanged: () => {},
  });
  const port = await front.listen(0, '127.0.0.1');
  try {
    for (const [method, path] of [['GET', '/stats'], ['GET', '/blocked-ips'], ['POST', '/block/10.0.0.1']] as const) {
      const res = await request(`http://127.0.0.1:${port}${path}`, { method });
      const body = await res.body.json() as { error: string };
      assert.equal(res.statusCode, 503, `${method} ${path}`);
      assert.equal(res.headers['retry-after'], '1');
      assert.match(body.error, /no gateway worker is ready yet .*retry/);
    }
    const workers = await request(`http://127.0.0.1:${port}/workers`);
    assert.equal(workers.statusCode, 200, 'GET /workers answers while they start');
    await workers.body.dump();
  } finally {
    await front.close();
  }
  const about = lines.filter((l) => typeof l.msg === 'string' && /no gateway worker is ready/.test(l.msg));
  assert.equal(about.length, 3, JSON.stringify(lines));
  for (const l of about) {
    assert.equal(l.level, 40, 'warn, not error');
    assert.equal(l.err, undefined, 'no error object (and so no stack)');
    assert.doesNotMatch(JSON.stringify(l), /stack|\n\s+at /);
    assert.equal(l.status, 503);
  }
  assert.ok(!lines.some((l) => (l.level as number) >= 50), 'nothing at error level');
});
