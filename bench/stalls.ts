// npm run bench:stalls -- [--rate 15800] [--pause 50] [--duration 5] [--runs 4] [--idle 0] [--idle-from 2]
// What sets the p99 of a paced run: the gateway (shadow mode, in front of an nginx static
// backend) paced by wrk as in bench:proxy's half-load runs, with an event-loop monitor preloaded
// (bench/loop-monitor.mjs). For each run: wrk's p50/p99/max, then the gateway's event-loop gaps
// over 5 ms (with the CPU time it spent in each) and GC pauses over 2 ms during the paced part.
// `--idle S` leaves the gateway idle S seconds before each run from `--idle-from` on, as the
// benchmark does while the other targets take their turns. `--pin` puts wrk and the backend on
// the first half of the CPUs and the gateway (every thread) on the rest; `--node-arg` passes a
// flag to the gateway's node (V8 flags, say) to compare, `--gateway-arg` one to the gateway itself.
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startNginx } from '../src/peers/nginx.js';
import { startGatewayProcess } from '../src/bench/gateway-process.js';
import { pacingScript, runWrk } from '../src/bench/wrk.js';
import { wholeNumberArg } from '../src/bench/args.js';
import { affinityOf, cpuPlan, pinProcesses, tasksetAvailable } from '../src/bench/cpu-pin.js';

