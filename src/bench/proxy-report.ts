import { markdownTable } from './markdown-table.js';
import { stealPercent, userUsPerReq, type Measurement } from './measure.js';

/** A taskset CPU list in words: "CPU 1", "CPUs 2,3". */
export function cpuWord(list: string): string {
  return `${/[,-]/.test(list) ? 'CPUs' : 'CPU'} ${list}`;
}

export interface HalfLoadRow extends Measurement {
  offeredReqPerSec: number;
  /** p99 minus the direct-to-backend p99 at the same offered rate. */
  addedP99Ms: number | null;
}

/** One offered rate, run against every target. */
export interface HalfLoadPoint {
  /** What the rate is a share of, e.g. "nginx's maximum". */
  basis: string;
  /** That share: 0.5 (half, the default) or 0.25. */
  share?: number;
  /** Nice value every thread of each server ran at (absent: the servers' own, as started). */
  nice?: number;
  /** CPUs of the load side and of each server's main thread in this pass (absent: as the run's settings say). */
  pinned?: { load: string; servers: string };
  offeredReqPerSec: number;
  connections: number;
  delayMs: number;
  rows: HalfLoadRow[];
}

export interface ProxyBenchResult {
  date: string;
  command: string;
  /** `git describe` of the code measured (the gateway runs from its build in dist/). */
  revision: string;
  machine: { cores: number; cpuModel: string; node: string; loadavg1m: number; nginx: string; haproxy: string; wrk: string };
  settings: {
    durationSec: number; rounds: number; connections: number; threads: number; workers: number; backendBytes: number;
    /** CPUs of the load side (wrk and the backend) and of each server measured, when the runs were pinned. */
    pinned?: { load: string; servers: string } | null;
  };
  gateway: { ran: boolean; args: string[]; note: string };
  throughput: Measurement[];
  rejection: { keepAlive: Measurement[]; close: Measurement[] };
  /** Every single wrk run, in the order run. */
  rawRuns: Measurement[];
  halfLoad: { method: string; points: HalfLoadPoint[] };
  ratios: Record<string, number | null>;
}

/** The row of the byte-copying Node.js proxy (src/peers/copy-proxy-main.ts), the floor of any Node.js proxy. */
export const FLOOR_ROW = 'node copy proxy';

const ratio = (a: number | undefined, b: number | undefined) =>
  a !== undefined && b !== undefined && Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? a / b : null;

/** Gateway-to-peer ratios of req/s, p99 and CPU per request for one group of runs. */
export function ratiosOf(rows: readonly Measurement[], prefix: string, gw = 'gateway'): Record<string, number | null> {
  const g = rows.find((r) => r.target === gw);
  const out: Record<string, number | null> = {};
  for (const peer of ['nginx', 'haproxy']) {
    const p = rows.find((r) => r.target === peer);
    out[`${prefix}.reqPerSec.${gw}/${peer}`] = ratio(g?.reqPerSec, p?.reqPerSec);
    out[`${prefix}.p99.${gw}/${peer}`] = ratio(g?.p99Ms, p?.p99Ms);
    out[`${prefix}.cpuPerReq.${gw}/${peer}`] = ratio(g?.cpuUsPerReq, p?.cpuUsPerReq);
    const gu = g ? userUsPerReq(g) : null;
    const pu = p ? userUsPerReq(p) : null;
    if (g && p && gu !== null && pu !== null) {
      out[`${prefix}.userPerReq.${gw}/${peer}`] = ratio(gu, pu);
      out[`${prefix}.systemPerReq.${gw}/${peer}`] = ratio(g.cpuUsPerReq - gu, p.cpuUsPerReq - pu);
    }
  }
  return out;
}

/** The steal column's cell: the hypervisor's share of the machine's CPU time during the run(s), in percent to 0.1 (– when unknown). */
const stealCell = (r: Measurement): number | null => {
  const p = stealPercent(r);
  return p === null ? null : Math.round(p * 10) / 10;
};

function mainTable(rows: readonly Measurement[], expect: 'ok' | 'rejected'): string {
  return markdownTable(
    ['target', 'req/s', 'p50 ms', 'p99 ms', 'CPU µs/req', 'of it user µs', expect === 'ok' ? 'non-2xx' : 'rejected', 'socket errors', 'steal %'],
    rows.map((r) => [
      r.target, Math.round(r.reqPerSec), r.p50Ms, r.p99Ms, r.cpuUsPerReq, userUsPerReq(r),
      expect === 'ok' ? r.non2xx : `${r.non2xx}/${r.requests}`, r.socketErrors, stealCell(r),
    ]),
  );
}

/** Lowest and highest steal of single runs, e.g. "0.4–12.0 %", or null when /proc/stat gave nothing. */
export function stealRange(runs: readonly Measurement[]): string | null {
  const ps = runs.map(stealPercent).filter((p): p is number => p !== null);
  if (ps.length === 0) return null;
  return `${Math.min(...ps).toFixed(1)}–${Math.max(...ps).toFixed(1)} %`;
}

function ratioLine(res: ProxyBenchResult, prefix: string): string {
  const f = (k: string) => {
    const v = res.ratios[k];
    return v === null || v === undefined ? '–' : `${v.toFixed(2)}×`;
  };
  const split = (p: string) => (res.ratios[`${prefix}.userPerReq.gateway/${p}`] === undefined ? ''
    : ` (user ${f(`${prefix}.userPerReq.gateway/${p}`)}, system ${f(`${prefix}.systemPerReq.gateway/${p}`)})`);
  return ['nginx', 'haproxy']
    .map((p) => `gateway / ${p}: req/s ${f(`${prefix}.reqPerSec.gateway/${p}`)}, p99 ${f(`${prefix}.p99.gateway/${p}`)}, CPU per request ${f(`${prefix}.cpuPerReq.gateway/${p}`)}${split(p)}`)
    .join('; ');
}

