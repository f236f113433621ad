import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { ScenarioRun } from '../runner.js';
import { backendNotes, formatMarkdown, formatTargetSummary } from './format.js';
import { renderHtml } from './html.js';

export interface ReportMeta {
  command: string;
  generatedAt: string;
  machine: string;
  /** The code measured (git commit, `-dirty` with local changes), when known. */
  revision?: string;
}

export function machineDescription(): string {
  const c = cpus();
  return `${c.length} cores (${c[0]?.model.trim() ?? 'unknown CPU'}), Node ${process.version}`;
}

/** Writes results.json and report.html into `dir`; returns their paths. */
export async function writeReports(dir: string, runs: readonly ScenarioRun[], meta: ReportMeta): Promise<{ json: string; html: string }> {
  await mkdir(dir, { recursive: true });
  const json = join(dir, 'results.json');
  const html = join(dir, 'report.html');
  await writeFile(json, `${JSON.stringify({ ...meta, runs }, null, 2)}\n`);
  await writeFile(html, renderHtml(runs, meta));
  return { json, html };
}

export const BENCH_START = '<!-- bench:detect:start -->';
export const BENCH_END = '<!-- bench:detect:end -->';

/** The detection section of docs/BENCHMARKS.md. */
export function benchmarkSection(runs: readonly ScenarioRun[], meta: ReportMeta): string {
  const targets = [...new Map(runs.map((r) => [r.target, r.targetDescription])).entries()];
  return `${BENCH_START}
## Detection and mitigation (traffic lab)

Reproduce: \`${meta.command}\` (code at ${meta.revision ?? 'an unknown revision'}, ${meta.generatedAt}, ${meta.machine}; the load generators,
the sink and the target share the same cores, so compare targets with each other, not with
other machines).

Each scenario runs benign clients (API pollers, a polite crawler, 40 people behind one shared
address, replayed NASA access-log clients, a real Chromium session where marked) and, from its
attack start, the attack. Every target stands in front of the same sink, which counts what
reaches the backend; the clients classify every answer (backend, gateway by
\`x-shield-action\`, proxy refusal, error).

Targets:
${targets.map(([t, d]) => `- **${t}**: ${d}`).join('\n')}
${backendNotes(runs).map((n) => `\n> ${n}\n`).join('')}
Summary per target over the whole set:

${formatTargetSummary(runs)}

Per scenario:

${formatMarkdown(runs)}

Columns: *attack sent* = attack requests answered or failed; *stopped* = answered by the
protection (block, throttle, challenge, 403/429/503 from a proxy); *reached after mitig.* =
attack requests the sink counted after the first stopped one ("never mitigated": all that
reached it); *time to mitigate* = from the attack's start to the first stopped answer;
*benign refused* = benign requests answered by the protection instead of the backend (failures
without an answer are in the notes); *benign clients refused/failed* = benign clients with at
least one request refused or failed; *benign ok during attack* = share of benign requests sent during the attack that the backend answered;
latencies are those benign answers; *target CPU s* / *RSS* = the target's process tree from
/proc over the run (none: nothing runs between clients and sink). Slow-connection scenarios
are measured by slowhttptest's own connection counts and by the benign figures; an attack
scenario counts as mitigated when at least one attack request was stopped.
${BENCH_END}`;
}

/** Replaces (or appends) the detection section in a BENCHMARKS.md, leaving the rest alone. */
export async function updateBenchmarksMd(path: string, section: string): Promise<void> {
  let text = '';
  try {
    text = await readFile(path, 'utf8');
  } catch {
    text = '# Benchmarks\n\n';
  }
  const a = text.indexOf(BENCH_START);
  const b = text.indexOf(BENCH_END);
  const next = a >= 0 && b > a
    ? text.slice(0, a) + section + text.slice(b + BENCH_END.length)
    : `${text.trimEnd()}\n\n${section}\n`;
  await writeFile(path, next);
}