const { values: args } = parseArgs({
  options: {
    rate: { type: 'string', default: '15800' },
    pause: { type: 'string', default: '50' },
    duration: { type: 'string', default: '5' },
    runs: { type: 'string', default: '4' },
    idle: { type: 'string', default: '0' },
    'idle-from': { type: 'string', default: '2' },
    cli: { type: 'string', default: 'dist/cli.js' },
    pin: { type: 'boolean', default: false },
    'pin-threads': { type: 'string', default: 'all' },
    'node-arg': { type: 'string', multiple: true, default: [] },
    'gateway-arg': { type: 'string', multiple: true, default: [] },
    help: { type: 'boolean', default: false },
  },
  strict: true,
});
if (args.help) {
  console.log(`usage: npm run bench:stalls -- [options]   (after npm run build)
  --rate N        offered req/s (default 15800)
  --pause MS      mean pause per connection between requests (default 50; connections = rate × pause / 1000)
  --duration S    seconds of paced requests per run (default 5; each run opens its connections 1 s before)
  --runs N        runs, one after the other (default 4, at most 20)
  --idle S        seconds the gateway stays idle before each run from --idle-from on (default 0)
  --idle-from N   first run (0-based) preceded by --idle (default 2)
  --cli PATH      built gateway CLI (default dist/cli.js)
  --pin           wrk and the backend on the first half of the CPUs, the gateway on the rest (taskset)
  --pin-threads T all|main: with --pin, pin every thread of the gateway (default) or its main thread
                  alone, leaving V8's helper threads (collector, compiler) free to run on any CPU
  --node-arg A    a node flag for the gateway process (repeatable), e.g. --node-arg=--single-threaded-gc
  --gateway-arg A an argument for the gateway (repeatable), e.g. --gateway-arg=--config --gateway-arg=FILE`);
  process.exit(0);
}
const int = wholeNumberArg;
const rate = int('rate', args.rate, 100, 500_000);
const pause = int('pause', args.pause, 1, 1000);
const duration = int('duration', args.duration, 1, 60);
const runs = int('runs', args.runs, 1, 20);
const idle = int('idle', args.idle, 0, 120);
const idleFrom = int('idle-from', args['idle-from'], 0, 20);
const connections = Math.max(1, Math.round((rate * pause) / 1000));
const START_MS = 1000;
const progress = (msg: string) => process.stderr.write(`[bench:stalls ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

const taskset = args.pin ? tasksetAvailable() : null;
const plan = taskset ? cpuPlan(affinityOf(process.pid, taskset)) : null;
if (args.pin && !plan) { console.error('--pin needs taskset and two CPUs or more'); process.exit(2); }
const pinThreads = args['pin-threads'];
if (pinThreads !== 'all' && pinThreads !== 'main') { console.error(`--pin-threads must be all or main, not "${pinThreads}"`); process.exit(2); }
const wrkCpus = plan && taskset ? { cpus: { list: plan.load, taskset } } : {};
const nodeArgs = args['node-arg'] ?? [];

interface LoopEntry { at: number; gapMs?: number; cpuMs?: number; gc?: string; gcMs?: number }

const dir = mkdtempSync(join(tmpdir(), 'ddos-shield-stalls-'));
const log = join(dir, 'loop.jsonl');
const backend = await startNginx({ http: { kind: 'static' }, workers: 1, name: 'backend' });
if (plan && taskset) pinProcesses(backend.pids(), plan.load, taskset);
try {
  const gw = await startGatewayProcess({
    cli: args.cli, backendUrl: backend.url, extraArgs: ['--shadow', ...args['gateway-arg']],
    nodeArgs: [...nodeArgs, '--import', resolve(import.meta.dirname, 'loop-monitor.mjs')], env: { DDOS_SHIELD_LOOP_LOG: log },
  });
  try {
    if (plan && taskset) pinProcesses(gw.pids(), plan.servers, taskset, pinThreads);
    const how = `${plan ? `pinned: wrk and the backend on CPUs ${plan.load}, the gateway${pinThreads === 'main' ? "'s main thread" : ''} on ${plan.servers}; ` : ''}${nodeArgs.length ? `node ${nodeArgs.join(' ')}; ` : ''}`;
    progress(`gateway ${gw.url} (shadow), backend nginx static; ${how}${rate} req/s offered over ${connections} connections, ${pause} ms mean pause`);
    const rows: string[] = [];
    for (let i = 0; i < runs; i++) {
      if (i >= idleFrom && idle > 0) { progress(`idle ${idle} s`); await new Promise((r) => setTimeout(r, idle * 1000)); }
      progress(`run ${i + 1}/${runs} (${duration + 1} s)`);
      const t0 = Date.now();
      const r = await runWrk({
        url: `${gw.url}/`, connections, durationSec: duration + 1, ...wrkCpus,
        luaScript: pacingScript(pause, { startAfterMs: START_MS, connections }),
      });
      const from = t0 + START_MS;
      const to = t0 + (duration + 1) * 1000;
      const entries = (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [])
        .filter(Boolean).map((l) => JSON.parse(l) as LoopEntry).filter((e) => e.at >= from && e.at < to);
      const gaps = entries.filter((e) => e.gapMs !== undefined);
      const gcs = entries.filter((e) => e.gcMs !== undefined);
      const req = (r.requestsPerSec * (duration + 1)) / duration;
      rows.push(`run ${i + 1}${i >= idleFrom && idle > 0 ? ` (after ${idle} s idle)` : ''}: ${Math.round(req)} req/s achieved, p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, max ${r.latencyMs.max} ms`
        + `\n  event-loop gaps > 5 ms: ${gaps.length === 0 ? 'none' : gaps.map((e) => `+${e.at - from} ms ${e.gapMs}/${e.cpuMs} cpu`).join(', ')}`
        + `\n  GC pauses > 2 ms: ${gcs.length === 0 ? 'none' : gcs.map((e) => `+${e.at - from} ms ${e.gc} ${e.gcMs}`).join(', ')}`);
      progress(rows.at(-1)!.split('\n')[0]!);
    }
    console.log(`bench:stalls — ${how}${rate} req/s offered, ${connections} connections, ${pause} ms pause, ${duration} s paced per run; times are from the start of the paced requests; a gap reads wall/cpu ms`);
    console.log(rows.join('\n'));
  } finally {
    await gw.stop();
  }
} finally {
  await backend.stop();
  rmSync(dir, { recursive: true, force: true });
}
