// npm run bench:proxy -- [--duration 10] [--connections 50] [--threads 1] [--workers 1] [--no-docs]
// Throughput, rejection cost and latency of the gateway next to nginx and HAProxy, all in front of
// the same nginx static backend on loopback. Progress on stderr, table on stdout, JSON to
// lab-results/, and the "Proxy throughput" section of docs/BENCHMARKS.md rewritten.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { request } from 'undici';
import { startNginx, nginxAvailable } from '../src/peers/nginx.js';
import { startHaproxy, haproxyAvailable } from '../src/peers/haproxy.js';
import { DEFAULT_STATIC_BYTES } from '../src/peers/nginx-config.js';
import type { PeerProcess } from '../src/peers/types.js';
import { startGatewayProcess, type GatewayProcess } from '../src/bench/gateway-process.js';
import { measure, pacing, type Measurement, type Target } from '../src/bench/measure.js';
import { pacingScript, runWrk, wrkAvailable } from '../src/bench/wrk.js';
import { ratiosOf, renderProxyReport, type HalfLoadRow, type ProxyBenchResult } from '../src/bench/proxy-report.js';
import { replaceMarkedSection } from '../src/bench/docs-section.js';

const DOCS = 'docs/BENCHMARKS.md';
const START = '<!-- bench:proxy:start -->';
const END = '<!-- bench:proxy:end -->';
const DOCS_INTRO = `# Benchmarks

Every figure here is measured on this repository's code with the command shown beside it, on
loopback, against real peers (nginx, HAProxy) run side by side with the same backend and the
same worker count. The machine is small and shared, so read the ratios rather than the absolute
numbers, and re-run the command to compare on your own hardware.
`;

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '50' },
    threads: { type: 'string', default: '1' },
    workers: { type: 'string', default: '1' },
    cli: { type: 'string', default: 'dist/cli.js' },
    'gateway-arg': { type: 'string', multiple: true, default: [] },
    shadow: { type: 'string', default: 'auto' },
    'no-gateway': { type: 'boolean', default: false },
    'no-docs': { type: 'boolean', default: false },
    'out-dir': { type: 'string', default: 'lab-results' },
    help: { type: 'boolean', default: false },
  },
  strict: true,
});

if (args.help) {
  console.log(`usage: npm run bench:proxy -- [options]
  --duration S        seconds per measured run (default 10)
  --warmup S          seconds of warm-up before each throughput run (default 2, 0 = none)
  --connections N     wrk connections (default 50)
  --threads N         wrk threads (default 1)
  --workers N         nginx worker_processes / HAProxy nbthread / gateway workers (default 1)
  --cli PATH          built gateway CLI (default dist/cli.js; run npm run build first)
  --gateway-arg A     extra flag for \`ddos-shield gateway\` (repeatable)
  --shadow MODE       auto|on|off: shadow mode for the throughput runs; auto switches it on only
                      if detection rejects the benchmark client during warm-up (default auto)
  --no-gateway        measure the peers only
  --no-docs           do not rewrite docs/BENCHMARKS.md
  --out-dir DIR       where the JSON goes (default lab-results)`);
  process.exit(0);
}

function positiveInt(name: string, v: string, min = 1): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > 3600) {
    console.error(`--${name} must be a whole number between ${min} and 3600, got ${v}`);
    process.exit(2);
  }
  return n;
}

const durationSec = positiveInt('duration', args.duration);
const warmupSec = positiveInt('warmup', args.warmup, 0);
const connections = positiveInt('connections', args.connections);
const threads = positiveInt('threads', args.threads);
const workers = positiveInt('workers', args.workers);
if (!['auto', 'on', 'off'].includes(args.shadow)) {
  console.error(`--shadow must be auto, on or off, got ${args.shadow}`);
  process.exit(2);
}

