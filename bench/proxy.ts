// npm run bench:proxy -- [--duration 10] [--connections 50] [--threads 1] [--workers 1] [--no-docs]
// Throughput, rejection cost and latency of the gateway next to nginx and HAProxy, all in front of
// the same nginx static backend on loopback. Progress on stderr, table on stdout, JSON to
// lab-results/, and the "Proxy throughput" section of docs/BENCHMARKS.md (one per --workers count) rewritten.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { request } from 'undici';
import { startNginx, nginxAvailable } from '../src/peers/nginx.js';
import { startHaproxy, haproxyAvailable } from '../src/peers/haproxy.js';
import { startCopyProxy } from '../src/peers/copy-proxy.js';
import { DEFAULT_STATIC_BYTES } from '../src/peers/nginx-config.js';
import type { PeerProcess } from '../src/peers/types.js';
import { startGatewayProcess, type GatewayProcess } from '../src/bench/gateway-process.js';
import { combineRounds, measure, pacing, stealPercent, userUsPerReq, type Measurement, type Target } from '../src/bench/measure.js';
import { pacingScript, runWrk, wrkAvailable } from '../src/bench/wrk.js';
import { affinityOf, cpuPlan, pinForAWhile, pinProcesses, tasksetAvailable, type AffinityChange, type CpuPlan } from '../src/bench/cpu-pin.js';
import { FLOOR_ROW, cpuWord, ratiosOf, renderProxyReport, shareName, type HalfLoadPoint, type HalfLoadRow, type ProxyBenchResult } from '../src/bench/proxy-report.js';
import { replaceMarkedSection } from '../src/bench/docs-section.js';
import { wholeNumberArg } from '../src/bench/args.js';
import { setNice } from '../src/bench/priority.js';
import { writeBenchConfigs } from '../src/bench/gateway-configs.js';

const DOCS = 'docs/BENCHMARKS.md';
/** The extra throughput row: the same gateway with the detection engine off. */
const QUIET_ROW = 'gateway (detection off)';
/** The gateway's configuration: its defaults but for the upstream idle timeout, set below the backend's. */
const UPSTREAM_NOTE = 'the upstream idle timeout: 60 s (`backends.upstream.keepAliveTimeoutMs: 60000`), below the backend nginx\'s 65 s'
  + ' as the configuration asks (the default, 4 s, suits Node.js backends, which close idle connections after 5 s), and as nginx keeps'
  + ' its own upstream connections (`keepalive_timeout 60s`)';
/** Paced runs: the first requests start this long after wrk opened its connections. */
const PACED_START_MS = 1000;
const DOCS_INTRO = `# Benchmarks

Every figure here is measured on this repository's code with the command shown beside it, on
loopback, against real peers (nginx, HAProxy) run side by side with the same backend and the
same worker count. The machine is small and shared, so read the ratios rather than the absolute
numbers, and re-run the command to compare on your own hardware.
`;

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '1' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    threads: { type: 'string', default: '1' },
    workers: { type: 'string', default: '1' },
    cli: { type: 'string', default: 'dist/cli.js' },
    'node-arg': { type: 'string', multiple: true, default: [] },
    'gateway-arg': { type: 'string', multiple: true, default: [] },
    shadow: { type: 'string', default: 'auto' },
    pin: { type: 'string', default: 'off' },
    'server-nice': { type: 'string', default: '-10' },
    'pinned-pass': { type: 'string', default: 'auto' },
    'no-gateway': { type: 'boolean', default: false },
    'no-quiet-row': { type: 'boolean', default: false },
    'no-floor': { type: 'boolean', default: false },
    'no-docs': { type: 'boolean', default: false },
    'out-dir': { type: 'string', default: 'lab-results' },
    help: { type: 'boolean', default: false },
  },
  strict: true,
});

