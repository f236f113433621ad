import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolve, type GeneratorOptions, type GeneratorSummary } from './common.js';
import { findTool, runTool } from './tool.js';

export type SlowMode = 'slowloris' | 'slow-post' | 'slow-read';

export interface SlowHttpOptions extends GeneratorOptions {
  mode: SlowMode;
  /** Connections to hold open (default 200); `rate` is new connections per second. */
  connections?: number;
  /** Seconds between follow-up bytes (default 5). */
  intervalSec?: number;
  path?: string;
}

export interface SlowHttpStats {
  seconds: number;
  /** Most connections the tool held open at once. */
  maxConnected: number;
  /** Connections closed by the other side by the end. */
  closed: number;
  /** Seconds during which slowhttptest's own probe found the service unavailable. */
  unavailableSeconds: number;
}

/** Reads slowhttptest's CSV (`Seconds,Closed,Pending,Connected,Service Available`). */
export function parseSlowHttpCsv(text: string): SlowHttpStats {
  const rows = text.trim().split('\n').slice(1).map((l) => l.split(',').map((x) => Number(x.trim())));
  const s: SlowHttpStats = { seconds: rows.length, maxConnected: 0, closed: 0, unavailableSeconds: 0 };
  for (const r of rows) {
    s.maxConnected = Math.max(s.maxConnected, r[3] ?? 0);
    s.closed = Math.max(s.closed, r[1] ?? 0);
    if (r[4] === 0) s.unavailableSeconds++;
  }
  return s;
}

const MODE_ARGS: Record<SlowMode, string[]> = {
  slowloris: ['-H'],
  'slow-post': ['-B', '-s', '8192'],
  'slow-read': ['-X', '-k', '4', '-n', '2', '-w', '16', '-y', '64', '-z', '16'],
};

/**
 * Slowloris, slow POST (R-U-Dead-Yet) and slow read with Debian's slowhttptest, from 127.0.0.1
 * (the tool cannot bind another address nor add the lab's client header: the sink counts what
 * reaches it as untagged).
 */
export async function runSlowHttp(opts: SlowHttpOptions): Promise<GeneratorSummary> {
  resolve(opts, `slow-${opts.mode}`, 1);
  const tool = findTool('slowhttptest');
  const generator = `slowhttp:${opts.mode}`;
  if (!tool) return { generator, clients: 0, sent: 0, skipped: 0, skippedReason: 'slowhttptest not found' };
  const dir = await mkdtemp(join(tmpdir(), 'lab-slow-'));
  try {
    const prefix = join(dir, 'stats');
    const seconds = Math.max(2, Math.round(opts.durationMs / 1000));
    const url = opts.target.replace(/\/$/, '') + (opts.path ?? (opts.mode === 'slow-post' ? '/login' : '/'));
    const run = await runTool(tool, [
      ...MODE_ARGS[opts.mode], '-c', String(opts.connections ?? 200), '-r', String(Math.max(1, Math.round(opts.rate))),
      '-i', String(opts.intervalSec ?? 5), '-l', String(seconds), '-p', '3', '-u', url, '-g', '-o', prefix,
    ], opts.durationMs + 20_000, opts.signal);
    const csv = await readFile(`${prefix}.csv`, 'utf8').catch(() => '');
    if (!csv) return { generator, clients: 1, sent: 0, skipped: 0, skippedReason: `slowhttptest gave no statistics (exit ${run.code}): ${run.stderr.slice(0, 200)}` };
    const s = parseSlowHttpCsv(csv);
    return {
      generator, clients: 1, sent: 0, skipped: 0,
      extra: { slowConnectionsHeldMax: s.maxConnected, slowConnectionsClosed: s.closed, probeUnavailableSeconds: s.unavailableSeconds, slowSeconds: s.seconds },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