const progress = (msg: string) => process.stderr.write(`[bench:proxy ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

for (const [tool, path] of [['wrk', wrkAvailable()], ['nginx', nginxAvailable()], ['haproxy', haproxyAvailable()]] as const) {
  if (!path) {
    console.error(`${tool} is not installed; apt-get install wrk nginx-light haproxy`);
    process.exit(1);
  }
}

function version(cmd: string, flag: string, re: RegExp): string {
  const r = spawnSync(cmd, [flag], { encoding: 'utf8' });
  return re.exec(`${r.stdout ?? ''}${r.stderr ?? ''}`)?.[0] ?? cmd;
}

/** Which optional gateway flags this build has, read from its --help. */
function gatewayFlags(cli: string): { shadow: boolean; workers: boolean } {
  const help = execFileSync(process.execPath, [cli, 'gateway', '--help'], { encoding: 'utf8' });
  return { shadow: /--shadow\b/.test(help), workers: /--workers\b/.test(help) };
}

const running = new Set<PeerProcess>();
async function track<T extends PeerProcess>(p: Promise<T>): Promise<T> {
  const peer = await p;
  running.add(peer);
  return peer;
}
async function stopPeer(p: PeerProcess | null): Promise<void> {
  if (!p) return;
  running.delete(p);
  await p.stop();
}
async function stopAll(): Promise<void> {
  await Promise.all([...running].map((p) => p.stop()));
  running.clear();
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    progress(`${sig}: stopping every server`);
    void stopAll().then(() => process.exit(130));
  });
}

const named = (name: string, p: PeerProcess): Target => ({ name, url: p.url, pids: () => p.pids() });

const runCount = { done: 0, total: args['no-gateway'] ? 3 + 4 + 4 : 4 + 4 + 6 };
async function run(label: string, t: Target, opts: Parameters<typeof measure>[1]): Promise<Measurement> {
  runCount.done += 1;
  progress(`run ${runCount.done}/${runCount.total}: ${label} → ${t.name} (${opts.durationSec} s, ${opts.connections} connections)`);
  const m = await measure(t, opts);
  progress(`  ${Math.round(m.reqPerSec)} req/s, p50 ${m.p50Ms.toFixed(2)} ms, p99 ${m.p99Ms.toFixed(2)} ms, `
    + `${m.cpuUsPerReq.toFixed(1)} µs CPU/req, non-2xx ${m.non2xx}, socket errors ${m.socketErrors}`);
  return m;
}

async function warm(t: Target): Promise<number> {
  if (warmupSec === 0) return 0;
  progress(`warm-up ${warmupSec} s → ${t.name}`);
  const w = await runWrk({ url: `${t.url}/`, connections, threads, durationSec: warmupSec });
  return w.non2xx3xx;
}

async function main(): Promise<void> {
  const withGateway = !args['no-gateway'];
  const flags = withGateway ? gatewayFlags(args.cli) : { shadow: false, workers: false };
  if (withGateway && workers > 1 && !flags.workers) {
    throw new Error(`--workers ${workers}: this gateway build has no --workers flag, so the comparison would not be at equal worker count`);
  }
  const baseGatewayArgs = [...(args['gateway-arg'] ?? []), ...(flags.workers ? ['--workers', String(workers)] : [])];
  let shadowUsed = args.shadow === 'on';
  if (shadowUsed && !flags.shadow) throw new Error('--shadow on: this gateway build has no --shadow flag');
  const load = loadavg()[0] ?? 0;
  const wrkOpts = { connections, threads, durationSec };

  progress(`backend: nginx static ${DEFAULT_STATIC_BYTES} bytes, 1 worker`);
  const backend = await track(startNginx({ http: { kind: 'static' }, workers: 1, name: 'backend' }));
  const direct = named('direct', backend);

  const startGw = (shadow: boolean) => track(startGatewayProcess({
    cli: args.cli, backendUrl: backend.url, extraArgs: [...baseGatewayArgs, ...(shadow ? ['--shadow'] : [])],
  }));
  let gateway: GatewayProcess | null = null;
  if (withGateway) {
    progress(`gateway: ${['node', args.cli, 'gateway', ...baseGatewayArgs, ...(shadowUsed ? ['--shadow'] : [])].join(' ')}`);
    gateway = await startGw(shadowUsed);
  }
  const nginxProxy = await track(startNginx({ http: { kind: 'proxy', upstreams: [backend.url] }, workers, name: 'nginx' }));
  const haproxy = await track(startHaproxy({ preset: { kind: 'proxy', upstreams: [backend.url] }, threads: workers, name: 'haproxy' }));

  // Throughput, keep-alive.
  const throughput: Measurement[] = [];
  for (const t of [direct, ...(gateway ? [named('gateway', gateway)] : []), named('nginx', nginxProxy), named('haproxy', haproxy)]) {
    let target = t;
    const rejected = await warm(target);
    if (t.name === 'gateway' && rejected > 0 && !shadowUsed) {
      if (args.shadow === 'auto' && flags.shadow) {
        progress(`detection rejected ${rejected} warm-up requests: restarting the gateway in shadow mode`);
        await stopPeer(gateway);
        gateway = await startGw(true);
        shadowUsed = true;
        target = named('gateway', gateway);
        await warm(target);
      } else {
        progress(`warning: the gateway rejected ${rejected} warm-up requests (no shadow mode used)`);
      }
    }
    throughput.push(await run('throughput keep-alive', target, wrkOpts));
  }

  // Latency at half of nginx's measured maximum, paced through wrk's delay().
  const nginxMax = throughput.find((m) => m.target === 'nginx')?.reqPerSec ?? 0;
  const pace = pacing(nginxMax / 2);
  const halfRows: HalfLoadRow[] = [];
  let directP99: number | null = null;
  for (const t of [direct, ...(gateway ? [named('gateway', gateway)] : []), named('nginx', nginxProxy), named('haproxy', haproxy)]) {
    const m = await run(`half load (${Math.round(pace.offered)} req/s offered)`, t, {
      connections: pace.connections, threads, durationSec, luaScript: pacingScript(pace.delayMs),
    });
    if (t.name === 'direct') directP99 = m.p99Ms;
    halfRows.push({ ...m, offeredReqPerSec: pace.offered, addedP99Ms: directP99 === null ? null : m.p99Ms - directP99 });
  }
  await stopPeer(gateway);
  await stopPeer(nginxProxy);
  await stopPeer(haproxy);

  // Rejection: a blocked client, keep-alive and one connection per request.
  let gwBlock: GatewayProcess | null = null;
  if (withGateway) {
    progress('gateway (default configuration) with 127.0.0.1 blocked through the admin API');
    gwBlock = await startGw(false);
    await gwBlock.block('127.0.0.1', 60, 'bench');
    const res = await request(`${gwBlock.url}/`);
    await res.body.dump();
    if (res.statusCode !== 403 || res.headers['x-shield-action'] !== 'block') {
      throw new Error(`blocked client got ${res.statusCode} x-shield-action=${String(res.headers['x-shield-action'])}, expected 403 block`);
    }
  }
  const nginx403 = await track(startNginx({ http: { kind: 'return403' }, workers, name: 'nginx' }));
  const haproxy403 = await track(startHaproxy({ preset: { kind: 'return403' }, threads: workers, name: 'haproxy' }));
  const rejectTargets = [...(gwBlock ? [named('gateway', gwBlock)] : []), named('nginx', nginx403), named('haproxy', haproxy403)];
  const keepAlive: Measurement[] = [];
  for (const t of rejectTargets) keepAlive.push(await run('403 keep-alive', t, wrkOpts));
  const close: Measurement[] = [];
  for (const t of rejectTargets) close.push(await run('403 Connection: close', t, { ...wrkOpts, headers: { Connection: 'close' } }));
  await stopAll();

  const date = new Date().toISOString();
  const argv = process.argv.slice(2);
  const result: ProxyBenchResult = {
    date,
    command: `npm run bench:proxy${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`,
    machine: {
      cores: cpus().length,
      cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
      node: process.version,
      loadavg1m: load,
      nginx: version('nginx', '-v', /nginx\/[\d.]+/),
      haproxy: version('haproxy', '-v', /HAProxy version [\d.]+/),
      wrk: version('wrk', '-v', /wrk [^\s]+/),
    },
    settings: { durationSec, connections, threads, workers, backendBytes: DEFAULT_STATIC_BYTES },
    gateway: {
      ran: withGateway,
      args: baseGatewayArgs,
      note: !withGateway ? 'not run' : shadowUsed
        ? 'default configuration in shadow mode: every stage runs, decisions are recorded, not enforced'
        : 'default configuration, full pipeline enforcing',
    },
    throughput,
    rejection: { keepAlive, close },
    halfLoad: {
      method: `wrk closed loop paced by a Lua \`delay()\` of ${pace.delayMs} ms per connection on ${pace.connections} connections,`
        + ` offering about half of nginx's measured maximum (${Math.round(pace.offered)} req/s); wrk2 is not available,`
        + ' and without its coordinated-omission correction these p99 figures understate queueing if a target cannot keep up'
        + ' (compare achieved with offered). "p99 added" is the target\'s p99 minus the direct-to-backend p99 at the same rate.',
      rows: halfRows,
    },
    ratios: {
      ...ratiosOf(throughput, 'throughput'),
      ...ratiosOf(keepAlive, 'rejectKeepAlive'),
      ...ratiosOf(close, 'rejectClose'),
    },
  };

  const report = renderProxyReport(result);
  console.log(report);
  mkdirSync(args['out-dir'], { recursive: true });
  const jsonPath = join(args['out-dir'], `bench-proxy-${date.slice(0, 19).replace(/:/g, '-')}.json`);
  writeFileSync(jsonPath, `${JSON.stringify(result, null, 2)}\n`);
  progress(`wrote ${jsonPath}`);
  if (!args['no-docs']) {
    const doc = existsSync(DOCS) ? readFileSync(DOCS, 'utf8') : DOCS_INTRO;
    mkdirSync('docs', { recursive: true });
    writeFileSync(DOCS, replaceMarkedSection(doc, START, END, report, '## Proxy throughput'));
    progress(`updated the Proxy throughput section of ${DOCS}`);
  }
}

try {
  await main();
} catch (err) {
  progress(`failed: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  await stopAll();
}
