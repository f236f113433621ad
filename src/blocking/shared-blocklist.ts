import { randomBytes } from 'node:crypto';
import { Counter, type Registry } from 'prom-client';
import type { RedisLink } from '../core/redis-link.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { parseIp } from '../net/ip.js';
import { isBlockEntry, type BlockEntry, type Blocklist } from './blocklist.js';

export interface SharedBlocklistOptions {
  /** The gateway's own blocklist: every lookup is answered from it, never from Redis. */
  local: Blocklist;
  link: RedisLink;
  /** Prefix of every key and of the channel, so that several deployments can share one Redis. */
  keyPrefix: string;
  clock: Clock;
  logger: Logger;
  registry: Registry;
}

export interface SharedBlocklist extends Blocklist {
  /** Settles once the first connection attempt ended: blocks already in Redis are loaded, or Redis is away (local state only). */
  readonly ready: Promise<void>;
  /** Stops writing changes to Redis (the link is closed by its owner). */
  close(): void;
}

/** Changes kept for replay while Redis is away, at most. */
const MAX_UNSYNCED = 100_000;

type Message = { op: 'block'; entry: BlockEntry; from: string } | { op: 'unblock'; ip: string; from: string };

function parseMessage(text: string): Message | null {
  try {
    const m = JSON.parse(text) as Message;
    if (typeof m.from !== 'string') return null;
    if (m.op === 'block' && isBlockEntry(m.entry)) return m;
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
  const { local, clock, link } = o;
  const log = o.logger.child({ component: 'shared-blocklist' });
  const self = randomBytes(8).toString('hex'); // this process, so that it skips its own messages
  const channel = `${o.keyPrefix}blocklist`;
  const keyOf = (ip: string) => `${o.keyPrefix}block:${ip}`;
  /** Changes not yet in Redis (made while it was away), replayed on reconnect; the last one per address counts. */
  const unsynced = new Map<string, 'block' | 'unblock'>();
  let closed = false;

  const updates = new Counter({ name: 'ddos_shield_shared_blocklist_updates_total', help: 'Blocklist changes sent to or received from the other replicas', labelNames: ['op', 'direction'] as const, registers: [o.registry] });
  for (const op of ['block', 'unblock']) for (const d of ['sent', 'received']) updates.labels(op, d).inc(0);

  async function send(op: 'block' | 'unblock', ip: string): Promise<void> {
    const key = keyOf(ip);
    try {
      if (op === 'block') {
        const e = local.get(ip);
        if (!e) return; // expired or unblocked since
        const ttl = Math.max(1, Math.round(e.expiresAt - clock.now()));
        await link.cmd.multi().set(key, JSON.stringify(e), 'PX', ttl).publish(channel, JSON.stringify({ op, entry: e, from: self } satisfies Message)).exec();
      } else {
        await link.cmd.multi().del(key).publish(channel, JSON.stringify({ op, ip, from: self } satisfies Message)).exec();
      }
      updates.labels(op, 'sent').inc();
      if (unsynced.get(ip) === op) unsynced.delete(ip);
    } catch (err) {
      // bounded: past MAX_UNSYNCED the change stays local only (the failure is counted either way)
      if (unsynced.has(ip) || unsynced.size < MAX_UNSYNCED) unsynced.set(ip, op);
      link.failed('write', err);
    }
  }

  /** Loads every block in Redis into the local list (after the local changes Redis missed were written). */
  async function resync(): Promise<void> {
    for (const [ip, op] of [...unsynced]) await send(op, ip);
    try {
      let cursor = '0';
      let loaded = 0;
      do {
        const [next, keys] = await link.cmd.scan(cursor, 'MATCH', `${o.keyPrefix}block:*`, 'COUNT', 500);
        cursor = next;
        if (keys.length === 0) continue;
        for (const text of await link.cmd.mget(...keys)) {
          if (text === null) continue;
          let e: unknown;
          try { e = JSON.parse(text); } catch { e = null; }
          if (isBlockEntry(e) && local.restore(e)) loaded++;
        }
      } while (cursor !== '0');
      log.info({ loaded }, 'shared blocklist loaded from Redis');
    } catch (err) {
      link.failed('load', err);
    }
  }

  const onMessage = (text: string) => {
    const m = parseMessage(text);
    if (!m) { link.failed('message', new Error(`unreadable blocklist message ${JSON.stringify(text.slice(0, 80))}`)); return; }
    if (m.from === self) return;
    if (m.op === 'block') local.restore(m.entry);
    else local.unblock(m.ip);
    updates.labels(m.op, 'received').inc();
  };
  // a reconnect: write what Redis missed, load what the others did meanwhile
  link.onReconnect(() => { if (!closed) void resync(); });
  const ready = (async () => {
    const subscribed = link.subscribe(channel, onMessage).catch((err: unknown) => link.failed('connection', err));
    if (await link.ready) { await subscribed; await resync(); }
  })();

  return {
    get: (ip) => local.get(ip),
    block(ip, opts) {
      const e = local.block(ip, opts); // throws on a non-address; e.ip is the canonical text
      if (!closed) void send('block', e.ip);
      return e;
    },
    unblock(raw) {
      // the Redis key and the message carry the canonical text, whatever spelling was passed
      const ip = parseIp(raw);
      if (ip === undefined) return false;
      const had = local.unblock(ip);
      if (!closed) void send('unblock', ip);
      return had;
    },
    restore: (e) => local.restore(e),
    list: () => local.list(),
    size: () => local.size(),
    sweep: () => local.sweep(), // Redis expires its keys itself
    ready,
    close() { closed = true; },
  };
}