if (args.help) {
  console.log(`usage: npm run bench:proxy -- [options]
  --duration S        seconds per measured run (default 10)
  --rounds N          passes over the targets in turn, medians reported (default 1)
  --warmup S          seconds of warm-up per target before its first run (default 3, 0 = none)
  --connections N     wrk connections (default 50)
  --threads N         wrk threads (default 1)
  --workers N         nginx worker_processes / HAProxy nbthread / gateway workers (default 1)
  --cli PATH          built gateway CLI (default dist/cli.js; run npm run build first)
  --node-arg A        a node flag for the gateway processes (repeatable), e.g. --node-arg=--single-threaded-gc
  --gateway-arg A     extra flag for \`ddos-shield gateway\` (repeatable)
  --shadow MODE       auto|on|off: shadow mode for the throughput runs; auto switches it on only
                      if detection rejects the benchmark client during warm-up (default auto)
  --pin MODE          auto|on|off: wrk and the backend run on the first half of the CPUs and
                      each server measured on the rest (taskset), as on separate machines, so
                      that the load side and the server do not take CPU time from each other;
                      auto pins when there are two CPUs or more and taskset is installed.
                      On two CPUs the load side then caps the peers' req/s (compare with the
                      direct row), so the default is off
  --server-nice N     the half-load rate once more with each server's threads at nice N
                      (-20..19, default -10; off = skip): ahead of wrk and the backend, as if
                      the load side ran on other machines (lowering nice needs root)
  --pinned-pass MODE  auto|on|off: the half-load rate once more with the main thread of each
                      server on the second half of the CPUs, wrk and the backend on the first;
                      the servers' helper threads (V8's collector) keep every CPU. As when the
                      load comes from other machines. auto runs it when there are two CPUs or
                      more, taskset is installed and --pin is off (default auto)
  --no-gateway        measure the peers only
  --no-quiet-row      skip the extra throughput run of the gateway with detection off
                      (the proxy alone: what the detection engine costs is the difference)
  --no-floor          skip the node copy proxy: a Node.js process that copies bytes between each
                      client connection and its own upstream connection, parsing nothing (the
                      floor of any Node.js proxy; measured at one worker only)
  --no-docs           do not rewrite docs/BENCHMARKS.md (its section for this --workers count)
  --out-dir DIR       where the JSON goes (default lab-results)`);
  process.exit(0);
}

const positiveInt = (name: string, v: string, min = 1): number => wholeNumberArg(name, v, min, 3600);

const durationSec = positiveInt('duration', args.duration);
const warmupSec = positiveInt('warmup', args.warmup, 0);
const rounds = positiveInt('rounds', args.rounds);
const connections = positiveInt('connections', args.connections);
const threads = positiveInt('threads', args.threads);
const workers = positiveInt('workers', args.workers);
// one section of docs/BENCHMARKS.md per worker count
const section = workers === 1 ? 'bench:proxy' : `bench:proxy:workers-${workers}`;
const START = `<!-- ${section}:start -->`;
const END = `<!-- ${section}:end -->`;
const HEADING = workers === 1 ? '## Proxy throughput' : `## Proxy throughput, ${workers} workers`;
const serverNice = args['server-nice'] === 'off' ? null : Number(args['server-nice']);
if (serverNice !== null && (!Number.isInteger(serverNice) || serverNice < -20 || serverNice > 19)) {
  console.error(`--server-nice must be off or a whole number from -20 to 19, got ${args['server-nice']}`);
  process.exit(2);
}
for (const opt of ['shadow', 'pin', 'pinned-pass'] as const) {
  if (!['auto', 'on', 'off'].includes(args[opt])) {
    console.error(`--${opt} must be auto, on or off, got ${args[opt]}`);
    process.exit(2);
  }
}

/**
 * The CPU split for an auto|on|off option (`--pin`, `--pinned-pass`): null when off, or on auto
 * without taskset or a second CPU; on, without them, stops the benchmark.
 */
