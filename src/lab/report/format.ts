import type { ScenarioRun } from '../runner.js';

export const fmtInt = (n: number | null | undefined): string => (n === null || n === undefined ? '-' : String(Math.round(n)));
export const fmtPct = (x: number | null | undefined): string => (x === null || x === undefined ? '-' : `${(x * 100).toFixed(1)}%`);
export const fmtMs = (x: number | null | undefined): string => (x === null || x === undefined ? '-' : x >= 10_000 ? `${(x / 1000).toFixed(1)}s` : `${Math.round(x)}ms`);
export const fmtNum = (x: number | null | undefined, d = 1): string => (x === null || x === undefined ? '-' : x.toFixed(d));

/** One row of the summary table, as display strings, shared by the terminal, HTML and Markdown. */
export interface Row {
  scenario: string;
  target: string;
  attackSent: string;
  stopped: string;
  reachedAfter: string;
  ttm: string;
  benignReq: string;
  benignRejected: string;
  benignClientsRejected: string;
  successDuring: string;
  p50: string;
  p99: string;
  cpu: string;
  rss: string;
  notes: string;
}

export const COLUMNS: readonly [keyof Row, string][] = [
  ['scenario', 'scenario'], ['target', 'target'],
  ['attackSent', 'attack sent'], ['stopped', 'stopped'], ['reachedAfter', 'reached after mitig.'], ['ttm', 'time to mitigate'],
  ['benignReq', 'benign req'], ['benignRejected', 'benign refused'], ['benignClientsRejected', 'benign clients refused/failed'],
  ['successDuring', 'benign ok during attack'], ['p50', 'benign p50'], ['p99', 'benign p99'],
  ['cpu', 'target CPU s'], ['rss', 'target RSS MB'], ['notes', 'notes'],
];

/** Whether the lab's sink counted what reached the run's backend (results written before the field: yes). */
export const backendCounted = (r: ScenarioRun): boolean => r.backendCounted !== false;

/**
 * The report header's word on targets whose backend is not the lab's sink (URL targets): one
 * line per such target, none when every target stood in front of the sink.
 */
export function backendNotes(runs: readonly ScenarioRun[]): string[] {
  const targets = [...new Set(runs.filter((r) => !backendCounted(r)).map((r) => r.target))];
  return targets.map((t) => `target ${t}: the lab did not start it and its backend is not the lab's sink, so backend-side figures ` +
    '(requests that reached the backend, "reached after mitig.") are not available. Answers are judged by who gave them: ' +
    'with x-shield-action the gateway (block, throttle, challenge, error); without it the site (2xx/3xx and its own 4xx such as ' +
    '401/404 count as answered by the site; 429/503 as refusals, other 5xx as errors); no answer at all is a failure.');
}

export function toRow(r: ScenarioRun): Row {
  const a = r.attack;
  const counted = backendCounted(r);
  const hasAttack = r.generators.some((g) => g.label === 'attack');
  const slow = r.generators.find((g) => g.extra?.slowConnectionsHeldMax !== undefined)?.extra;
  const notes: string[] = [];
  if (slow) notes.push(`slow conns held max ${slow.slowConnectionsHeldMax}, closed ${slow.slowConnectionsClosed}, probe down ${slow.probeUnavailableSeconds}s`);
  if (a.timeResolutionMs > 1 && a.timeToMitigateMs !== null) notes.push(`ttm ±${a.timeResolutionMs / 1000}s`);
  if (!counted && hasAttack && a.sent > 0) notes.push(`${a.passed} attack answered by the site`);
  const codes = (c: Record<string, number>) => Object.entries(c).map(([k, v]) => `${k} ${v}`).join(', ');
  if (a.errors > 0) notes.push(`${a.errors} attack errors${Object.keys(a.errorCodes).length ? ` (${codes(a.errorCodes)})` : ''}`);
  if (r.benign.errors > 0) notes.push(`${r.benign.errors} benign errors${Object.keys(r.benign.errorCodes).length ? ` (${codes(r.benign.errorCodes)})` : ''}`);
  for (const act of r.actions) notes.push(`${act.ok ? 'blocked' : 'block failed'} ${act.block} at ${(act.atMs / 1000).toFixed(1)}s`);
  notes.push(...r.notes.filter((n) => !n.startsWith('action block')));
  return {
    scenario: r.scenario,
    target: r.target,
    attackSent: hasAttack ? (slow && a.sent === 0 ? 'slow conns' : fmtInt(a.sent)) : 'no attack',
    stopped: hasAttack && a.sent > 0 ? `${fmtInt(a.stopped)} (${fmtPct(a.stopped / a.sent)})` : '-',
    reachedAfter: !counted ? (hasAttack ? 'n/a (not the lab\'s sink)' : '-')
      : a.mitigationStartMs === null ? (hasAttack ? `${fmtInt(a.reachedBackend)} (never mitigated)` : '-') : fmtInt(a.reachedAfterMitigation),
    ttm: fmtMs(a.timeToMitigateMs),
    benignReq: fmtInt(r.benign.requests),
    benignRejected: `${fmtInt(r.benign.rejected)}`,
    benignClientsRejected: `${r.benign.clientsRejected}/${r.benign.clients}`,
    successDuring: fmtPct(r.benign.duringAttack.successRate),
    p50: fmtMs(r.benign.duringAttack.p50Ms),
    p99: fmtMs(r.benign.duringAttack.p99Ms),
    cpu: fmtNum(r.resources.cpuSeconds),
    rss: fmtNum(r.resources.rssMaxMB, 0),
    notes: notes.join('; '),
  };
}

