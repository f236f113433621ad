import { isBlockEntry, type BlockEntry } from '../blocking/blocklist.js';
import type { GatewayConfig } from '../config/schema.js';

/** What the primary sends a worker. */
export type ToWorker =
  /** The worker's whole configuration (with the cluster's challenge secret and allowlist) and the live blocks. */
  | { t: 'start'; index: number; config: GatewayConfig; blocks: BlockEntry[]; adminUrl: string }
  | { t: 'block'; entry: BlockEntry }
  | { t: 'unblock'; ip: string }
  /** A batch of per-client request counts from another worker (the shared-counts text). */
  | { t: 'counts'; text: string }
  /** Asks for the worker's metrics as prom-client JSON. */
  | { t: 'metrics'; id: number }
  /** Stop gracefully: drain in-flight requests, then exit. */
  | { t: 'stop' };

/** What a worker sends the primary. */
export type ToPrimary =
  /** The worker runs and waits for its start message (sent on this, not on 'online': a message sent before the worker listens is lost). */
  | { t: 'hello' }
  /** Listening: its public port and its private admin port (loopback). */
  | { t: 'ready'; port: number; adminPort: number }
  /** The worker could not start (a listener that cannot bind, say): the one line to print; it exits next. */
  | { t: 'failed'; message: string }
  | { t: 'block'; entry: BlockEntry }
  | { t: 'unblock'; ip: string }
  | { t: 'counts'; text: string }
  | { t: 'metrics'; id: number; metrics: unknown[] };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/** The message when it is one of ours and well formed, else null (IPC also carries node:cluster's own messages). */
export function toPrimary(v: unknown): ToPrimary | null {
  if (!isObject(v)) return null;
  switch (v.t) {
    case 'hello': return v as ToPrimary;
    case 'ready': return Number.isInteger(v.port) && Number.isInteger(v.adminPort) ? (v as ToPrimary) : null;
    case 'failed': return typeof v.message === 'string' ? (v as ToPrimary) : null;
    case 'block': return isBlockEntry(v.entry) ? (v as ToPrimary) : null;
    case 'unblock': return typeof v.ip === 'string' ? (v as ToPrimary) : null;
    case 'counts': return typeof v.text === 'string' ? (v as ToPrimary) : null;
    case 'metrics': return Number.isInteger(v.id) && Array.isArray(v.metrics) ? (v as ToPrimary) : null;
    default: return null;
  }
}

export function toWorker(v: unknown): ToWorker | null {
  if (!isObject(v)) return null;
  switch (v.t) {
    case 'start': return Number.isInteger(v.index) && isObject(v.config) && Array.isArray(v.blocks) && typeof v.adminUrl === 'string' ? (v as ToWorker) : null;
    case 'block': return isBlockEntry(v.entry) ? (v as ToWorker) : null;
    case 'unblock': return typeof v.ip === 'string' ? (v as ToWorker) : null;
    case 'counts': return typeof v.text === 'string' ? (v as ToWorker) : null;
    case 'metrics': return Number.isInteger(v.id) ? (v as ToWorker) : null;
    case 'stop': return v as ToWorker;
    default: return null;
  }
}
