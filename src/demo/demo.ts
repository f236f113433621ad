import type { Logger } from '../core/logger.js';
import type { Clock } from '../core/clock.js';
import { urlHost } from '../core/listen.js';
import { loadGatewayConfig } from '../config/load.js';
import { createDemoBackend } from '../backend/server.js';
import { startGatewayService } from '../gateway/service.js';

export interface DemoOptions {
  host: string;
  gatewayPort: number;
  adminPort: number;
  backendPort: number;
  env: Record<string, string | undefined>;
}

export interface Demo {
  urls: Record<string, string>;
  close(): Promise<void>;
}

/** Everything on one machine with embedded defaults: the demo backend and the gateway in front of it. */
export async function startDemo(opts: DemoOptions, deps: { logger: Logger; clock: Clock }): Promise<Demo> {
  const backend = createDemoBackend({ logger: deps.logger.child({ component: 'backend' }), clock: deps.clock });
  const backendPort = await backend.listen(opts.backendPort, '127.0.0.1');
  const loaded = loadGatewayConfig({
    env: { ...opts.env, BACKEND_TARGETS: undefined, BACKEND_URL: undefined },
    flags: { host: opts.host, port: opts.gatewayPort, adminPort: opts.adminPort, backend: [`http://127.0.0.1:${backendPort}`] },
  });
  if (!loaded.ok) {
    await backend.close();
    throw new Error(`invalid configuration:\n  - ${loaded.errors.join('\n  - ')}`);
  }
  let gw;
  try {
    gw = await startGatewayService(loaded.config, deps);
  } catch (e) {
    await backend.close();
    throw e;
  }
  const h = urlHost(opts.host === '0.0.0.0' ? '127.0.0.1' : opts.host);
  const adminHost = urlHost(loaded.config.admin.host);
  return {
    urls: {
      site: `http://${h}:${gw.port}/`,
      admin: `http://${adminHost}:${gw.adminPort}/`,
      metrics: `http://${adminHost}:${gw.adminPort}/metrics`,
      backend: `http://127.0.0.1:${backendPort}/`,
    },
    async close() {
      await gw.close();
      await backend.close();
    },
  };
}
