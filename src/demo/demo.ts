import type { Logger } from '../core/logger.js';
import type { Clock } from '../core/clock.js';
import { urlHost } from '../core/listen.js';
import { loadGatewayConfig } from '../config/load.js';
import { createDemoBackend } from '../backend/server.js';
import { startGatewayService } from '../gateway/service.js';
import { buildDashboardConfig } from '../dashboard/config.js';
import { adminPasswordFileFor, startDashboard } from '../dashboard/server.js';
import { compileIdsConfig } from '../ids/config.js';
import { loadIdsModel } from '../ids/model.js';
import { createIdsServer } from '../ids/server.js';

export interface DemoOptions {
  host: string;
  gatewayPort: number;
  adminPort: number;
  backendPort: number;
  dashboardPort: number;
  idsPort: number;
  /** SQLite file of the dashboard. */
  sqliteFile: string;
  /** Directory of the built dashboard UI ('' = API only). */
  webDir: string;
  env: Record<string, string | undefined>;
}

export interface Demo {
  urls: Record<string, string>;
  /** Printed once: the dashboard's admin password when it was generated at this start. */
  notes: string[];
  close(): Promise<void>;
}

/**
 * Everything on one machine with embedded defaults: the demo backend, the gateway in front of
 * it shipping its events to the dashboard, the dashboard, and the flow IDS API.
 */
export async function startDemo(opts: DemoOptions, deps: { logger: Logger; clock: Clock }): Promise<Demo> {
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async () => { for (const c of closers.reverse()) await c().catch(() => undefined); };
  try {
    const backend = createDemoBackend({ logger: deps.logger.child({ component: 'backend' }), clock: deps.clock });
    const backendPort = await backend.listen(opts.backendPort, '127.0.0.1');
    closers.push(() => backend.close());

    const dashboard = await startDashboard(buildDashboardConfig({
      host: '127.0.0.1', port: opts.dashboardPort, sqliteFile: opts.sqliteFile, webDir: opts.webDir,
      adminPassword: opts.env.DASHBOARD_ADMIN_PASSWORD ?? '', gatewayAdminToken: opts.env.ADMIN_TOKEN ?? '',
    }), deps);
    closers.push(() => dashboard.close());

    const loaded = loadGatewayConfig({
      env: { ...opts.env, BACKEND_TARGETS: undefined, BACKEND_URL: undefined, DASHBOARD_URL: dashboard.url, DASHBOARD_TOKEN: dashboard.ingestToken },
      flags: { host: opts.host, port: opts.gatewayPort, adminPort: opts.adminPort, backend: [`http://127.0.0.1:${backendPort}`] },
    });
    if (!loaded.ok) throw new Error(`invalid configuration:\n  - ${loaded.errors.join('\n  - ')}`);
    const gw = await startGatewayService(loaded.config, deps);
    closers.push(() => gw.close());

    const idsConfig = compileIdsConfig({ host: '127.0.0.1', port: opts.idsPort, dashboardUrl: dashboard.url, dashboardToken: dashboard.ingestToken });
    // the IDS posts its alerts to the dashboard's POST /api/alerts with the dashboard's ingestion token;
    // it takes its own `component: "ids"` child of the logger, like the dashboard and the gateway
    const ids = createIdsServer(idsConfig, { model: loadIdsModel(idsConfig.modelDir), logger: deps.logger, clock: deps.clock });
    const idsPort = await ids.listen();
    closers.push(() => ids.close());

    const h = urlHost(opts.host === '0.0.0.0' ? '127.0.0.1' : opts.host);
    const adminHost = urlHost(loaded.config.admin.host);
    return {
      urls: {
        site: `http://${h}:${gw.port}/`,
        dashboard: `${dashboard.url}/`,
        admin: `http://${adminHost}:${gw.adminPort}/`,
        metrics: `http://${adminHost}:${gw.adminPort}/metrics`,
        ids: `http://127.0.0.1:${idsPort}/`,
        backend: `http://127.0.0.1:${backendPort}/`,
      },
      notes: dashboard.generatedAdminPassword
        ? [`dashboard login: user "admin", password ${dashboard.generatedAdminPassword} (created now; also in ${adminPasswordFileFor(opts.sqliteFile)})`]
        : opts.env.DASHBOARD_ADMIN_PASSWORD
          ? ['dashboard login: user "admin" with the password of DASHBOARD_ADMIN_PASSWORD']
          : [`dashboard login: user "admin" with the password shown at its first start (kept in ${adminPasswordFileFor(opts.sqliteFile)}; `
            + 'or start with DASHBOARD_ADMIN_PASSWORD set, which resets it)'],
      close: closeAll,
    };
  } catch (e) {
    await closeAll();
    throw e;
  }
}
