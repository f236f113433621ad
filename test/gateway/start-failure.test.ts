// A gateway service that cannot bind closes what it had made: embedded in a process, it leaves
// nothing running (a Redis connection, the detector's timers, the health checks), so the process
// ends by itself once the caller has the error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { redisSkip } from './helpers.js';
import { once } from 'node:events';

const skip = await redisSkip();

const SCRIPT = `
import { startGatewayService } from './src/gateway/service.ts';
import { createSystemClock } from './src/core/clock.ts';
import { createLogger } from './src/core/logger.ts';
import { testConfig } from './test/gateway/helpers.ts';
const [which, port] = process.argv.slice(-2);
const config = testConfig({
  backends: { targets: [{ url: 'http://127.0.0.1:9' }], healthCheck: { intervalMs: 1000, unhealthyIntervalMs: 1000 } },
  redis: { url: 'redis://127.0.0.1:6379', keyPrefix: 'ddos-shield-test-start-failure:' },
  [which]: { host: '127.0.0.1', port: Number(port) },
});
try {
  await startGatewayService(config, { logger: createLogger({ level: 'silent' }), clock: createSystemClock() });
  console.log('started');
} catch (e) {
  console.log('failed', e.code);
}
`;

for (const which of ['admin', 'gateway'] as const) {
  test(`with its ${which} port in use the service fails, and the process ends by itself`, { skip, timeout: 30_000 }, async () => {
    const holder = createServer();
    holder.listen(0, '127.0.0.1');
    await once(holder, 'listening');
    const port = (holder.address() as { port: number }).port;
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SCRIPT, which, String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
      child.stderr.on('data', (c: Buffer) => { out += c.toString(); });
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const [code, signal] = await once(child, 'exit') as [number | null, string | null];
      clearTimeout(timer);
      assert.match(out, /failed EADDRINUSE/, out);
      assert.equal(signal, null, `the process had to be killed: something was left open\n${out}`);
      assert.equal(code, 0, out);
    } finally {
      holder.close();
    }
  });
}
