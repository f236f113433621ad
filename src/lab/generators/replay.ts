import { readLogRecords } from '../../detect/replay/read.js';
import { sleep } from '../pace.js';
import { clientFor, resolve, type GeneratorOptions, type GeneratorSummary } from './common.js';

export interface ReplayEntry {
  host: string;
  /** Seconds since the epoch, as in the log. */
  time: number;
  method: string;
  url: string;
  userAgent?: string;
}

export interface ReplayOptions extends GeneratorOptions {
  /** An access log: NASA-HTTP TSV, combined log format, or WorldCup98 CSV (also as .tar.bz2). */
  logPath: string;
  /** Log seconds per replayed second (default 60: an hour of log in a minute). */
  compression?: number;
  /** Start of the log window in seconds since the epoch (default: the log's first request). */
  fromTime?: number;
  /** Most clients to replay (default 50): the busiest clients of the window. */
  maxClients?: number;
}

/** Reads an access log (NASA TSV, combined, or WorldCup CSV / .tar.bz2), sorted by time. */
export async function readAccessLog(path: string): Promise<ReplayEntry[]> {
  const out: ReplayEntry[] = [];
  for await (const r of readLogRecords(path)) {
    out.push({ host: r.host, time: r.timeMs / 1000, method: r.method, url: r.query ? `${r.path}?${r.query}` : r.path, ...(r.userAgent ? { userAgent: r.userAgent } : {}) });
  }
  return out.sort((x, y) => x.time - y.time);
}

/** Groups a window of the log by client and keeps the busiest clients, each with its own timeline. */
export function planReplay(entries: readonly ReplayEntry[], windowSec: number, fromTime: number | undefined, maxClients: number): Map<string, ReplayEntry[]> {
  const start = fromTime ?? entries[0]?.time ?? 0;
  const byHost = new Map<string, ReplayEntry[]>();
  for (const e of entries) {
    if (e.time < start || e.time >= start + windowSec) continue;
    const list = byHost.get(e.host) ?? [];
    list.push(e);
    byHost.set(e.host, list);
  }
  const busiest = [...byHost.entries()].sort((a, b) => b[1].length - a[1].length).slice(0, maxClients);
  return new Map(busiest);
}

/**
 * Replays real clients of an access log, each from its own address, keeping each client's own
 * pacing compressed by a factor. Only GETs are sent; the site's paths differ, which the
 * backend answers as it would (404s included) — the load shape is what is replayed.
 */
export async function runReplay(opts: ReplayOptions): Promise<GeneratorSummary> {
  const ctx = resolve(opts, 'replay', 14);
  // Reading the log takes time too: the replay still ends when its duration is up.
  const deadline = performance.now() + opts.durationMs;
  const compression = opts.compression ?? 60;
  let entries: ReplayEntry[];
  try {
    entries = await readAccessLog(opts.logPath);
    if (entries.length === 0) throw new Error('no request lines found');
  } catch (err) {
    return { generator: 'replay', clients: 0, sent: 0, skipped: 0, skippedReason: `cannot read access log ${opts.logPath}: ${(err as Error).message}` };
  }
  const plan = planReplay(entries, (opts.durationMs / 1000) * compression, opts.fromTime, opts.maxClients ?? 50);
  const windowStart = opts.fromTime ?? entries[0]?.time ?? 0;
  const t0 = performance.now();
  let sent = 0;
  await Promise.all([...plan.values()].map(async (list, n) => {
    const client = clientFor(opts, ctx, n, { headers: { 'user-agent': list[0]?.userAgent || 'Mozilla/4.0 (compatible; MSIE 5.0; Windows 95)' } });
    try {
      for (const e of list) {
        const due = t0 + ((e.time - windowStart) * 1000) / compression;
        if (due > deadline) break;
        await sleep(due - performance.now(), opts.signal);
        if (opts.signal.aborted) break;
        await client.send({ path: e.url.startsWith('/') ? e.url : `/${e.url}` }, opts.signal);
        sent++;
      }
    } finally {
      await client.close();
    }
  }));
  return { generator: 'replay', clients: plan.size, sent, skipped: 0 };
}
