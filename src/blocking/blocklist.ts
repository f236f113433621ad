import type { Clock } from '../core/clock.js';

export interface BlockEntry {
  ip: string;
  reason: string;
  /** Who blocked: 'manual' (admin API), 'detector', 'dashboard', ... */
  source: string;
  blockedAt: number;
  expiresAt: number;
}

/** A block entry as another process sent it (JSON), checked field by field. */
export function isBlockEntry(v: unknown): v is BlockEntry {
  const e = v as BlockEntry;
  return typeof e === 'object' && e !== null && typeof e.ip === 'string' && typeof e.reason === 'string' && typeof e.source === 'string'
    && Number.isFinite(e.blockedAt) && Number.isFinite(e.expiresAt);
}

export interface Blocklist {
  /** The live entry for ip, or undefined (expired entries are removed on sight). */
  get(ip: string): BlockEntry | undefined;
  block(ip: string, opts: { durationSec: number; reason: string; source: string }): BlockEntry;
  unblock(ip: string): boolean;
  /** Puts an entry made elsewhere (another replica) as it is; false when it has expired already. */
  restore(entry: BlockEntry): boolean;
  list(): BlockEntry[];
  size(): number;
  /** Removes expired entries; returns how many. Called on a timer by the gateway. */
  sweep(): number;
}

/**
 * In-memory blocklist with expiry. Bounded: when full, the entry closest to expiry makes room
 * (so a flood of new blocks never grows memory without limit).
 */
export function createBlocklist(opts: { clock: Clock; maxEntries: number; onChange?: (size: number) => void }): Blocklist {
  const { clock, maxEntries } = opts;
  const entries = new Map<string, BlockEntry>();
  const changed = () => opts.onChange?.(entries.size);

  function put(e: BlockEntry): void {
    if (!entries.has(e.ip) && entries.size >= maxEntries) {
      sweep();
      if (entries.size >= maxEntries) evictOne();
    }
    entries.set(e.ip, e);
    changed();
  }

  function sweep(): number {
    const now = clock.now();
    let n = 0;
    for (const [ip, e] of entries) if (e.expiresAt <= now) { entries.delete(ip); n++; }
    if (n > 0) changed();
    return n;
  }

  function evictOne(): void {
    let victim: BlockEntry | undefined;
    for (const e of entries.values()) if (!victim || e.expiresAt < victim.expiresAt) victim = e;
    if (victim) entries.delete(victim.ip);
  }

  return {
    get(ip) {
      const e = entries.get(ip);
      if (e === undefined) return undefined;
      if (e.expiresAt <= clock.now()) {
        entries.delete(ip);
        changed();
        return undefined;
      }
      return e;
    },
    block(ip, { durationSec, reason, source }) {
      const now = clock.now();
      const e: BlockEntry = { ip, reason, source, blockedAt: now, expiresAt: now + durationSec * 1000 };
      put(e);
      return e;
    },
    restore(entry) {
      if (entry.expiresAt <= clock.now()) return false;
      put({ ip: entry.ip, reason: entry.reason, source: entry.source, blockedAt: entry.blockedAt, expiresAt: entry.expiresAt });
      return true;
    },
    unblock(ip) {
      const had = entries.delete(ip);
      if (had) changed();
      return had;
    },
    list() {
      sweep();
      return [...entries.values()].sort((a, b) => a.blockedAt - b.blockedAt);
    },
    size: () => entries.size,
    sweep,
  };
}
