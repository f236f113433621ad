import { randomBytes } from 'node:crypto';
import type { Clock } from '../core/clock.js';

export interface Session {
  id: string;
  user: string;
  createdAt: number;
  lastSeen: number;
}

export type EvictReason = 'expired' | 'capacity';

export interface SessionStoreOptions {
  clock: Clock;
  /** Upper bound on live sessions; the least recently used is evicted beyond it. */
  maxSessions?: number;
  /** Idle lifetime in ms (sliding: every use extends it). */
  ttlMs?: number;
  onEvict?: (reason: EvictReason) => void;
}

export interface SessionStore {
  create(user: string): Session;
  /** Returns a live session and marks it used; expired ones are removed. */
  get(id: string): Session | undefined;
  destroy(id: string): boolean;
  readonly size: number;
  readonly ttlMs: number;
}

export const SESSION_DEFAULTS = Object.freeze({
  maxSessions: 10_000,
  ttlMs: 30 * 60 * 1000, // 30 min
});

const SESSION_ID_RE = /^[A-Za-z0-9_-]{43}$/;

/**
 * In-memory sessions, bounded in count and age. A Map keeps insertion order, and every use
 * re-inserts, so the first entry is always the least recently used — and, with a sliding TTL,
 * also the first to expire. That makes both evictions O(1) without timers.
 */
export function createSessionStore(opts: SessionStoreOptions): SessionStore {
  const { clock, onEvict } = opts;
  const maxSessions = opts.maxSessions ?? SESSION_DEFAULTS.maxSessions;
  const ttlMs = opts.ttlMs ?? SESSION_DEFAULTS.ttlMs;
  if (!Number.isInteger(maxSessions) || maxSessions < 1) throw new RangeError('maxSessions must be a positive integer');
  if (!(ttlMs > 0)) throw new RangeError('ttlMs must be positive');
  const sessions = new Map<string, Session>();

  const expired = (s: Session, now: number) => now - s.lastSeen >= ttlMs;

  function sweep(now: number): void {
    for (const [id, s] of sessions) {
      if (!expired(s, now)) break;
      sessions.delete(id);
      onEvict?.('expired');
    }
  }

  return {
    create(user) {
      const now = clock.now();
      sweep(now);
      while (sessions.size >= maxSessions) {
        const oldest = sessions.keys().next().value as string;
        sessions.delete(oldest);
        onEvict?.('capacity');
      }
      const session: Session = { id: randomBytes(32).toString('base64url'), user, createdAt: now, lastSeen: now };
      sessions.set(session.id, session);
      return session;
    },
    get(id) {
      if (!SESSION_ID_RE.test(id)) return undefined;
      const s = sessions.get(id);
      if (!s) return undefined;
      const now = clock.now();
      sessions.delete(id);
      if (expired(s, now)) {
        onEvict?.('expired');
        return undefined;
      }
      s.lastSeen = now;
      sessions.set(id, s);
      return s;
    },
    destroy: (id) => sessions.delete(id),
    get size() { return sessions.size; },
    ttlMs,
  };
}
