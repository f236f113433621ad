import { readFile } from 'node:fs/promises';
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
  /** An access log: the NASA-HTTP TSV layout (`host logname time method url response bytes referer useragent`). */
  logPath: string;
  /** Log seconds per replayed second (default 60: an hour of log in a minute). */
  compression?: number;
  /** Start of the log window in seconds since the epoch (default: the log's first request). */
  fromTime?: number;
  /** Most clients to replay (default 50): the busiest clients of the window. */
  maxClients?: number;
}

/** Parses the NASA-HTTP TSV access log layout (header line first). */
export function parseAccessLogTsv(text: string): ReplayEntry[] {
  const lines = text.split('\n');
  const header = (lines[0] ?? '').split('\t');
  const col = (name: string) => header.indexOf(name);
  const [iHost, iTime, iMethod, iUrl, iUa] = [col('host'), col('time'), col('method'), col('url'), col('useragent')];
  if (iHost < 0 || iTime < 0 || iUrl < 0) throw new Error('access log needs the columns host, time and url (tab-separated, header first)');
  const out: ReplayEntry[] = [];
  for (let i = 1; i < lines.length; i++) {
    const f = (lines[i] ?? '').split('\t');
    const time = Number(f[iTime]);
    const host = f[iHost];
    const url = f[iUrl];
    if (!host || !url || !Number.isFinite(time)) continue;
    const ua = iUa >= 0 ? f[iUa] : undefined;
    out.push({ host, time, method: (iMethod >= 0 ? f[iMethod] : undefined) || 'GET', url, ...(ua ? { userAgent: ua } : {}) });
  }
  return out.sort((a, b) => a.time - b.time);
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
  const compression = opts.compression ?? 60;
  let entries: ReplayEntry[];
  try {
    entries = parseAccessLogTsv(await readFile(opts.logPath, 'utf8'));
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
