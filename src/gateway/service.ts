import { randomBytes } from 'node:crypto';
import type { Logger } from '../core/logger.js';
import type { Clock } from '../core/clock.js';
import type { GatewayConfig } from '../config/schema.js';
import { createCidrMatcher } from '../net/ip.js';
import { parseDetectionConfig } from '../detect/config.js';
import { createDetector } from '../detect/detector.js';
import { createChallenge } from '../detect/challenge/challenge.js';
import { createConnectionGuard } from '../detect/slow/guard.js';
import { createGateway, type Gateway, type GatewayDeps } from './gateway.js';
import { createGatewayMetrics } from './metrics.js';
import { createBlocklist, type BlockEntry } from '../blocking/blocklist.js';
import { createSharedBlocklist } from '../blocking/shared-blocklist.js';
import { createRedisLink } from '../core/redis-link.js';
import { createSharedCounts, redisCountsTransport, type SharedCounts } from '../detect/shared-counts.js';
import { createDetectionGuard } from './detection.js';
import { createEventShipper, type EventShipper } from './events/shipper.js';
import { buildRequestEvent, heartbeatCounts, requestEvent } from './request-event.js';
import { VERSION } from '../admin/admin.js';
import { createAdminServer, type AdminServer, type AdminRoute } from '../admin/admin.js';
import type { WorkerLink } from '../cluster/worker-link.js';

export interface GatewayService {
  gateway: Gateway;
  admin: AdminServer;
  /** Bound ports. */
  port: number;
  adminPort: number;
  close(): Promise<void>;
}

type ServiceDeps = {
  logger: Logger;
  clock: Clock;
  adminRoutes?: AdminRoute[];
  /**
   * Set in a worker of `gateway.workers` > 1: blocks and request counts are shared with the other
   * workers through the primary (unless Redis is configured), and the admin API listens on a
   * private loopback port for the primary's admin API. Its request events carry the gateway's id
   * (one gateway to the dashboard, whatever its number of workers); the heartbeat is the primary's.
   */
  worker?: { link: WorkerLink; blocks: readonly BlockEntry[] };
} & Omit<GatewayDeps, 'logger' | 'clock'>;

/**
 * The composition root of `ddos-shield gateway` and `ddos-shield demo`: the gateway with the
 * detection engine (unless disabled), the challenge, the slow-attack guard and the admin API.
 */