/** A plain-text table for the terminal. */
export function formatTable(runs: readonly ScenarioRun[]): string {
  const rows = runs.map(toRow);
  const cols = COLUMNS.filter(([k]) => k !== 'notes');
  const width = cols.map(([k, h]) => Math.max(h.length, ...rows.map((r) => r[k].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(width[i] ?? 0)).join('  ').trimEnd();
  const out = [...backendNotes(runs), line(cols.map(([, h]) => h)), line(width.map((w) => '-'.repeat(w)))];
  for (const r of rows) {
    out.push(line(cols.map(([k]) => r[k])));
    if (r.notes) out.push(`    ${r.notes}`);
  }
  return out.join('\n');
}

/** A Markdown table (for docs/BENCHMARKS.md). */
export function formatMarkdown(runs: readonly ScenarioRun[]): string {
  const rows = runs.map(toRow);
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [
    `| ${COLUMNS.map(([, h]) => h).join(' | ')} |`,
    `|${COLUMNS.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${COLUMNS.map(([k]) => esc(r[k])).join(' | ')} |`),
  ].join('\n');
}

/**
 * Per target, over all its runs: the mean share of attack requests stopped per scenario (each
 * scenario weighs the same, whatever its request count), benign requests refused or failed,
 * the worst run for benign clients, and how many attack scenarios saw any mitigation.
 */
export function formatTargetSummary(runs: readonly ScenarioRun[]): string {
  const targets = [...new Set(runs.map((r) => r.target))];
  const lines = [
    '| target | attack stopped (mean share per scenario) | benign requests refused or failed | benign clients refused or failed (worst run) | attack scenarios mitigated |',
    '|---|---|---|---|---|',
  ];
  for (const t of targets) {
    const rs = runs.filter((r) => r.target === t);
    const counted = rs.filter((r) => r.attack.sent > 0);
    const meanStopped = counted.length ? counted.reduce((a, r) => a + r.attack.stopped / r.attack.sent, 0) / counted.length : null;
    const benign = rs.reduce((a, r) => a + r.benign.requests, 0);
    const bad = rs.reduce((a, r) => a + r.benign.rejected + r.benign.errors, 0);
    const worst = rs.reduce((m, r) => (r.benign.clients ? Math.max(m, r.benign.clientsRejected / r.benign.clients) : m), 0);
    const attacks = rs.filter((r) => r.generators.some((g) => g.label === 'attack'));
    const mitigated = attacks.filter((r) => r.attack.mitigationStartMs !== null).length;
    lines.push(`| ${t} | ${fmtPct(meanStopped)} over ${counted.length} scenarios | ${bad} of ${benign} (${fmtPct(benign ? bad / benign : null)}) | ${fmtPct(worst)} | ${mitigated} of ${attacks.length} |`);
  }
  return lines.join('\n');
}
