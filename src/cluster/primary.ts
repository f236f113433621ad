import cluster, { type Worker } from 'node:cluster';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { BlockEntry } from '../blocking/blocklist.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { gatewayStartFlags, missingNodeFlags } from '../core/v8-flags.js';
import { urlHost } from '../core/listen.js';
import type { GatewayConfig } from '../config/schema.js';
import { Registry } from 'prom-client';
import { VERSION } from '../admin/admin.js';
import { createEventShipper, type EventShipper } from '../gateway/events/shipper.js';
import type { GatewayHeartbeat } from '../gateway/events/types.js';
import { heartbeatCounts } from '../gateway/request-event.js';
import { createAdminFront, type ClusterSummary, type WorkerView } from './admin-front.js';
import { StartFailure } from '../cli/start-error.js';
import { toPrimary, type ToPrimary, type ToWorker } from './messages.js';

/** The worker entry beside this file: built JavaScript, or the TypeScript source when run through tsx. */
const WORKER_MAIN = fileURLToPath(new URL(`./worker-main${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url));

export interface ClusterPrimaryDeps {
  logger: Logger;
  clock: Clock;
  /** Before a crashed worker is started again (ms); default 1000. */
  restartDelayMs?: number;
  /** How long a worker's metrics may take (ms); default 5000. */
  metricsTimeoutMs?: number;
}

export interface ClusterPrimary {
  /** The public port, shared by the workers. */
  port: number;
  adminPort: number;
  workers(): WorkerView[];
  /** Stops every worker gracefully (each drains its in-flight requests), then the admin API. */
  close(): Promise<void>;
}

interface Slot extends WorkerView { worker: Worker | null; port: number | null; failure: string | null }

/**
 * `gateway.workers` > 1: the primary forks that many gateway workers (node:cluster). They share
 * the public listening socket, and each accepts connections from it itself (SCHED_NONE: the
 * kernel hands each connection to one of them, no relay through the primary). The primary holds
 * no client traffic: it passes blocks, unblocks and per-client request counts from each worker to
 * the others (and keeps the live blocks for workers that start later), runs the admin API over
 * all of them, and starts a worker again when one dies. One challenge secret for all, so that a
 * solved challenge is accepted by every worker. With Redis configured the workers share through
 * Redis like replicas instead, and the primary only runs the admin API and the restarts.
 */
export async function startClusterPrimary(config: GatewayConfig, deps: ClusterPrimaryDeps): Promise<ClusterPrimary> {
  const { logger, clock } = deps;
  const log = logger.child({ component: 'cluster' });
  const count = config.gateway.workers;
  const restartDelay = deps.restartDelayMs ?? 1000;
  const secret = config.challenge.secret || randomBytes(32).toString('hex');
  const viaRedis = config.redis.url !== '';
  let allowlist = [...config.blocking.allowlist];
  const blocks = new Map<string, BlockEntry>();
  let closing = false;
  let adminUrl = '';

  cluster.schedulingPolicy = cluster.SCHED_NONE;
  cluster.setupPrimary({ exec: WORKER_MAIN, args: [], execArgv: [...process.execArgv, ...missingNodeFlags(gatewayStartFlags(config.gateway))] });

  const slots: Slot[] = Array.from({ length: count }, (_, index) => ({
    index, worker: null, pid: null, port: null, adminPort: null, ready: false, restarts: -1, startedAt: clock.now(), failure: null,
  }));
  let started: { resolve(): void; reject(e: Error): void } | null = null;
  const allStarted = new Promise<void>((resolve, reject) => { started = { resolve, reject }; });

  const liveBlocks = () => {
    const now = clock.now();
    for (const [ip, e] of blocks) if (e.expiresAt <= now) blocks.delete(ip);
    return [...blocks.values()];
  };
  const workerConfig = (): GatewayConfig => ({
    ...config,
    // the gateway's own id: one gateway to the dashboard and to an operator, whatever its number of workers
    gateway: { ...config.gateway, workers: 1 },
    challenge: { ...config.challenge, secret },
    blocking: { ...config.blocking, allowlist },
  });
  const send = (w: Worker, m: ToWorker) => { if (w.isConnected()) w.send(m); };
  const others = (from: Worker, m: ToWorker) => { for (const s of slots) if (s.worker && s.worker !== from) send(s.worker, m); };

  let nextMetricsId = 1;
  const metricsWaiting = new Map<number, (metrics: unknown[]) => void>();

  function onMessage(slot: Slot, w: Worker, raw: unknown): void {
    const m: ToPrimary | null = toPrimary(raw);
    if (!m) return;
    switch (m.t) {
      case 'hello':
        send(w, { t: 'start', index: slot.index, config: workerConfig(), blocks: viaRedis ? [] : liveBlocks(), adminUrl });
        return;
      case 'ready':
        slot.ready = true;
        slot.port = m.port;
        slot.adminPort = m.adminPort;
        log.info({ worker: slot.index, pid: slot.pid, port: m.port }, 'worker ready');
        if (slots.every((s) => s.ready)) started?.resolve();
        return;
      case 'failed':
        slot.failure = m.message;
        if (!started) log.error({ worker: slot.index, pid: slot.pid }, m.message);
        return;
      case 'block': blocks.set(m.entry.ip, m.entry); return others(w, m);
      case 'unblock': blocks.delete(m.ip); return others(w, m);
      case 'counts': return others(w, m);
      case 'metrics': metricsWaiting.get(m.id)?.(m.metrics); return;
    }
  }

  function fork(slot: Slot): void {
    const w = cluster.fork();
    Object.assign(slot, { worker: w, pid: w.process.pid ?? null, port: null, adminPort: null, ready: false, startedAt: clock.now(), failure: null });
    slot.restarts++;
    w.on('message', (raw: unknown) => onMessage(slot, w, raw));
    w.on('exit', (code, signal) => {
      if (slot.worker === w) Object.assign(slot, { worker: null, ready: false, adminPort: null });
      if (closing) return;
      if (started) {
        // a worker that dies before all of them listen (a port in use, say) fails the start
        started.reject(slot.failure !== null ? new StartFailure(slot.failure) : new Error(`gateway worker ${slot.index} exited with ${signal ?? code} while starting`));
        return;
      }
      log.error({ worker: slot.index, pid: w.process.pid, code, signal }, 'worker died; starting another');
      setTimeout(() => { if (!closing) fork(slot); }, restartDelay).unref();
    });
  }

  function metrics(): Promise<unknown[][]> {
    const live = slots.filter((s) => s.ready && s.worker);
    return Promise.all(live.map((s) => new Promise<unknown[]>((resolve) => {
      const id = nextMetricsId++;
      const timer = setTimeout(() => { metricsWaiting.delete(id); log.warn({ worker: s.index }, 'worker metrics timed out'); resolve([]); }, deps.metricsTimeoutMs ?? 5000);
      metricsWaiting.set(id, (m) => { clearTimeout(timer); metricsWaiting.delete(id); resolve(m); });
      send(s.worker as Worker, { t: 'metrics', id });
    })));
  }

  const workers = (): WorkerView[] => slots.map(({ index, pid, adminPort, ready, restarts, startedAt }) => ({ index, pid, adminPort, ready, restarts, startedAt }));
  // the primary's own metrics (its heartbeats to the dashboard), aggregated with the workers'
  const ownRegistry = new Registry();
  const allMetrics = async (): Promise<unknown[][]> => [...await metrics(), await ownRegistry.getMetricsAsJSON()];
  const front = createAdminFront({ logger, gatewayId: config.gateway.id, workers, metrics: allMetrics, allowlistChanged: (list) => { allowlist = list; } });

  async function stopWorkers(): Promise<void> {
    closing = true;
    const exits = slots.flatMap((s) => (s.worker && !s.worker.isDead() ? [new Promise<void>((r) => s.worker!.once('exit', () => r()))] : []));
    for (const s of slots) if (s.worker) send(s.worker, { t: 'stop' });
    const grace = setTimeout(() => { for (const s of slots) s.worker?.process.kill('SIGKILL'); }, config.gateway.shutdownGraceMs + 5000);
    await Promise.all(exits);
    clearTimeout(grace);
  }

  const adminPort = await front.listen(config.admin.port, config.admin.host);
  adminUrl = `http://${urlHost(config.admin.host)}:${adminPort}`;
  log.info({ workers: count, shared: viaRedis ? 'redis' : 'primary' }, 'starting gateway workers');
  for (const s of slots) fork(s);
  try {
    await allStarted;
  } catch (err) {
    await stopWorkers();
    await front.close();
    throw err;
  }
  started = null;
  // the gateway's one heartbeat to the dashboard, with the counts of every worker (the workers send only request events)
  let heartbeats: EventShipper | null = null;
  if (config.dashboard.url) {
    heartbeats = createEventShipper({
      url: config.dashboard.url, token: config.dashboard.token, gatewayId: config.gateway.id, clock, logger, registry: ownRegistry,
      heartbeat: async () => {
        const s = await front.summary();
        return s ? clusterHeartbeat(s, { gatewayId: config.gateway.id, adminUrl }) : null;
      },
    });
    heartbeats.start();
  }
  const port = slots[0]?.port ?? 0;
  log.info({ url: `http://${urlHost(config.gateway.host)}:${port}`, workers: count }, 'gateway listening');
  return {
    port, adminPort, workers,
    async close() {
      await heartbeats?.close();
      await stopWorkers();
      await front.close();
    },
  };
}

/** The heartbeat of a gateway with several workers: the counts of `GET /stats` (summed), each backend once. */
export function clusterHeartbeat(s: ClusterSummary, self: { gatewayId: string; adminUrl: string }): GatewayHeartbeat {
  const n = (k: string): number => { const v = s.statistics[k]; return typeof v === 'number' && Number.isFinite(v) ? v : 0; };
  return {
    gateway_id: self.gatewayId, admin_url: self.adminUrl, version: VERSION,
    ...heartbeatCounts({
      total_requests: n('total_requests'), allowed_requests: n('allowed_requests'), blocked_requests: n('blocked_requests'),
      throttled_requests: n('throttled_requests'), challenged_requests: n('challenged_requests'), error_responses: n('error_responses'),
      client_closed: n('client_closed'), start_time: String(s.statistics.start_time ?? ''), uptime_seconds: n('uptime_seconds'),
    }),
    backends: Object.entries(s.backend_health).map(([url, healthy]) => ({ url, healthy })),
  };
}
