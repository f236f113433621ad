// npm run bench:instructions -- [--warmup 60000] [--requests 5000] [--rounds 5] [--connections 50] [--no-docs]
// User-space instructions per proxied request, counted by valgrind's callgrind: the gateway (full
// pipeline, shadow mode), the gateway with detection off, the Node.js copy proxy, nginx and HAProxy,
// each in front of the same nginx static backend. Unlike CPU time, the count does not move with
// what else the machine is doing, so two builds can be compared to the per cent on a shared
// machine; it leaves out the kernel's work (system calls, loopback), which bench:proxy measures.
// Progress on stderr, table on stdout, JSON to lab-results/, and the "Instructions per request"
// section of docs/BENCHMARKS.md rewritten.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { startNginx, nginxAvailable } from '../src/peers/nginx.js';
import { startHaproxy, haproxyAvailable } from '../src/peers/haproxy.js';
import { startCopyProxy } from '../src/peers/copy-proxy.js';
import { DEFAULT_STATIC_BYTES } from '../src/peers/nginx-config.js';
import type { PeerProcess } from '../src/peers/types.js';
import { startGatewayProcess } from '../src/bench/gateway-process.js';
import {
  annotate, callgrindControl, callgrindTools, callgrindWrap, dumpReader, parsePerfMap, selfCosts, type CallgrindTools,
} from '../src/bench/callgrind.js';
import { median } from '../src/bench/measure.js';
import { sendRequests } from '../src/bench/pool-load.js';
import { markdownTable } from '../src/bench/markdown-table.js';
import { replaceMarkedSection } from '../src/bench/docs-section.js';
import { onlyTargets, wholeNumberArg } from '../src/bench/args.js';
import { writeBenchConfigs } from '../src/bench/gateway-configs.js';

const DOCS = 'docs/BENCHMARKS.md';
const START = '<!-- bench:instructions:start -->';
const END = '<!-- bench:instructions:end -->';
const HEADING = '## Instructions per proxied request';
/** Under valgrind a start takes seconds (node: about 10). */
const START_TIMEOUT_MS = 120_000;
const TOP_FUNCTIONS = 15;
/** Where node --perf-basic-prof writes a process's map of JIT code (V8 writes it to /tmp, whatever TMPDIR says). */
const perfMapOf = (pid: number) => `/tmp/perf-${pid}.map`;

const { values: args } = parseArgs({
  options: {
    warmup: { type: 'string', default: '60000' },
    requests: { type: 'string', default: '5000' },
    rounds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '50' },
    cli: { type: 'string', default: 'dist/cli.js' },
    only: { type: 'string', multiple: true, default: [] },
    'no-docs': { type: 'boolean', default: false },
    'out-dir': { type: 'string', default: 'lab-results' },
    keep: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
  strict: true,
});
if (args.help) {
  console.log(`usage: npm run bench:instructions -- [options]   (after npm run build; needs valgrind, nginx, haproxy)
  --warmup N        requests sent to each server before counting, instrumentation off (default 60000)
  --requests N      requests per counted round (default 5000)
  --rounds N        counted rounds per server, after one more that is not counted (default 5); the median is reported
  --connections N   keep-alive connections of the client (default 50)
  --cli PATH        built gateway CLI (default dist/cli.js)
  --only NAME       measure only this target (repeatable): gateway, quiet, floor, nginx, haproxy
  --no-docs         do not rewrite docs/BENCHMARKS.md
  --out-dir DIR     where the JSON goes (default lab-results)
  --keep DIR        keep each Node.js target's last callgrind dump and its perf map there (for callgrind_annotate --tree=caller)`);
  process.exit(0);
}
const warmup = wholeNumberArg('warmup', args.warmup, 0, 10_000_000);
const perRound = wholeNumberArg('requests', args.requests, 100, 1_000_000);
const rounds = wholeNumberArg('rounds', args.rounds, 1, 50);
const connections = wholeNumberArg('connections', args.connections, 1, 1000);

