/**
 * Builds the stage-1/stage-2 training set: replays real benign access logs and the labelled
 * scenario streams through the detector's own feature code (createClientTable, observe,
 * computeFeatures, observeCompletion — the calls, in the order, the detector makes), on the
 * streams' own clock, and samples feature vectors. Writes a CSV for scripts/train_http.py.
 *
 *   tsx scripts/http/build-dataset.ts --logs ../shared/data/access-logs --out data/train-http
 */
import { createReadStream, mkdirSync, createWriteStream, existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { Command } from 'commander';
import { createClientTable } from '../../src/detect/state/client-table.js';
import { computeFeatures, newFeatureVector, observe, observeCompletion } from '../../src/detect/features/observe.js';
import { FEATURE_NAMES } from '../../src/detect/features/names.js';
import { detectLogFormat, parserFor, type LogRecord } from '../../src/detect/replay/logs.js';
import { observationFromLog } from '../../src/detect/replay/observation.js';
import { fnv1a } from '../../src/detect/features/hash.js';
import { allScenarios, type LabelledRequest } from './scenarios.js';

interface Row { x: Float64Array; label: number; scenario: string; split: string; source: string; client: string; n: number }

/** Which requests of a client become rows: all of the first 20, then every 5th to 100, then every 25th, at most 150. */
function sampled(n: number): boolean {
  if (n > 2000) return false;
  return n <= 20 || (n <= 100 && n % 5 === 0) || n % 25 === 0;
}

function runStream(events: Iterable<LabelledRequest>, splitOf: (e: LabelledRequest) => string, source: string, emit: (r: Row) => void): number {
  const table = createClientTable(1_000_000);
  let count = 0;
  for (const e of events) {
    const { slot, created } = table.touch(e.obs.clientKey);
    observe(table, slot, e.obs, created);
    const n = table.requests[slot]!;
    if (sampled(n)) {
      const x = computeFeatures(table, slot, e.obs.timestampMs, newFeatureVector());
      emit({ x, label: e.label, scenario: e.scenario, split: splitOf(e), source, client: e.obs.clientKey, n });
    }
    observeCompletion(table, slot, e.status);
    count++;
  }
  return count;
}

async function readLog(path: string): Promise<LogRecord[]> {
  const input = path.endsWith('.tar.bz2') ? spawn('tar', ['-xjOf', path], { stdio: ['ignore', 'pipe', 'inherit'] }).stdout : createReadStream(path);
  const rl = createInterface({ input, crlfDelay: Infinity });
  const out: LogRecord[] = [];
  let parse: ((l: string) => LogRecord | undefined) | undefined;
  for await (const line of rl) {
    parse ??= parserFor(detectLogFormat(line));
    const r = parse(line);
    if (r) out.push(r);
  }
  return out.sort((a, b) => a.timeMs - b.timeMs);
}

function* logEvents(recs: LogRecord[], scenario: string): Generator<LabelledRequest> {
  for (const r of recs) yield { obs: observationFromLog(r, { assumeBrowserHeaders: true }), status: r.status, label: 0, scenario };
}

const program = new Command('build-dataset')
  .option('--logs <dir>', 'directory with nasa_19950801.tsv and wc_day6_1_sample.tar.bz2', '../shared/data/access-logs')
  .option('--out <dir>', 'output directory', 'data/train-http')
  .parse(process.argv);
const opts = program.opts<{ logs: string; out: string }>();

mkdirSync(opts.out, { recursive: true });
const file = join(opts.out, 'dataset.csv');
const ws = createWriteStream(file);
ws.write(`${FEATURE_NAMES.join(',')},label,scenario,split,source,client,n\n`);
let rows = 0;
const emit = (r: Row) => {
  rows++;
  ws.write(`${Array.from(r.x, (v) => (Number.isInteger(v) ? String(v) : v.toPrecision(7))).join(',')},${r.label},${r.scenario},${r.split},${r.source},${r.client},${r.n}\n`);
};
const hostSplit = (e: LabelledRequest) => (fnv1a(e.obs.clientKey) % 5 === 0 ? 'test' : 'train');

const logs: [string, string][] = [['nasa_19950801.tsv', 'benign-nasa'], ['wc_day6_1_sample.tar.bz2', 'benign-worldcup']];
for (const [name, scenario] of logs) {
  const p = join(opts.logs, name);
  if (!existsSync(p)) { console.error(`missing ${p}: skipped`); continue; }
  process.stderr.write(`reading ${p} ... `);
  const recs = await readLog(p);
  const n = runStream(logEvents(recs, scenario), hostSplit, name, emit);
  process.stderr.write(`${n} requests, ${rows} rows so far\n`);
}
for (const [seed, split] of [[1, 'train'], [2, 'test']] as const) {
  process.stderr.write(`scenarios seed ${seed} (${split}) ... `);
  const events = allScenarios(seed, split, Date.UTC(2026, 0, 1));
  const n = runStream(events, () => split, `scenarios-${seed}`, emit);
  process.stderr.write(`${n} requests, ${rows} rows so far\n`);
}
await new Promise<void>((res) => ws.end(res));
console.error(`wrote ${rows} rows to ${file}`);
