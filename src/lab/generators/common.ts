import { setMaxListeners } from 'node:events';
import { createSystemClock, type Clock } from '../../core/clock.js';
import { createLabClient, type LabClient } from '../http-client.js';
import type { Backend, Label, Outcome, ResultSink } from '../types.js';

/** What every generator takes; each generator adds its own knobs. */
export interface GeneratorOptions {
  /** Base URL of the target. */
  target: string;
  label: Label;
  /** Requests per second (per client unless the generator says otherwise). */
  rate: number;
  durationMs: number;
  signal: AbortSignal;
  /** Receives every classified answer (labelled traffic for training, metrics for the lab). */
  onResult?: ResultSink;
  clock?: Clock;
  /** Monotonic time of the run start; defaults to when the generator starts. */
  origin?: number;
  /** Second octet of the 127.g.x.y source addresses of this generator's clients. */
  addressGroup?: number;
  /** Prefix of client ids (default: the generator's name). */
  name?: string;
  /** Seed of the generator's random choices (default 1). */
  seed?: number;
  /** What stands behind the target, for classifying answers (default: the lab's sink). */
  backend?: Backend;
}

export interface GeneratorSummary {
  generator: string;
  clients: number;
  sent: number;
  skipped: number;
  /** Set when the generator could not run here (missing tool, missing data). */
  skippedReason?: string;
  /** Anything else the generator measured on its own (external tools). */
  extra?: Record<string, number | string>;
  /** Answers counted by an external tool that cannot report them one by one (wrk). */
  external?: ExternalCounts;
}

/** Per-second answer counts from a tool that cannot report each request. */
export interface ExternalCounts {
  label: Label;
  clientId: string;
  byOutcome: Partial<Record<Outcome, number>>;
  /** One entry per (second, outcome): t is the second's start in run milliseconds. */
  timeline: { t: number; outcome: Outcome; n: number }[];
  /** Resolution of the timeline in ms (1000 for wrk's Lua clock). */
  resolutionMs: number;
}

/** The n-th source address of a group: 127.g.a.b, never a .0 or .255 host byte. */
export function sourceAddress(group: number, n: number): string {
  if (group < 1 || group > 254) throw new RangeError(`address group out of range: ${group}`);
  return `127.${group}.${1 + Math.floor(n / 250)}.${1 + (n % 250)}`;
}

export interface ResolvedContext {
  clock: Clock;
  origin: number;
  onResult: ResultSink;
  group: number;
  name: string;
  seed: number;
}

export function resolve(opts: GeneratorOptions, defaultName: string, defaultGroup: number): ResolvedContext {
  // Every client and timer of a generator listens on the one signal.
  setMaxListeners(0, opts.signal);
  const clock = opts.clock ?? createSystemClock();
  return {
    clock,
    origin: opts.origin ?? clock.monotonic(),
    onResult: opts.onResult ?? (() => undefined),
    group: opts.addressGroup ?? defaultGroup,
    name: opts.name ?? defaultName,
    seed: opts.seed ?? 1,
  };
}

/** Creates the n-th client of a generator, bound to its own source address. */
export function clientFor(opts: GeneratorOptions, ctx: ResolvedContext, n: number, extra: {
  headers?: Record<string, string>; connections?: number; localAddress?: string; timeoutMs?: number;
} = {}): LabClient {
  return createLabClient({
    target: opts.target,
    clientId: `${opts.label}/${ctx.name}/${n}`,
    label: opts.label,
    clock: ctx.clock,
    origin: ctx.origin,
    onResult: ctx.onResult,
    localAddress: extra.localAddress ?? sourceAddress(ctx.group, n),
    ...(extra.connections !== undefined ? { connections: extra.connections } : {}),
    ...(extra.headers ? { headers: extra.headers } : {}),
    ...(extra.timeoutMs !== undefined ? { timeoutMs: extra.timeoutMs } : {}),
    ...(opts.backend ? { backend: opts.backend } : {}),
  });
}

export const BROWSER_UAS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36',
];

export const BROWSER_HEADERS = {
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'accept-language': 'en-GB,en;q=0.9',
  'accept-encoding': 'identity',
};