export async function startGatewayService(config: GatewayConfig, deps: ServiceDeps): Promise<GatewayService> {
  const { logger, clock } = deps;
  const metrics = deps.metrics ?? createGatewayMetrics();
  const closers: (() => void)[] = [];
  const adminRoutes = [...(deps.adminRoutes ?? [])];
  const localBlocklist = createBlocklist({ clock, maxEntries: config.blocking.maxEntries, onChange: (n) => metrics.blocklistSize.set(n) });
  // replicas share blocks and per-client request counts through Redis when it is configured;
  // lookups and decisions stay local either way
  const link = config.redis.url ? await createRedisLink({ url: config.redis.url, logger, registry: metrics.registry }) : null;
  const keyPrefix = config.redis.keyPrefix;
  const shared = link ? createSharedBlocklist({ local: localBlocklist, link, keyPrefix, clock, logger, registry: metrics.registry }) : null;
  if (shared) await shared.ready;
  const worker = deps.worker?.link;
  // the live blocks of the cluster, before the first connection
  for (const e of deps.worker?.blocks ?? []) localBlocklist.restore(e);
  // workers without Redis share through the primary
  const blocklist = shared ?? (worker ? worker.shareBlocklist(localBlocklist, metrics.registry) : localBlocklist);
  const countsTransport = link ? redisCountsTransport(link, keyPrefix) : worker?.countsTransport;
  let sharedCounts: SharedCounts | null = null;
  const closeShared = async () => {
    sharedCounts?.close();
    shared?.close();
    await link?.close();
  };
  let gatewayDeps: GatewayDeps = { ...deps, metrics, blocklist };

  if (config.detection.enabled) {
    const { enabled: _enabled, ...detectionInput } = config.detection;
    const detector = createDetector({ config: parseDetectionConfig(detectionInput), clock, logger, registry: metrics.registry });
    const secret = config.challenge.secret || randomBytes(32);
    const challenge = createChallenge({ secret, difficulty: config.challenge.difficulty, ttlSec: config.challenge.ttlSec, noJsDelaySec: config.challenge.noJsDelaySec, clock, registry: metrics.registry });
    const sg = config.slowGuard;
    const connectionGuard = sg.enabled
      ? createConnectionGuard({ maxConnsPerClient: sg.maxConnsPerClient, headerMinBytesPerSec: sg.headerMinBytesPerSec, bodyMinBytesPerSec: sg.bodyMinBytesPerSec, stalledReadTimeoutMs: sg.stalledReadTimeoutMs, shadow: config.detection.shadow, clock, registry: metrics.registry, logger })
      : null;
    if (countsTransport) sharedCounts = createSharedCounts({ transport: countsTransport, registry: metrics.registry, onRemote: (key, n) => detector.remote(key, n) });
    const parts = createDetectionGuard(
      { detector, challenge, connectionGuard, ipv6Prefix: config.detection.ipv6Prefix, sharedCounts, explainDecisions: Boolean(config.dashboard.url) || deps.onRequestDone !== undefined },
      { blocklist, clock, logger, trusted: createCidrMatcher(config.gateway.trustedProxies) },
    );
    gatewayDeps = {
      ...gatewayDeps,
      guards: [...(deps.guards ?? []), parts.guard],
      shieldRoutes: [...(deps.shieldRoutes ?? []), parts.challengeRoute],
      ...(parts.onConnection ? { onConnection: parts.onConnection } : {}),
    };
    adminRoutes.push(parts.explainRoute);
    closers.push(() => detector.close(), () => connectionGuard?.close());
    if (config.detection.shadow) logger.warn('shadow mode: detection decisions are recorded, not enforced');
  }

  let shipper: EventShipper | null = null;
  const ref: { gateway?: Gateway } = {};
  let adminPort = 0;
  if (config.dashboard.url) {
    const id = config.gateway.id;
    const s = createEventShipper({
      url: config.dashboard.url, token: config.dashboard.token, gatewayId: id, clock, logger, registry: metrics.registry,
      // a worker of several sends no heartbeat: the primary sends the gateway's, with every worker's counts
      ...(deps.worker ? {} : {
        heartbeat: () => {
          const st = ref.gateway!.stats.snapshot();
          const adminHost = config.admin.host.includes(':') ? `[${config.admin.host}]` : config.admin.host;
          return {
            gateway_id: id, admin_url: `http://${adminHost}:${adminPort}`, version: VERSION,
            ...heartbeatCounts(st),
            backends: ref.gateway!.pool.backends.map((b) => ({ url: b.url, healthy: b.healthy })),
          };
        },
      }),
    });
    const prior = deps.onRequestDone;
    const priorBlocked = deps.onBlockedRequest;
    gatewayDeps = {
      ...gatewayDeps,
      onRequestDone: (ctx) => { prior?.(ctx); s.push(requestEvent(ctx, id, clock.monotonic())); },
      onBlockedRequest: (clientIp, r) => {
        priorBlocked?.(clientIp, r);
        s.push(buildRequestEvent({
          receivedAt: r.receivedAt, clientIp, url: r.url, method: r.method, userAgent: r.userAgent, status: r.status, bytes: r.bytes,
          elapsedMs: clock.monotonic() - r.startedAt, action: 'block', reason: 'blocklist', score: null, shadowAction: null,
        }, id));
      },
    };
    shipper = s;
  }

  const gateway = createGateway(config, gatewayDeps);
  ref.gateway = gateway;
  const admin = createAdminServer(gateway, { logger, clock, routes: adminRoutes, private: worker !== undefined });
  let port: number;
  try {
    adminPort = worker ? await admin.listen(0, '127.0.0.1') : await admin.listen();
    worker?.serveMetrics(metrics.registry);
    port = await gateway.listen();
  } catch (e) {
    // a listener that cannot bind: close everything made so far, so that an embedding caller keeps nothing open
    await Promise.allSettled([gateway.close(), admin.close()]);
    for (const c of closers) c();
    await closeShared();
    throw e;
  }
  shipper?.start();
  return {
    gateway, admin, port, adminPort,
    async close() {
      await Promise.all([gateway.close(), admin.close()]);
      await shipper?.close();
      for (const c of closers) c();
      await closeShared();
    },
  };
}
