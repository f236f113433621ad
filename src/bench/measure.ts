import { machineTicks, procCpuSplit } from './cpu.js';
import { runWrk, type WrkOptions } from './wrk.js';
import { totalSocketErrors } from './wrk-parse.js';

/** Something we send load to: its URL and the processes whose CPU time it costs. */
export interface Target {
  name: string;
  url: string;
  pids(): number[];
}

export interface Measurement {
  target: string;
  requests: number;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Server process tree user+system CPU during the run. */
  cpuMs: number;
  /** cpuMs / requests, in microseconds. */
  cpuUsPerReq: number;
  /** The user-space part of cpuMs (the rest is time in the kernel: system calls, the network stack); absent in older results. */
  cpuUserMs?: number;
  non2xx: number;
  socketErrors: number;
  command: string;
  /**
   * The machine's CPU ticks during the run, all states, and those of them stolen by the
   * hypervisor (a shared virtual machine): 0 and 0 where /proc/stat is missing.
   */
  machineTicks?: number;
  stealTicks?: number;
}

/** User-space CPU per request in microseconds (null when the run did not record the split). */
export function userUsPerReq(m: Pick<Measurement, 'cpuUserMs' | 'requests'>): number | null {
  return m.cpuUserMs !== undefined && m.requests > 0 ? (m.cpuUserMs * 1000) / m.requests : null;
}

/** Share of the machine's CPU time that the hypervisor took during the run(s), in percent (null when unknown). */
export function stealPercent(m: Pick<Measurement, 'machineTicks' | 'stealTicks'>): number | null {
  return m.machineTicks ? (100 * (m.stealTicks ?? 0)) / m.machineTicks : null;
}

/** One wrk run against a target with the target's process-tree CPU time sampled around it. */
export async function measure(target: Target, wrk: Omit<WrkOptions, 'url'>, path = '/'): Promise<Measurement> {
  const pids = target.pids();
  if (pids.length === 0) throw new Error(`${target.name} has no live process`);
  const cpu0 = procCpuSplit(pids);
  const machine0 = machineTicks();
  const r = await runWrk({ ...wrk, url: new URL(path, target.url).href });
  const cpu1 = procCpuSplit(pids);
  const machine1 = machineTicks();
  const cpuUserMs = cpu1.userMs - cpu0.userMs;
  const cpuMs = cpuUserMs + cpu1.systemMs - cpu0.systemMs;
  return {
    target: target.name,
    requests: r.requests,
    reqPerSec: r.requestsPerSec,
    p50Ms: r.latencyMs.p50,
    p99Ms: r.latencyMs.p99,
    cpuMs,
    cpuUsPerReq: r.requests > 0 ? (cpuMs * 1000) / r.requests : Number.NaN,
    cpuUserMs,
    non2xx: r.non2xx3xx,
    socketErrors: totalSocketErrors(r),
    command: r.command,
    machineTicks: machine0 && machine1 ? machine1.total - machine0.total : 0,
    stealTicks: machine0 && machine1 ? machine1.steal - machine0.steal : 0,
  };
}

/**
 * Connections and per-connection delay that offer about `rate` req/s through wrk's delay():
 * each connection sends one request, waits for the answer, then waits `delayMs`. A long delay
 * (default 50 ms) keeps the response time a small part of each cycle, so the offered rate holds
 * while latency stays low; connections are capped (default 1000), shortening the delay instead.
 */
export function pacing(rate: number, opts: { delayMs?: number; maxConnections?: number } = {}): { connections: number; delayMs: number; offered: number } {
  if (!(rate > 0)) throw new Error(`rate must be > 0, got ${rate}`);
  const maxConnections = opts.maxConnections ?? 1000;
  let delayMs = opts.delayMs ?? 50;
  let connections = Math.round((rate * delayMs) / 1000);
  if (connections > maxConnections) {
    delayMs = Math.max(1, Math.floor((maxConnections * 1000) / rate));
    connections = Math.round((rate * delayMs) / 1000);
  }
  connections = Math.max(1, connections);
  return { connections, delayMs, offered: (connections * 1000) / delayMs };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/**
 * One figure per target from several rounds run alternately with the other targets (so that a
 * load spike on a shared machine hits every target alike): medians of req/s and latency
 * percentiles, sums of requests, CPU time, machine ticks and errors (CPU per request and steal from the sums).
 */
export function combineRounds(rounds: readonly Measurement[]): Measurement {
  const first = rounds[0];
  if (!first) throw new Error('no rounds to combine');
  const requests = rounds.reduce((a, r) => a + r.requests, 0);
  const cpuMs = rounds.reduce((a, r) => a + r.cpuMs, 0);
  const split = rounds.every((r) => r.cpuUserMs !== undefined);
  return {
    target: first.target,
    requests,
    reqPerSec: median(rounds.map((r) => r.reqPerSec)),
    p50Ms: median(rounds.map((r) => r.p50Ms)),
    p99Ms: median(rounds.map((r) => r.p99Ms)),
    cpuMs,
    cpuUsPerReq: requests > 0 ? (cpuMs * 1000) / requests : Number.NaN,
    ...(split ? { cpuUserMs: rounds.reduce((a, r) => a + (r.cpuUserMs ?? 0), 0) } : {}),
    non2xx: rounds.reduce((a, r) => a + r.non2xx, 0),
    socketErrors: rounds.reduce((a, r) => a + r.socketErrors, 0),
    command: first.command,
    machineTicks: rounds.reduce((a, r) => a + (r.machineTicks ?? 0), 0),
    stealTicks: rounds.reduce((a, r) => a + (r.stealTicks ?? 0), 0),
  };
}
