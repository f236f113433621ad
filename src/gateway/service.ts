import type { Logger } from '../core/logger.js';
import type { Clock } from '../core/clock.js';
import type { GatewayConfig } from '../config/schema.js';
import { createGateway, type Gateway, type GatewayDeps } from './gateway.js';
import { createAdminServer, type AdminServer, type AdminRoute } from '../admin/admin.js';

export interface GatewayService {
  gateway: Gateway;
  admin: AdminServer;
  /** Bound ports. */
  port: number;
  adminPort: number;
  close(): Promise<void>;
}

/** The gateway with its admin API, as `ddos-shield gateway` and `ddos-shield demo` run it. */
export async function startGatewayService(
  config: GatewayConfig,
  deps: { logger: Logger; clock: Clock; adminRoutes?: AdminRoute[] } & Omit<GatewayDeps, 'logger' | 'clock'>,
): Promise<GatewayService> {
  const gateway = createGateway(config, deps);
  const admin = createAdminServer(gateway, { logger: deps.logger, clock: deps.clock, routes: deps.adminRoutes ?? [] });
  const adminPort = await admin.listen();
  let port: number;
  try {
    port = await gateway.listen();
  } catch (e) {
    await admin.close();
    throw e;
  }
  return {
    gateway, admin, port, adminPort,
    async close() {
      await Promise.all([gateway.close(), admin.close()]);
    },
  };
}
