import type { Clock } from '../core/clock.js';
import { parseIp } from '../net/ip.js';

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

/**
 * Every address in a blocklist is keyed by its canonical text (`parseIp`: the form the gateway
 * gives client addresses), whatever spelling a caller passes: `0:0:0:0:0:0:0:1` is `::1`,
 * `::FFFF:127.1.1.1` is `127.1.1.1`. `block` throws on a text that is not an IP address, `restore`
 * refuses it (false), lookups of it find nothing.
 */
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

  // The canonical text of the last address looked up under another spelling: consecutive lookups
  // mostly come from one client, so a miss of an IPv6 client is parsed once, not on every request.
  let lastRaw = '';
  let lastKey: string | undefined;
  const keyOf = (raw: string): string | undefined => {
    if (raw !== lastRaw) { lastRaw = raw; lastKey = parseIp(raw); }
    return lastKey;
  };

  return {
    get(raw) {
      // the hot path: the gateway passes canonical addresses, found at once; another spelling of a blocked
      // address misses, and is looked up again under its canonical text
      let ip = raw;
      let e = entries.get(ip);
      if (e === undefined) {
        // IPv4 text (digits at both ends, no colon) is canonical already, or no address at all
        const first = raw.charCodeAt(0);
        const last = raw.charCodeAt(raw.length - 1);
        if (raw.indexOf(':') === -1 && first >= 48 && first <= 57 && last >= 48 && last <= 57) return undefined;
        const key = keyOf(raw);
        if (key === undefined || key === raw) return undefined; // not an address, or canonical already
        ip = key;
        e = entries.get(ip);
      }
      if (e === undefined) return undefined;
      if (e.expiresAt <= clock.now()) {
        entries.delete(ip);
        changed();
        return undefined;
      }
      return e;
    },
    block(raw, { durationSec, reason, source }) {
      const ip = keyOf(raw);
      if (ip === undefined) throw new TypeError(`cannot block "${raw}": not an IP address`);
      const now = clock.now();
      const e: BlockEntry = { ip, reason, source, blockedAt: now, expiresAt: now + durationSec * 1000 };
      put(e);
      return e;
    },
    restore(entry) {
      const ip = keyOf(entry.ip);
      if (ip === undefined || entry.expiresAt <= clock.now()) return false;
      put({ ip, reason: entry.reason, source: entry.source, blockedAt: entry.blockedAt, expiresAt: entry.expiresAt });
      return true;
    },
    unblock(raw) {
      const ip = keyOf(raw);
      if (ip === undefined) return false;
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