const progress = (msg: string) => process.stderr.write(`[bench:instructions ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

const tools = callgrindTools();
if (!tools) { console.error('valgrind is not installed (apt-get install valgrind)'); process.exit(1); }
for (const [tool, path] of [['nginx', nginxAvailable()], ['haproxy', haproxyAvailable()]] as const) {
  if (!path) { console.error(`${tool} is not installed; apt-get install nginx-light haproxy`); process.exit(1); }
}
if (!existsSync(args.cli)) { console.error(`${args.cli} not found: run npm run build first`); process.exit(1); }

interface Target {
  key: string;
  name: string;
  start(wrap: string[]): Promise<PeerProcess>;
  /** Whether its JIT code is named through a perf map (node --perf-basic-prof). */
  node: boolean;
}

interface TargetResult {
  name: string;
  perRequest: number[];
  median: number;
  failed: number;
  top?: { name: string; share: number }[];
}

const load = (pool: Pool, n: number, label: string) => sendRequests(pool, n, connections, label, progress);

async function measureTarget(t: Target, cg: CallgrindTools): Promise<TargetResult> {
  const dir = mkdtempSync(join(tmpdir(), 'ddos-shield-callgrind-'));
  progress(`${t.name}: starting under callgrind`);
  const peer = await t.start(callgrindWrap(cg, dir));
  const pool = new Pool(peer.url, { connections, pipelining: 1 });
  try {
    const warmBad = warmup > 0 ? await load(pool, warmup, `${t.name} warm-up`) : 0;
    progress(`${t.name}: ${warmup} warm-up requests done (${warmBad} not 2xx); counting ${rounds} rounds of ${perRound} after one not counted`);
    const pids = peer.pids();
    for (const pid of pids) callgrindControl(cg, pid, '-i', 'on');
    const dumps = dumpReader(cg, dir);
    const perRequest: number[] = [];
    let failed = warmBad;
    for (let r = 0; r <= rounds; r++) {
      for (const pid of pids) callgrindControl(cg, pid, '-z');
      failed += await load(pool, perRound, `${t.name} round ${r}`);
      let total = 0;
      for (const pid of pids) total += dumps.dump(pid, `round${r}`);
      if (r === 0) { progress(`${t.name}: round 0 (not counted) ${Math.round(total / perRound)} instructions per request`); continue; }
      perRequest.push(total / perRound);
      progress(`${t.name}: round ${r}/${rounds} ${Math.round(total / perRound)} instructions per request`);
    }
    const result: TargetResult = { name: t.name, perRequest, median: median(perRequest), failed };
    // the last round of a Node.js server, its JIT code named through its perf map
    const last = t.node ? dumps.lastFile(pids[0]!) : null;
    if (last && existsSync(perfMapOf(pids[0]!))) {
      result.top = selfCosts(annotate(cg, last), parsePerfMap(readFileSync(perfMapOf(pids[0]!), 'utf8'))).functions.slice(0, TOP_FUNCTIONS);
      if (args.keep) {
        mkdirSync(args.keep, { recursive: true });
        copyFileSync(last, join(args.keep, `${t.key}.callgrind`));
        copyFileSync(perfMapOf(pids[0]!), join(args.keep, `${t.key}.perf.map`));
        progress(`${t.name}: last dump and perf map kept in ${args.keep}/${t.key}.*`);
      }
    }
    return result;
  } finally {
    const pids = peer.pids();
    await pool.close();
    await peer.stop();
    rmSync(dir, { recursive: true, force: true });
    if (t.node) for (const pid of pids) rmSync(perfMapOf(pid), { force: true });
  }
}

async function main(): Promise<void> {
  const cg = tools!;
  const revision = spawnSync('git', ['describe', '--always', '--dirty'], { encoding: 'utf8' }).stdout?.trim() || 'unknown';
  progress(`backend: nginx static ${DEFAULT_STATIC_BYTES} bytes, 1 worker (not under valgrind)`);
  const backend = await startNginx({ http: { kind: 'static' }, workers: 1, name: 'backend' });
  const cfg = writeBenchConfigs();
  // --single-threaded: compiler and collector work stays on the one thread that callgrind counts in order
  const nodeArgs = ['--single-threaded', '--perf-basic-prof'];
  const gw = (cfg: string) => (wrap: string[]) => startGatewayProcess({
    cli: args.cli, backendUrl: backend.url, extraArgs: ['--config', cfg, '--shadow'], nodeArgs, wrap, startTimeoutMs: START_TIMEOUT_MS,
  });
  const all: Target[] = [
    { key: 'gateway', name: 'gateway', node: true, start: gw(cfg.gateway) },
    { key: 'quiet', name: 'gateway (detection off)', node: true, start: gw(cfg.quiet) },
    { key: 'floor', name: 'node copy proxy', node: true, start: (wrap) => startCopyProxy({ upstream: backend.url, nodeArgs, wrap, startTimeoutMs: START_TIMEOUT_MS }) },
    { key: 'nginx', name: 'nginx', node: false, start: (wrap) => startNginx({ http: { kind: 'proxy', upstreams: [backend.url] }, workers: 1, masterProcess: false, name: 'nginx', wrap, startTimeoutMs: START_TIMEOUT_MS }) },
    { key: 'haproxy', name: 'haproxy', node: false, start: (wrap) => startHaproxy({ preset: { kind: 'proxy', upstreams: [backend.url] }, threads: 1, name: 'haproxy', wrap, startTimeoutMs: START_TIMEOUT_MS }) },
  ];
  const targets = onlyTargets(all, args.only ?? []);
  const results: TargetResult[] = [];
  try {
    for (const t of targets) results.push(await measureTarget(t, cg));
  } finally {
    await backend.stop();
    rmSync(cfg.dir, { recursive: true, force: true });
  }

  const nginx = results.find((r) => r.name === 'nginx');
  const rows = results.map((r) => [
    r.name, Math.round(r.median), `${Math.round(Math.min(...r.perRequest))}–${Math.round(Math.max(...r.perRequest))}`,
    nginx ? Number((r.median / nginx.median).toFixed(2)) : null, r.failed,
  ]);
  const table = markdownTable(['target', 'instructions per request', 'rounds', '/ nginx', 'not 2xx'], rows);
  const gwTop = results.find((r) => r.name === 'gateway')?.top;
  const topTable = gwTop
    ? markdownTable(['function (the gateway, last round, self instructions)', 'share %'], gwTop.map((f) => [f.name.replace(/ file:\/\/\S*\/dist\//, ' dist/'), Number((f.share * 100).toFixed(1))]))
    : '';
  const date = new Date().toISOString();
  const argv = process.argv.slice(2);
  const command = `npm run bench:instructions${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`;
  const text = `Measured ${date} on ${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown'}), Node ${process.version}, code at ${revision}.

Command: \`${command}\` (after \`npm run build\`; needs valgrind).

Each server runs alone under \`valgrind --tool=callgrind\`, in front of the same nginx static backend (${DEFAULT_STATIC_BYTES} bytes, not under valgrind), and gets ${warmup} warm-up requests with instrumentation off; then ${rounds + 1} rounds of ${perRound} requests (${connections} keep-alive connections, \`GET /\`) are counted, the first dropped. Node.js runs with \`--single-threaded\` so that the compiler's and the collector's work is counted on one thread. The gateway is in shadow mode with its default configuration (upstream idle timeout 60 s, as in bench:proxy). Counts are user-space instructions of the server's processes (nginx with \`master_process off\`: one process that does a worker's work), the kernel's work left out, so the median of the rounds compares the code of two builds to a few per cent however busy the machine is (a single round can be higher when V8 recompiles a function or collects the whole heap within it); they are not CPU time (instructions per cycle differ between JIT-compiled JavaScript and C).

${table}
${topTable ? `\nWhere the gateway's instructions go (JIT-compiled JavaScript named from node's perf map, \`*\` optimized code; the rest from the node binary and its libraries):\n\n${topTable}\n` : ''}`;
  console.log(text);
  mkdirSync(args['out-dir'], { recursive: true });
  const out = join(args['out-dir'], `instructions-${date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(out, JSON.stringify({ date, revision, command, warmup, perRound, rounds, connections, results }, null, 2));
  progress(`JSON: ${out}`);
  if (!args['no-docs']) {
    writeFileSync(DOCS, replaceMarkedSection(readFileSync(DOCS, 'utf8'), START, END, text, HEADING));
    progress(`rewrote the ${HEADING} section of ${DOCS}`);
  }
}

await main();
