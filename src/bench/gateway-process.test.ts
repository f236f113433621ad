import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { startNginx, nginxAvailable } from '../peers/nginx.js';
import { skipUnlessTool } from '../peers/skip-unless.js';
import { startGatewayProcess } from './gateway-process.js';

const skip = skipUnlessTool(nginxAvailable(), 'nginx', 'apt-get install nginx-light');

test('refuses to start without a built CLI, saying how to build it', async () => {
  await assert.rejects(startGatewayProcess({ cli: 'no/such/cli.js', backendUrl: 'http://127.0.0.1:9' }), /npm run build/);
});

test('the gateway process proxies to nginx and answers 403 once the client is blocked', { skip }, async () => {
  const backend = await startNginx({ http: { kind: 'static' } });
  try {
    const gw = await startGatewayProcess({
      cli: 'src/cli.ts', nodeArgs: ['--import', import.meta.resolve('tsx')], backendUrl: backend.url, extraArgs: ['--log-level', 'warn'], startTimeoutMs: 60_000,
    });
    try {
      const ok = await request(`${gw.url}/page`);
      assert.equal(ok.statusCode, 200);
      assert.equal((await ok.body.text()).length, 1024);
      assert.ok(gw.pids().length >= 1);
      await gw.block('127.0.0.1', 5, 'test');
      const blocked = await request(`${gw.url}/page`);
      await blocked.body.dump();
      assert.equal(blocked.statusCode, 403);
      assert.equal(blocked.headers['x-shield-action'], 'block');
    } finally {
      await gw.stop();
    }
  } finally {
    await backend.stop();
  }
});
