import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLIENT_HEADER, type Backend, type Outcome } from '../types.js';
import { resolve, type ExternalCounts, type GeneratorOptions, type GeneratorSummary } from './common.js';
import { findTool, runTool } from './tool.js';

export interface WrkFloodOptions extends GeneratorOptions {
  /** Open connections (default 32); wrk sends as fast as the target answers (`rate` is unused). */
  connections?: number;
  threads?: number;
  path?: string;
}

/**
 * wrk's Lua hooks classify every answer like the lab does (sink header, x-shield-action,
 * proxy refusal; see `classify` in types.ts, `backend` chooses the same rules) into per-second
 * buckets by wall-clock second; done() prints them as one line.
 */
export function wrkClassifyLua(backend: Backend = 'sink'): string {
  return `
local site = ${backend === 'site' ? 'true' : 'false'}
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) buckets = {} end
local function outcome(status, headers)
  local sink, action = false, nil
  for k, v in pairs(headers) do
    local lk = string.lower(k)
    if lk == "x-lab-sink" then sink = true elseif lk == "x-shield-action" then action = v end
  end
  if sink then return "backend" end
  if action == "block" or action == "throttle" or action == "challenge" then return action end
  if action ~= nil then return "proxy-error" end
  if site then
    if status == 429 or status == 503 then return "reject" end
    if status < 500 then return "backend" end
    return "proxy-error"
  end
  if status == 403 or status == 429 or status == 503 then return "reject" end
  return "proxy-error"
end
function response(status, headers, body)
  local key = os.time() .. ":" .. outcome(status, headers)
  buckets[key] = (buckets[key] or 0) + 1
end
function done(summary, latency, requests)
  local parts = {}
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("buckets")) do table.insert(parts, string.format("%q:%d", k, v)) end
  end
  local e = summary.errors
  io.write(string.format('LABWRK {"requests":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,"buckets":{%s}}\\n',
    summary.requests, e.connect, e.read, e.write, e.timeout, table.concat(parts, ",")))
end
`;
}

export interface WrkParsed {
  requests: number;
  socketErrors: number;
  buckets: { sec: number; outcome: Outcome; n: number }[];
}

/** Reads the LABWRK line the Lua script prints. */
export function parseWrkOutput(stdout: string): WrkParsed | undefined {
  const line = stdout.split('\n').find((l) => l.startsWith('LABWRK '));
  if (!line) return undefined;
  const j = JSON.parse(line.slice(7)) as { requests: number; connect: number; read: number; write: number; timeout: number; buckets: Record<string, number> };
  const buckets = Object.entries(j.buckets).map(([k, n]) => {
    const [sec, outcome] = k.split(':');
    return { sec: Number(sec), outcome: outcome as Outcome, n };
  });
  return { requests: j.requests, socketErrors: j.connect + j.read + j.write + j.timeout, buckets };
}

/** Single-source GET flood with wrk (from 127.0.0.1: wrk cannot choose its source address). */
export async function runWrkFlood(opts: WrkFloodOptions): Promise<GeneratorSummary> {
  const ctx = resolve(opts, 'wrk-flood', 1);
  const wrk = findTool('wrk');
  if (!wrk) return { generator: 'wrk-flood', clients: 0, sent: 0, skipped: 0, skippedReason: 'wrk not found' };
  const id = `${opts.label}/${ctx.name}/0`;
  const dir = await mkdtemp(join(tmpdir(), 'lab-wrk-'));
  try {
    const script = join(dir, 'classify.lua');
    await writeFile(script, wrkClassifyLua(opts.backend));
    const seconds = Math.max(1, Math.round(opts.durationMs / 1000));
    // Wall-clock time of the run origin, to place wrk's epoch seconds on the run's timeline.
    const originWall = Date.now() - (ctx.clock.monotonic() - ctx.origin);
    const url = opts.target.replace(/\/$/, '') + (opts.path ?? '/');
    // wrk's first second starts no earlier than wrk itself.
    const startMs = ctx.clock.monotonic() - ctx.origin;
    const run = await runTool(wrk, [
      '-t', String(opts.threads ?? 1), '-c', String(opts.connections ?? 32), '-d', `${seconds}s`, '--timeout', '5s',
      '-s', script, '-H', `${CLIENT_HEADER}: ${id}`, '-H', 'user-agent: wrk', url,
    ], opts.durationMs + 15_000, opts.signal);
    const parsed = parseWrkOutput(run.stdout);
    if (!parsed) return { generator: 'wrk-flood', clients: 1, sent: 0, skipped: 0, skippedReason: `wrk gave no result (exit ${run.code}): ${run.stderr.slice(0, 200)}` };
    const external: ExternalCounts = { label: opts.label, clientId: id, byOutcome: {}, timeline: [], resolutionMs: 1000 };
    for (const b of parsed.buckets) {
      external.byOutcome[b.outcome] = (external.byOutcome[b.outcome] ?? 0) + b.n;
      external.timeline.push({ t: Math.max(startMs, b.sec * 1000 - originWall), outcome: b.outcome, n: b.n });
    }
    if (parsed.socketErrors > 0) external.byOutcome.error = parsed.socketErrors;
    const answered = parsed.buckets.reduce((a, b) => a + b.n, 0);
    return { generator: 'wrk-flood', clients: 1, sent: answered + parsed.socketErrors, skipped: 0, external, extra: { wrkRequests: parsed.requests } };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