function cpuSplit(mode: string, flag: string): { plan: CpuPlan; taskset: string } | null {
  if (mode === 'off') return null;
  const taskset = tasksetAvailable();
  const mine = taskset ? affinityOf(process.pid, taskset) : [];
  const plan = cpuPlan(mine);
  if (!taskset || !plan) {
    if (mode === 'on') {
      console.error(taskset ? `--${flag} on needs two CPUs or more; this process may use ${mine.join(',')}` : `--${flag} on needs taskset (apt-get install util-linux)`);
      process.exit(2);
    }
    return null;
  }
  return { plan, taskset };
}
const pin = cpuSplit(args.pin, 'pin');
/** The CPU split of the pinned half-load pass (not run when every run is pinned already). */
const pinnedPass = pin ? null : cpuSplit(args['pinned-pass'], 'pinned-pass');
/** wrk runs on the load side's CPUs. */
const wrkCpus = pin ? { cpus: { list: pin.plan.load, taskset: pin.taskset } } : {};
/** Every thread of a server measured goes to the servers' CPUs, of the backend to the load side's. */
function placed<T extends PeerProcess>(side: 'load' | 'servers', peer: T): T {
  if (pin) pinProcesses(peer.pids(), pin.plan[side], pin.taskset);
  return peer;
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

/** Newest modification time (ms) of the product sources that the build compiles. */
function newestSourceMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSourceMtime(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** Which optional gateway flags this build has, read from its --help. */
function gatewayFlags(cli: string): { shadow: boolean; workers: boolean } {
  const help = execFileSync(process.execPath, [cli, 'gateway', '--help'], { encoding: 'utf8' });
  return { shadow: /--shadow\b/.test(help), workers: /--workers\b/.test(help) };
}

const running = new Set<PeerProcess>();
/** The gateway's configuration files for this run, removed at the end whatever happens. */
let cfgDir: string | null = null;
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

const runCount = { done: 0, total: 0 };
async function run(label: string, t: Target, opts: Parameters<typeof measure>[1]): Promise<Measurement> {
  runCount.done += 1;
  progress(`run ${runCount.done}/${runCount.total}: ${label} → ${t.name} (${opts.durationSec} s, ${opts.connections} connections)`);
  const m = await measure(t, opts);
  const steal = stealPercent(m);
  const user = userUsPerReq(m);
  progress(`  ${Math.round(m.reqPerSec)} req/s, p50 ${m.p50Ms.toFixed(2)} ms, p99 ${m.p99Ms.toFixed(2)} ms, `
    + `${m.cpuUsPerReq.toFixed(1)} µs CPU/req${user === null ? '' : ` (user ${user.toFixed(1)})`}, non-2xx ${m.non2xx}, socket errors ${m.socketErrors}`
    + `${steal === null ? '' : `, steal ${steal.toFixed(1)} %`}`);
  return m;
}

/** `rounds` passes over the targets in turn; one combined figure per target, raw rounds kept. */
async function runRounds(label: string, targets: readonly Target[], opts: Parameters<typeof measure>[1], raw: Measurement[]): Promise<Measurement[]> {
  const per = new Map<string, Measurement[]>(targets.map((t) => [t.name, []]));
  for (let r = 1; r <= rounds; r++) {
    for (const t of targets) {
      const m = await run(`${label}${rounds > 1 ? `, round ${r}/${rounds}` : ''}`, t, opts);
      per.get(t.name)?.push(m);
      raw.push(m);
    }
  }
  return targets.map((t) => combineRounds(per.get(t.name) ?? []));
}

async function warm(t: Target): Promise<number> {
  if (warmupSec === 0) return 0;
  progress(`warm-up ${warmupSec} s → ${t.name}`);
  const w = await runWrk({ url: `${t.url}/`, connections, threads, durationSec: warmupSec, ...wrkCpus });
  return w.non2xx3xx;
}

async function main(): Promise<void> {
  const withGateway = !args['no-gateway'];
  const withQuiet = withGateway && !args['no-quiet-row'];
  const withFloor = !args['no-floor'] && workers === 1;
  const revision = spawnSync('git', ['describe', '--always', '--dirty'], { encoding: 'utf8' }).stdout?.trim() || 'unknown';
  let buildNote = '';
  if (withGateway && existsSync(args.cli) && existsSync('src') && newestSourceMtime('src') > statSync(args.cli).mtimeMs) {
    buildNote = `${args.cli} is older than the sources in src/ (run npm run build)`;
    progress(`warning: ${buildNote}`);
  }
  const flags = withGateway ? gatewayFlags(args.cli) : { shadow: false, workers: false };
  if (withGateway && workers > 1 && !flags.workers) {
    throw new Error(`--workers ${workers}: this gateway build has no --workers flag, so the comparison would not be at equal worker count`);
  }
  const baseGatewayArgs = [...(args['gateway-arg'] ?? []), ...(flags.workers ? ['--workers', String(workers)] : [])];
  let shadowUsed = args.shadow === 'on';
  if (shadowUsed && !flags.shadow) throw new Error('--shadow on: this gateway build has no --shadow flag');
  if (pin) progress(`pinned: wrk and the backend on CPUs ${pin.plan.load}, each server measured on CPUs ${pin.plan.servers}`);
  const load = loadavg()[0] ?? 0;
  const wrkOpts = { connections, threads, durationSec, ...wrkCpus };
  const gws = withGateway ? 1 : 0;
  // targets of each paced rate: direct, the gateway, nginx, HAProxy, the floor
  const pacedCount = 3 + gws + (withFloor ? 1 : 0);
  runCount.total = rounds * ((pacedCount + (withQuiet ? 1 : 0)) + pacedCount + 2 * (2 + gws)) + pacedCount;
  const raw: Measurement[] = [];

  progress(`backend: nginx static ${DEFAULT_STATIC_BYTES} bytes, 1 worker`);
  const backend = placed('load', await track(startNginx({ http: { kind: 'static' }, workers: 1, name: 'backend' })));
  const direct = named('direct', backend);

  // The gateway is told the backend's idle timeout, as its configuration asks of an operator: its
  // upstream keep-alive connections then stay open between runs, as nginx's and HAProxy's do.
  const cfg = writeBenchConfigs();
  cfgDir = cfg.dir;
  const gatewayCfg = cfg.gateway;
  const quietCfg = cfg.quiet;
  const startGw = async (extra: readonly string[], cfg = gatewayCfg) => placed('servers', await track(startGatewayProcess({
    cli: args.cli, backendUrl: backend.url, extraArgs: [...baseGatewayArgs, '--config', cfg, ...extra], nodeArgs: args['node-arg'],
  })));
  const shadowArg = () => (shadowUsed ? ['--shadow'] : []);
  let gateway: GatewayProcess | null = null;
  let quiet: GatewayProcess | null = null;
  if (withGateway) {
    progress(`gateway: ${['node', args.cli, 'gateway', ...baseGatewayArgs, '--config', gatewayCfg, ...shadowArg()].join(' ')}`);
    gateway = await startGw(shadowArg());
  }
  const nginxProxy = placed('servers', await track(startNginx({ http: { kind: 'proxy', upstreams: [backend.url] }, workers, name: 'nginx' })));
  const haproxy = placed('servers', await track(startHaproxy({ preset: { kind: 'proxy', upstreams: [backend.url] }, threads: workers, name: 'haproxy' })));
  const floorPeer = withFloor ? placed('servers', await track(startCopyProxy({ upstream: backend.url, name: FLOOR_ROW }))) : null;
  const floor = floorPeer ? named(FLOOR_ROW, floorPeer) : null;

  // Warm-up; if detection rejects the benchmark client, shadow mode (when available) keeps it measuring the proxy path.
  for (const t of [direct, named('nginx', nginxProxy), named('haproxy', haproxy), ...(floor ? [floor] : [])]) await warm(t);
  if (gateway) {
    const rejected = await warm(named('gateway', gateway));
    if (rejected > 0 && !shadowUsed) {
      if (args.shadow === 'auto' && flags.shadow) {
        progress(`detection rejected ${rejected} warm-up requests: restarting the gateway in shadow mode`);
        await stopPeer(gateway);
        shadowUsed = true;
        gateway = await startGw(shadowArg());
        await warm(named('gateway', gateway));
      } else {
        progress(`warning: the gateway rejected ${rejected} warm-up requests (no shadow mode available)`);
      }
    }
  }
  if (withQuiet) {
    progress(`second gateway, the proxy alone: --config ${quietCfg} (detection.enabled: false)`);
    quiet = await startGw([], quietCfg);
    await warm(named(QUIET_ROW, quiet));
  }
  const proxies: Target[] = [
    ...(gateway ? [named('gateway', gateway)] : []),
    named('nginx', nginxProxy),
    named('haproxy', haproxy),
  ];

  // Throughput, keep-alive.
  const throughput = await runRounds('throughput keep-alive',
    [direct, ...proxies.slice(0, gws), ...(quiet ? [named(QUIET_ROW, quiet)] : []), ...(floor ? [floor] : []), ...proxies.slice(gws)], wrkOpts, raw);
  await stopPeer(quiet);

  // Latency at half of nginx's (and of the gateway's own) measured maximum, paced through wrk's delay(),
  // and at a quarter of nginx's: where the load side leaves the machine quiet enough to see a 2 ms tail.
  const maxOf = (name: string) => throughput.find((m) => m.target === name)?.reqPerSec ?? 0;
  const halfNginx = maxOf('nginx') / 2;
  const bases: { basis: string; share: number; rate: number; nice?: number; pinned?: CpuPlan }[] = [{ basis: "nginx's maximum", share: 0.5, rate: halfNginx }];
  // the gateway at half of its own maximum as well, unless that is within 10% of the first rate
  if (gateway && Math.abs(maxOf('gateway') / 2 - halfNginx) > 0.1 * halfNginx) {
    bases.push({ basis: "the gateway's own maximum", share: 0.5, rate: maxOf('gateway') / 2 });
    runCount.total += rounds * pacedCount;
  }
  bases.push({ basis: "nginx's maximum", share: 0.25, rate: halfNginx / 2 });
  runCount.total += rounds * pacedCount;
  // the first rate again with the servers ahead of the load side in the CPU scheduler
  if (serverNice !== null) {
    bases.push({ basis: "nginx's maximum", share: 0.5, rate: halfNginx, nice: serverNice });
    runCount.total += rounds * pacedCount;
  }
  // and with each server's main thread on CPUs of its own
  if (pinnedPass) {
    bases.push({ basis: "nginx's maximum", share: 0.5, rate: halfNginx, pinned: pinnedPass.plan });
    runCount.total += rounds * pacedCount;
  }
  const points: HalfLoadPoint[] = [];
  const halfTargets = [direct, ...proxies, ...(floor ? [floor] : [])];
  /** The processes of the servers measured (every target but the backend itself). */
  const serverPids = () => halfTargets.slice(1).flatMap((t) => t.pids());
  for (const [i, b] of bases.entries()) {
    const pace = pacing(b.rate);
    // every connection opens first; the paced requests start PACED_START_MS in (wrk's rate counts the whole run)
    const passCpus = b.pinned && pinnedPass ? { cpus: { list: b.pinned.load, taskset: pinnedPass.taskset } } : wrkCpus;
    const pacedOpts = {
      connections: pace.connections, threads, durationSec: durationSec + 1, ...passCpus,
      luaScript: pacingScript(pace.delayMs, { startAfterMs: PACED_START_MS, connections: Math.ceil(pace.connections / threads) }),
    };
    // one unmeasured paced run per target first: every server is measured warm at this load
    if (i === 0) {
      for (const t of halfTargets) {
        runCount.done += 1;
        progress(`run ${runCount.done}/${runCount.total}: paced warm-up (not measured) → ${t.name}`);
        await runWrk({ ...pacedOpts, url: `${t.url}/` });
      }
    }
    let niced: ReturnType<typeof setNice> | null = null;
    if (b.nice !== undefined) {
      try {
        niced = setNice(serverPids(), b.nice);
        progress(`servers at nice ${b.nice} (${niced.threads} threads); wrk and the backend unchanged`);
      } catch (err) {
        progress(`skipping the run at nice ${b.nice}: ${(err as Error).message}`);
        runCount.total -= rounds * halfTargets.length;
        continue;
      }
    }
    const pinned: AffinityChange[] = [];
    if (b.pinned && pinnedPass) {
      try {
        pinned.push(pinForAWhile(backend.pids(), b.pinned.load, pinnedPass.taskset, 'all'));
        pinned.push(pinForAWhile(serverPids(), b.pinned.servers, pinnedPass.taskset, 'main'));
        progress(`servers' main threads on ${cpuWord(b.pinned.servers)}; wrk and the backend on ${cpuWord(b.pinned.load)}`);
      } catch (err) {
        for (const p of pinned) p.restore();
        progress(`skipping the pinned run: ${(err as Error).message}`);
        runCount.total -= rounds * halfTargets.length;
        continue;
      }
    }
    const label = `${shareName(b.share)} of ${b.basis}${b.nice === undefined ? '' : `, servers at nice ${b.nice}`}${b.pinned ? ", servers' main threads on CPUs of their own" : ''}`;
    let paced: Measurement[];
    try {
      paced = await runRounds(`${label} (${Math.round(pace.offered)} req/s offered)`, halfTargets, pacedOpts, raw);
    } finally {
      niced?.restore();
      for (const p of pinned) p.restore();
    }
    const ms = paced.map((m) => ({ ...m, reqPerSec: (m.reqPerSec * (durationSec + 1)) / (durationSec + 1 - PACED_START_MS / 1000) }));
    const directP99 = ms[0]?.p99Ms ?? Number.NaN;
    const rows: HalfLoadRow[] = ms.map((m) => ({ ...m, offeredReqPerSec: pace.offered, addedP99Ms: m.p99Ms - directP99 }));
    points.push({
      basis: b.basis, share: b.share, ...(b.nice === undefined ? {} : { nice: b.nice }), ...(b.pinned ? { pinned: { ...b.pinned } } : {}),
      offeredReqPerSec: pace.offered, connections: pace.connections, delayMs: pace.delayMs, rows,
    });
  }
  await stopPeer(gateway);
  await stopPeer(nginxProxy);
  await stopPeer(haproxy);
  await stopPeer(floorPeer);

  // Rejection: a blocked client, keep-alive and one connection per request.
  let gwBlock: GatewayProcess | null = null;
  if (withGateway) {
    progress('gateway (default configuration) with 127.0.0.1 blocked through the admin API');
    gwBlock = await startGw([]);
    await gwBlock.block('127.0.0.1', 60, 'bench');
    const res = await request(`${gwBlock.url}/`);
    await res.body.dump();
    if (res.statusCode !== 403 || res.headers['x-shield-action'] !== 'block') {
      throw new Error(`blocked client got ${res.statusCode} x-shield-action=${String(res.headers['x-shield-action'])}, expected 403 block`);
    }
  }
  const nginx403 = placed('servers', await track(startNginx({ http: { kind: 'return403' }, workers, name: 'nginx' })));
  const haproxy403 = placed('servers', await track(startHaproxy({ preset: { kind: 'return403' }, threads: workers, name: 'haproxy' })));
  const rejectTargets = [...(gwBlock ? [named('gateway', gwBlock)] : []), named('nginx', nginx403), named('haproxy', haproxy403)];
  for (const t of rejectTargets) await warm(t);
  const keepAlive = await runRounds('403 keep-alive', rejectTargets, wrkOpts, raw);
  const close = await runRounds('403 Connection: close', rejectTargets, { ...wrkOpts, headers: { Connection: 'close' } }, raw);
  await stopAll();

  const date = new Date().toISOString();
  const argv = process.argv.slice(2);
  const result: ProxyBenchResult = {
    date,
    revision: buildNote ? `${revision} (${buildNote})` : revision,
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
    settings: { durationSec, rounds, connections, threads, workers, backendBytes: DEFAULT_STATIC_BYTES, pinned: pin ? { ...pin.plan } : null },
    gateway: {
      ran: withGateway,
      args: baseGatewayArgs,
      note: !withGateway ? 'not run' : shadowUsed
        ? `default configuration in shadow mode (every stage runs, decisions are recorded, not enforced), but for ${UPSTREAM_NOTE}`
        : `default configuration, full pipeline enforcing, but for ${UPSTREAM_NOTE}`,
    },
    throughput,
    rejection: { keepAlive, close },
    rawRuns: raw,
    halfLoad: {
      method: 'wrk2 is not available, so each wrk connection is paced by a Lua `delay()`: it sends a request, waits for'
        + ' the answer, then pauses; connections × (1000 / pause) is the offered rate. This is still a closed loop: a target that'
        + ' cannot keep up is offered less (compare achieved with offered) and, without wrk2\'s coordinated-omission'
        + ' correction, its p99 understates the queueing. Every connection is opened before the paced requests start'
        + ` (${PACED_START_MS} ms into each run, then spread over one pause), so that accepting hundreds of connections at`
        + ' once — measured on its own in the `Connection: close` rows — is not counted as latency; achieved req/s is over'
        + ' the paced part. Each target first gets one unmeasured paced run at the first rate, so that every server is measured warm.'
        + ' The last rate, a quarter of nginx\'s maximum, shows the tails when the load side (wrk and the backend, on the same'
        + ' machine) leaves the server more room.'
        + ' "p99 added" is the target\'s p99 minus the direct-to-backend p99 at the same rate.'
        + (serverNice === null ? '' : ` The half-load rate is run once more with every thread of each server at nice ${serverNice}`
          + ' (wrk and the backend at their own): the scheduler then runs a server as soon as it has work instead of after'
          + ' wrk\'s time slice, as when the load comes from other machines.')
        + (pinnedPass === null ? '' : ` The half-load rate is also run with the main thread of each server on ${cpuWord(pinnedPass.plan.servers)}`
          + ` and wrk and the backend on ${cpuWord(pinnedPass.plan.load)} (taskset), as when the load comes from other machines;`
          + ' the servers\' helper threads (V8\'s collector and compiler in the Node.js servers) keep every CPU: confined to'
          + ' the main thread\'s CPU, the collector finishes its work inside its pauses.'),
      points,
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
    writeFileSync(DOCS, replaceMarkedSection(doc, START, END, report, HEADING));
    progress(`updated the "${HEADING.slice(3)}" section of ${DOCS}`);
  }
}

try {
  await main();
} catch (err) {
  progress(`failed: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  await stopAll();
  if (cfgDir) rmSync(cfgDir, { recursive: true, force: true });
}
