// npm run bench:alloc -- [--warmup 50000] [--requests 200000] [--connections 50] [--only NAME] [--no-docs]
// Bytes allocated per proxied request and what the collector does with them: the gateway (full
// pipeline, shadow mode), the gateway with detection off and the Node.js copy proxy, each in
// front of the same nginx static backend, run with `node --trace-gc-nvp`. The allocation rate sets
// how often the young generation is collected, and every scavenge pauses the requests in flight.
// Progress on stderr, table on stdout, JSON to lab-results/, and the "Allocation per proxied
// request" section of docs/BENCHMARKS.md rewritten.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { startNginx, nginxAvailable } from '../src/peers/nginx.js';
import { startCopyProxy } from '../src/peers/copy-proxy.js';
import { DEFAULT_STATIC_BYTES } from '../src/peers/nginx-config.js';
import type { PeerProcess } from '../src/peers/types.js';
import { startGatewayProcess } from '../src/bench/gateway-process.js';
import { sendRequests } from '../src/bench/pool-load.js';
import { summarizeGcTrace, type GcSummary } from '../src/bench/gc-trace.js';
import { median } from '../src/bench/measure.js';
import { markdownTable } from '../src/bench/markdown-table.js';
import { replaceMarkedSection } from '../src/bench/docs-section.js';
import { onlyTargets, wholeNumberArg } from '../src/bench/args.js';
import { writeBenchConfigs } from '../src/bench/gateway-configs.js';

const DOCS = 'docs/BENCHMARKS.md';
const START = '<!-- bench:alloc:start -->';
const END = '<!-- bench:alloc:end -->';
const HEADING = '## Allocation per proxied request';

const { values: args } = parseArgs({
  options: {
    warmup: { type: 'string', default: '50000' },
    requests: { type: 'string', default: '200000' },
    connections: { type: 'string', default: '50' },
    cli: { type: 'string', default: 'dist/cli.js' },
    only: { type: 'string', multiple: true, default: [] },
    'no-docs': { type: 'boolean', default: false },
    'out-dir': { type: 'string', default: 'lab-results' },
    help: { type: 'boolean', default: false },
  },
  strict: true,
});
if (args.help) {
  console.log(`usage: npm run bench:alloc -- [options]   (after npm run build; needs nginx)
  --warmup N        requests sent to each server before measuring (default 50000)
  --requests N      requests measured per server (default 200000)
  --connections N   keep-alive connections of the client (default 50)
  --cli PATH        built gateway CLI (default dist/cli.js)
  --only NAME       measure only this target (repeatable): gateway, quiet, floor
  --no-docs         do not rewrite docs/BENCHMARKS.md
  --out-dir DIR     where the JSON goes (default lab-results)`);
  process.exit(0);
}
const warmup = wholeNumberArg('warmup', args.warmup, 0, 10_000_000);
const requests = wholeNumberArg('requests', args.requests, 1000, 10_000_000);
const connections = wholeNumberArg('connections', args.connections, 1, 1000);
if (!nginxAvailable()) { console.error('nginx is not installed; apt-get install nginx-light'); process.exit(1); }

