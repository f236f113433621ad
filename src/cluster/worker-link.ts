import { Counter, type Registry } from 'prom-client';
import type { Blocklist } from '../blocking/blocklist.js';
import type { CountsTransport } from '../detect/shared-counts.js';
import type { Logger } from '../core/logger.js';
import { toWorker, type ToPrimary, type ToWorker } from './messages.js';
import { parseIp } from '../net/ip.js';

/** The worker's end of the IPC channel to the cluster primary (`process` in a cluster worker). */
export interface IpcEnd {
  send(m: ToPrimary): void;
  onMessage(fn: (m: unknown) => void): void;
  connected(): boolean;
}

export function processIpc(proc: NodeJS.Process = process): IpcEnd {
  return {
    send: (m) => { if (proc.connected && proc.send) proc.send(m); },
    onMessage: (fn) => { proc.on('message', fn); },
    connected: () => proc.connected === true,
  };
}

/**
 * A worker's share of the cluster state, through the primary: blocks and unblocks made here are
 * applied at once and sent to the primary, which passes them to the other workers (and keeps
 * them for workers started later); request counts travel the same way. Lookups stay local.
 */
export interface WorkerLink {
  readonly index: number;
  /** Wraps the worker's own blocklist so that its changes reach the other workers, and theirs it. */
  shareBlocklist(local: Blocklist, registry: Registry): Blocklist;
  readonly countsTransport: CountsTransport;
  /** Answers the primary's requests for this worker's metrics from `registry`. */
  serveMetrics(registry: Registry): void;
  /** Tells the primary that the worker listens. */
  ready(port: number, adminPort: number): void;
}

export function createWorkerLink(ipc: IpcEnd, index: number, logger: Logger): WorkerLink {
  const log = logger.child({ component: 'worker-link' });
  const handlers: { [K in ToWorker['t']]?: (m: Extract<ToWorker, { t: K }>) => void } = {};
  ipc.onMessage((raw) => {
    const m = toWorker(raw);
    if (!m) return; // node:cluster's own messages, or the start message handled by worker-main
    const h = handlers[m.t] as ((m: ToWorker) => void) | undefined;
    h?.(m);
  });
  return {
    index,
    shareBlocklist(local, registry) {
      const updates = new Counter({ name: 'ddos_shield_shared_blocklist_updates_total', help: 'Blocklist changes sent to or received from the other workers', labelNames: ['op', 'direction'] as const, registers: [registry] });
      for (const op of ['block', 'unblock']) for (const d of ['sent', 'received']) updates.labels(op, d).inc(0);
      handlers.block = (m) => { local.restore(m.entry); updates.labels('block', 'received').inc(); };
      handlers.unblock = (m) => { local.unblock(m.ip); updates.labels('unblock', 'received').inc(); };
      return {
        get: (ip) => local.get(ip),
        block(ip, opts) {
          const entry = local.block(ip, opts);
          ipc.send({ t: 'block', entry });
          updates.labels('block', 'sent').inc();
          return entry;
        },
        unblock(ip) {
          const had = local.unblock(ip);
          // the primary deletes by key: it gets the canonical form whatever the caller's spelling
          ipc.send({ t: 'unblock', ip: parseIp(ip) ?? ip });
          updates.labels('unblock', 'sent').inc();
          return had;
        },
        restore: (e) => local.restore(e),
        list: () => local.list(),
        size: () => local.size(),
        sweep: () => local.sweep(),
      };
    },
    countsTransport: {
      name: 'primary',
      connected: () => ipc.connected(),
      publish: (text) => { ipc.send({ t: 'counts', text }); return Promise.resolve(); },
      subscribe: (onText) => { handlers.counts = (m) => onText(m.text); },
      failed: (op, err) => log.warn({ op, err }, 'sharing request counts with the other workers failed'),
    },
    serveMetrics(registry) {
      handlers.metrics = (m) => {
        registry.getMetricsAsJSON().then(
          (metrics) => ipc.send({ t: 'metrics', id: m.id, metrics }),
          (err: unknown) => { log.error({ err }, 'metrics for the primary failed'); ipc.send({ t: 'metrics', id: m.id, metrics: [] }); },
        );
      };
    },
    ready(port, adminPort) {
      ipc.send({ t: 'ready', port, adminPort });
    },
  };
}