/** "half", "a quarter", or a percentage, for a share of a maximum rate. */
export function shareName(share = 0.5): string {
  if (share === 0.5) return 'half';
  if (share === 0.25) return 'a quarter';
  return `${Math.round(share * 100)}%`;
}

/** The "Proxy throughput" section body for docs/BENCHMARKS.md (also printed by the bench). */
export function renderProxyReport(res: ProxyBenchResult): string {
  const s = res.settings;
  const m = res.machine;
  const lines: string[] = [];
  lines.push(`Measured ${res.date} on ${m.cores} cores (${m.cpuModel}), 1-minute load average ${m.loadavg1m.toFixed(2)} at start`
    + ` (a shared machine: compare the ratios, not the absolute numbers). Node ${m.node}, ${m.nginx}, ${m.haproxy}, ${m.wrk}.`);
  lines.push('');
  lines.push(`Command: \`${res.command}\` (after \`npm run build\`), code at ${res.revision}.`);
  lines.push('');
  lines.push(`Backend: nginx serving a ${s.backendBytes}-byte static file (1 worker). In front of it, each at ${s.workers} worker`
    + `${s.workers > 1 ? 's' : ''}/thread${s.workers > 1 ? 's' : ''}: the gateway (${res.gateway.note}),`
    + ' nginx `proxy_pass` with an upstream keep-alive pool (`keepalive 64`), HAProxy (`http-reuse always`)'
    + (res.throughput.some((r) => r.target === FLOOR_ROW)
      ? `, and the ${FLOOR_ROW}: one Node.js process that gives each client connection its own backend connection and copies`
        + ' bytes both ways, parsing nothing, so that its CPU per request is what Node.js itself costs for the reads and writes'
        + ' of a proxied exchange (the floor for any proxy written for Node.js).'
      : '.')
    + ` wrk: ${s.threads} thread, ${s.connections} connections, ${s.durationSec} s per run after a short warm-up`
    + (s.rounds > 1 ? `; ${s.rounds} rounds over the targets in turn, medians of req/s and latency, CPU summed over the rounds.` : '.')
    + ' CPU is user+system time of the server\'s process tree (master and workers) during the run, divided by the requests served;'
    + ' `of it user µs` is the part spent in user space (the rest is the kernel\'s: system calls and the loopback network stack,'
    + ' which every server pays for the same reads and writes, within a few tens of per cent).'
    + (s.pinned
      ? ` CPUs (taskset, every thread): wrk and the backend on ${s.pinned.load}, the server measured on ${s.pinned.servers}, as on separate machines;`
        + ' a server\'s helper threads (the gateway\'s garbage-collector threads) share its CPUs. `direct` shows what the load side can carry: a server whose req/s comes near it is held back by the load side.'
      : ' wrk, the backend and the servers share the CPUs (not pinned).'));
  const steal = stealRange(res.rawRuns);
  if (steal) {
    lines.push('');
    lines.push(`CPU time taken by the hypervisor (steal, from /proc/stat) during single runs: ${steal} of the machine's CPU time.`
      + ' The `steal %` columns give it for each row: where it is high, the servers waited for a CPU and their latency grew with it.');
  }
  lines.push('');
  lines.push('**Throughput, keep-alive** (`direct` is wrk straight to the backend)');
  lines.push('');
  lines.push(mainTable(res.throughput, 'ok'));
  lines.push('');
  lines.push(ratioLine(res, 'throughput'));
  lines.push('');
  lines.push('**Rejecting a blocked client, keep-alive** (gateway: client blocked through the admin API, 403 from the gate stage;'
    + ' nginx `return 403`; HAProxy `http-request deny`)');
  lines.push('');
  lines.push(mainTable(res.rejection.keepAlive, 'rejected'));
  lines.push('');
  lines.push(ratioLine(res, 'rejectKeepAlive'));
  lines.push('');
  lines.push('**Rejecting a blocked client, one connection per request** (`Connection: close`)');
  lines.push('');
  lines.push(mainTable(res.rejection.close, 'rejected'));
  lines.push('');
  lines.push(ratioLine(res, 'rejectClose'));
  lines.push('');
  lines.push(`**p99 added latency at half load** — ${res.halfLoad.method}`);
  for (const pt of res.halfLoad.points) {
    lines.push('');
    const share = shareName(pt.share);
    const nice = pt.nice === undefined ? '' : `, servers at nice ${pt.nice}`;
    const pinned = pt.pinned ? `, each server's main thread on ${cpuWord(pt.pinned.servers)}, wrk and the backend on ${cpuWord(pt.pinned.load)}` : '';
    lines.push(`At ${share} of ${pt.basis}${nice}${pinned}: ${Math.round(pt.offeredReqPerSec)} req/s offered (${pt.connections} connections, ${pt.delayMs} ms pause)`);
    lines.push('');
    lines.push(markdownTable(
      ['target', 'achieved req/s', 'p50 ms', 'p99 ms', 'p99 added ms', 'CPU µs/req', 'of it user µs', 'steal %'],
      pt.rows.map((r) => [r.target, Math.round(r.reqPerSec), r.p50Ms, r.p99Ms, r.addedP99Ms, r.cpuUsPerReq, userUsPerReq(r), stealCell(r)]),
    ));
  }
  return lines.join('\n');
}
