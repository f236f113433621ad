import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBinary } from '../peers/find-binary.js';
import { parseWrkOutput, type WrkResult } from './wrk-parse.js';

export interface WrkOptions {
  url: string;
  connections: number;
  threads?: number; // default 1
  durationSec: number;
  /** Extra request headers, e.g. `{ Connection: 'close' }`. */
  headers?: Record<string, string>;
  /** Print and parse the latency distribution (p50..p99); default true. */
  latency?: boolean;
  /** Socket/request timeout in whole seconds (wrk default 2 s). */
  timeoutSec?: number;
  /** Lua script text (wrk -s), e.g. a `delay()` function that paces requests. */
  luaScript?: string;
  binary?: string;
  /** Run wrk on these CPUs only (a taskset list such as "0"); needs `taskset`. */
  cpus?: { list: string; taskset: string };
}

export interface WrkRun extends WrkResult {
  /** The command line that produced it, for reports. */
  command: string;
}

/** Path of the wrk binary, or null when wrk is not installed. */
export function wrkAvailable(): string | null {
  return findBinary('wrk');
}

/**
 * A wrk Lua script that waits on average `delayMs` on each connection before each request.
 * The pause is uniform in [delayMs/2, 3·delayMs/2]: a fixed pause phase-locks the connections
 * into bursts (they all start together and stay in step), which measures queueing in the burst
 * rather than the latency of a server at that mean rate. wrk calls delay() before a
 * connection's first request too: with `startAfterMs`, the first `connections` calls (the
 * connections of one wrk thread) wait that long plus up to one pause, so that every connection
 * is open before the paced requests begin (connection set-up is then not counted as latency).
 */
export function pacingScript(delayMs: number, opts: { startAfterMs?: number; connections?: number } = {}): string {
  if (!Number.isInteger(delayMs) || delayMs < 1) throw new Error(`delay must be a whole number of ms >= 1, got ${delayMs}`);
  const startAfter = opts.startAfterMs ?? 0;
  const first = opts.connections ?? 0;
  if (!Number.isInteger(startAfter) || startAfter < 0) throw new Error(`startAfterMs must be a whole number of ms >= 0, got ${startAfter}`);
  if (startAfter > 0 && (!Number.isInteger(first) || first < 1)) throw new Error('startAfterMs needs the number of connections per wrk thread');
  const lo = Math.max(1, Math.floor(delayMs / 2));
  const hi = Math.max(lo, Math.ceil((3 * delayMs) / 2));
  const lines = [
    `-- pace each connection: one request per response + a pause of ${lo}..${hi} ms (mean ${delayMs} ms)`,
    'math.randomseed(os.time())',
  ];
  if (startAfter > 0) {
    lines.push(
      `-- the first request of each of the ${first} connections waits ${startAfter} ms + 0..${hi} ms`,
      'local started = 0',
      'function delay()',
      `  if started < ${first} then`,
      '    started = started + 1',
      `    return ${startAfter} + math.random(0, ${hi})`,
      '  end',
      `  return math.random(${lo}, ${hi})`,
      'end',
    );
  } else {
    lines.push('function delay()', `  return math.random(${lo}, ${hi})`, 'end');
  }
  return `${lines.join('\n')}\n`;
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Runs wrk once against a loopback URL, bounded by its duration plus a grace period. */
export async function runWrk(opts: WrkOptions): Promise<WrkRun> {
  const binary = opts.binary ?? wrkAvailable();
  if (!binary) throw new Error('wrk is not installed (apt-get install wrk)');
  const host = new URL(opts.url).hostname;
  if (!/^127\.\d+\.\d+\.\d+$/.test(host) && host !== 'localhost' && host !== '[::1]') {
    throw new Error(`load is only sent to loopback addresses, not ${host}`);
  }
  const threads = opts.threads ?? 1;
  if (!Number.isInteger(opts.connections) || opts.connections < threads) {
    throw new Error(`connections (${opts.connections}) must be an integer >= threads (${threads})`);
  }
  if (!Number.isInteger(opts.durationSec) || opts.durationSec < 1) {
    throw new Error(`durationSec must be a whole number >= 1, got ${opts.durationSec}`);
  }
  const args = ['-t', String(threads), '-c', String(opts.connections), '-d', `${opts.durationSec}s`];
  if (opts.latency ?? true) args.push('--latency');
  if (opts.timeoutSec !== undefined) args.push('--timeout', `${opts.timeoutSec}s`);
  for (const [k, v] of Object.entries(opts.headers ?? {})) args.push('-H', `${k}: ${v}`);
  let dir: string | null = null;
  if (opts.luaScript !== undefined) {
    dir = mkdtempSync(join(tmpdir(), 'ddos-shield-wrk-'));
    const script = join(dir, 'script.lua');
    writeFileSync(script, opts.luaScript);
    args.push('-s', script);
  }
  args.push(opts.url);
  const pin = opts.cpus ? ['taskset', '-c', opts.cpus.list] : [];
  const command = [...pin, 'wrk', ...args].map(shellQuote).join(' ');
  const [file, argv] = opts.cpus ? [opts.cpus.taskset, ['-c', opts.cpus.list, binary, ...args]] : [binary, args];
  try {
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(file, argv, { timeout: (opts.durationSec + 30) * 1000, maxBuffer: 1 << 20 }, (err, out, errOut) => {
        if (err) reject(new Error(`${command} failed: ${err.message}${errOut ? `\n${errOut}` : ''}`));
        else resolve(out);
      });
    });
    return { ...parseWrkOutput(stdout), command };
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}
