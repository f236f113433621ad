import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { BlockEntry, Blocklist } from './blocklist.js';

export interface SharedBlocklistOptions {
  /** The gateway's own blocklist: every lookup is answered from it, never from Redis. */
  local: Blocklist;
  /** redis:// or rediss:// URL. */
  url: string;
  /** Prefix of every key and of the channel, so that several deployments can share one Redis. */
  keyPrefix: string;
  clock: Clock;
  logger: Logger;
  registry: Registry;
  /** Connect timeout per attempt (ms); default 2000. */
  connectTimeoutMs?: number;
}

export interface SharedBlocklist extends Blocklist {
  /** Settles once the first connection attempt ended: blocks already in Redis are loaded, or Redis is away (local state only). */
  readonly ready: Promise<void>;
  connected(): boolean;
  close(): Promise<void>;
}

type Message = { op: 'block'; entry: BlockEntry; from: string } | { op: 'unblock'; ip: string; from: string };

function isEntry(v: unknown): v is BlockEntry {
  const e = v as BlockEntry;
  return typeof e === 'object' && e !== null && typeof e.ip === 'string' && typeof e.reason === 'string' && typeof e.source === 'string'
    && Number.isFinite(e.blockedAt) && Number.isFinite(e.expiresAt);
}

function parseMessage(text: string): Message | null {
  try {
    const m = JSON.parse(text) as Message;
    if (typeof m.from !== 'string') return null;
    if (m.op === 'block' && isEntry(m.entry)) return m;
    if (m.op === 'unblock' && typeof m.ip === 'string') return m;
  } catch {
    // counted by the caller
  }
  return null;
}

/**
 * The blocklist shared by gateway replicas through Redis. Lookups stay local (the hot path never
 * waits on Redis); a block or unblock is applied locally at once, then written to Redis (a key per
 * address with the block's remaining time as TTL) and published, and every other replica applies
 * it on the message, well within a second. A replica that starts, or reconnects, loads the keys.
 * While Redis is away the gateway serves on its local state (fail open); the changes it made
 * meanwhile are written and published when Redis is back. Every failed Redis call is counted.
 */