const progress = (msg: string) => process.stderr.write(`[bench:alloc ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

interface Target { key: string; name: string; start: () => Promise<PeerProcess> }
interface TargetResult { name: string; requests: number; failed: number; gc: GcSummary }

/** The bytes `path` holds from `from` on. */
function readFrom(path: string, from: number): string {
  const size = statSync(path).size;
  if (size <= from) return '';
  const buf = Buffer.alloc(size - from);
  const fd = openSync(path, 'r');
  try { readSync(fd, buf, 0, buf.length, from); } finally { closeSync(fd); }
  return buf.toString('utf8');
}

async function measureTarget(t: Target): Promise<TargetResult> {
  progress(`${t.name}: starting with --trace-gc-nvp`);
  const peer = await t.start();
  const pool = new Pool(peer.url, { connections, pipelining: 1 });
  try {
    const log = peer.logs?.stdout;
    if (!log) throw new Error(`${t.name}: its stdout is not in a file`);
    let failed = warmup > 0 ? await sendRequests(pool, warmup, connections, `${t.name} warm-up`, progress) : 0;
    progress(`${t.name}: ${warmup} warm-up requests done; measuring ${requests}`);
    const from = statSync(log).size;
    failed += await sendRequests(pool, requests, connections, t.name, progress);
    // the trace line of a collection is written as it ends: give the last one a moment
    await new Promise((r) => setTimeout(r, 200));
    const gc = summarizeGcTrace(readFrom(log, from));
    progress(`${t.name}: ${Math.round(gc.allocatedBytes / requests)} bytes per request, ${gc.scavengePausesMs.length} scavenges, ${gc.fullPausesMs.length} full collections`);
    return { name: t.name, requests, failed, gc };
  } finally {
    await pool.close();
    await peer.stop();
  }
}

const ms = (xs: readonly number[]) => (xs.length === 0 ? '–' : `${median(xs).toFixed(2)} / ${Math.max(...xs).toFixed(2)}`);

async function main(): Promise<void> {
  const revision = spawnSync('git', ['describe', '--always', '--dirty'], { encoding: 'utf8' }).stdout?.trim() || 'unknown';
  progress(`backend: nginx static ${DEFAULT_STATIC_BYTES} bytes, 1 worker`);
  const backend = await startNginx({ http: { kind: 'static' }, workers: 1, name: 'backend' });
  const cfg = writeBenchConfigs();
  const nodeArgs = ['--trace-gc-nvp'];
  const gw = (cfg: string) => () => startGatewayProcess({ cli: args.cli, backendUrl: backend.url, extraArgs: ['--config', cfg, '--shadow'], nodeArgs });
  const all: Target[] = [
    { key: 'gateway', name: 'gateway', start: gw(cfg.gateway) },
    { key: 'quiet', name: 'gateway (detection off)', start: gw(cfg.quiet) },
    { key: 'floor', name: 'node copy proxy', start: () => startCopyProxy({ upstream: backend.url, nodeArgs }) },
  ];
  const targets = onlyTargets(all, args.only ?? []);
  const results: TargetResult[] = [];
  try {
    for (const t of targets) results.push(await measureTarget(t));
  } finally {
    await backend.stop();
    rmSync(cfg.dir, { recursive: true, force: true });
  }

  const rows = results.map((r) => [
    r.name, Math.round(r.gc.allocatedBytes / r.requests),
    r.gc.scavengePausesMs.length > 0 ? Math.round(r.requests / r.gc.scavengePausesMs.length) : '–',
    ms(r.gc.scavengePausesMs), r.gc.fullPausesMs.length, r.failed,
  ]);
  const table = markdownTable(['target', 'bytes allocated per request', 'requests per scavenge', 'scavenge pause ms (median / max)', 'full collections', 'not 2xx'], rows);
  const date = new Date().toISOString();
  const argv = process.argv.slice(2);
  const command = `npm run bench:alloc${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`;
  const text = `Measured ${date} on ${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown'}), Node ${process.version}, code at ${revision}.

Command: \`${command}\` (after \`npm run build\`; needs nginx).

Each server runs in turn with \`node --trace-gc-nvp\` in front of the same nginx static backend (${DEFAULT_STATIC_BYTES} bytes) and gets ${warmup} warm-up requests, then ${requests} measured ones (${connections} keep-alive connections, \`GET /\`, one request at a time on each). The gateway is in shadow mode with its default configuration (upstream idle timeout 60 s, as in bench:proxy). Bytes allocated are summed over the collections during the measured requests (each trace line gives what was allocated since the collection before), so they are exact to within one young generation (about 16 MB, against hundreds of MB measured). Unlike time, the bytes do not move with what else the machine is doing; the pauses do.

${table}
`;
  console.log(text);
  mkdirSync(args['out-dir'], { recursive: true });
  const out = join(args['out-dir'], `alloc-${date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(out, JSON.stringify({ date, revision, command, warmup, requests, connections, results }, null, 2));
  progress(`JSON: ${out}`);
  if (!args['no-docs']) {
    writeFileSync(DOCS, replaceMarkedSection(readFileSync(DOCS, 'utf8'), START, END, text, HEADING));
    progress(`rewrote the ${HEADING} section of ${DOCS}`);
  }
}

await main();