export function createSharedBlocklist(o: SharedBlocklistOptions): SharedBlocklist {
  const { local, clock } = o;
  const log = o.logger.child({ component: 'shared-blocklist' });
  const self = randomBytes(8).toString('hex'); // this process, so that it skips its own messages
  const channel = `${o.keyPrefix}blocklist`;
  const keyOf = (ip: string) => `${o.keyPrefix}block:${ip}`;
  const options = {
    lazyConnect: true,
    enableOfflineQueue: false, // a command while disconnected fails at once (counted), nothing piles up
    maxRetriesPerRequest: 1,
    connectTimeout: o.connectTimeoutMs ?? 2000,
    retryStrategy: (attempt: number) => Math.min(attempt * 250, 2000),
  };
  const cmd = new Redis(o.url, options);
  const sub = new Redis(o.url, { ...options, enableOfflineQueue: true });
  /** Changes not yet in Redis (made while it was away), replayed on reconnect; the last one per address counts. */
  const unsynced = new Map<string, 'block' | 'unblock'>();
  let closed = false;

  const up = new Gauge({ name: 'ddos_shield_redis_connected', help: '1 while the shared-state Redis connection is up', registers: [o.registry] });
  const errors = new Counter({ name: 'ddos_shield_redis_errors_total', help: 'Failed Redis operations of the shared blocklist, by operation', labelNames: ['op'] as const, registers: [o.registry] });
  const updates = new Counter({ name: 'ddos_shield_shared_blocklist_updates_total', help: 'Blocklist changes sent to or received from the other replicas', labelNames: ['op', 'direction'] as const, registers: [o.registry] });
  for (const op of ['block', 'unblock']) for (const d of ['sent', 'received']) updates.labels(op, d).inc(0);
  for (const op of ['write', 'load', 'message', 'connection']) errors.labels(op).inc(0);

  const failed = (op: 'write' | 'load' | 'message' | 'connection', err: unknown) => {
    errors.labels(op).inc();
    log.warn({ op, err: err instanceof Error ? err.message : String(err) }, 'shared blocklist: Redis operation failed');
  };

  async function send(op: 'block' | 'unblock', ip: string): Promise<void> {
    const key = keyOf(ip);
    try {
      if (op === 'block') {
        const e = local.get(ip);
        if (!e) return; // expired or unblocked since
        const ttl = Math.max(1, Math.round(e.expiresAt - clock.now()));
        await cmd.multi().set(key, JSON.stringify(e), 'PX', ttl).publish(channel, JSON.stringify({ op, entry: e, from: self } satisfies Message)).exec();
      } else {
        await cmd.multi().del(key).publish(channel, JSON.stringify({ op, ip, from: self } satisfies Message)).exec();
      }
      updates.labels(op, 'sent').inc();
      if (unsynced.get(ip) === op) unsynced.delete(ip);
    } catch (err) {
      unsynced.set(ip, op);
      failed('write', err);
    }
  }

  /** Loads every block in Redis into the local list (after the local changes Redis missed were written). */
  async function resync(): Promise<void> {
    for (const [ip, op] of [...unsynced]) await send(op, ip);
    try {
      let cursor = '0';
      let loaded = 0;
      do {
        const [next, keys] = await cmd.scan(cursor, 'MATCH', `${o.keyPrefix}block:*`, 'COUNT', 500);
        cursor = next;
        if (keys.length === 0) continue;
        for (const text of await cmd.mget(...keys)) {
          if (text === null) continue;
          let e: unknown;
          try { e = JSON.parse(text); } catch { e = null; }
          if (isEntry(e) && local.restore(e)) loaded++;
        }
      } while (cursor !== '0');
      log.info({ loaded }, 'shared blocklist loaded from Redis');
    } catch (err) {
      failed('load', err);
    }
  }

  sub.on('message', (ch: string, text: string) => {
    if (ch !== channel) return;
    const m = parseMessage(text);
    if (!m) { failed('message', new Error(`unreadable blocklist message ${JSON.stringify(text.slice(0, 80))}`)); return; }
    if (m.from === self) return;
    if (m.op === 'block') local.restore(m.entry);
    else local.unblock(m.ip);
    updates.labels(m.op, 'received').inc();
  });
  let started = false;
  // a reconnect: write what Redis missed, load what the others did meanwhile (the start does its own)
  cmd.on('ready', () => { up.set(1); if (started) void resync(); });
  cmd.on('close', () => up.set(0));
  let lastError = '';
  const onError = (err: Error) => {
    // ioredis reports every failed reconnect attempt: log a change of error, count them all
    errors.labels('connection').inc();
    if (err.message !== lastError) { lastError = err.message; log.warn({ err: err.message }, 'shared blocklist: Redis connection error, serving on local state'); }
  };
  cmd.on('error', onError);
  sub.on('error', onError);

  const ready = (async () => {
    try {
      await cmd.connect();
      await sub.connect();
      await sub.subscribe(channel);
      await resync();
    } catch (err) {
      log.warn({ err: err instanceof Error ? err.message : String(err), url: redactUrl(o.url) }, 'shared blocklist: Redis unreachable at start, serving on local state and reconnecting');
    } finally {
      started = true;
    }
  })();

  return {
    get: (ip) => local.get(ip),
    block(ip, opts) {
      const e = local.block(ip, opts);
      if (!closed) void send('block', ip);
      return e;
    },
    unblock(ip) {
      const had = local.unblock(ip);
      if (!closed) void send('unblock', ip);
      return had;
    },
    restore: (e) => local.restore(e),
    list: () => local.list(),
    size: () => local.size(),
    sweep: () => local.sweep(), // Redis expires its keys itself
    ready,
    connected: () => cmd.status === 'ready',
    async close() {
      closed = true;
      await Promise.allSettled([cmd.quit(), sub.quit()]);
      cmd.disconnect();
      sub.disconnect();
    },
  };
}

/** The URL without its password, for logs. */
function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(invalid URL)';
  }
}
