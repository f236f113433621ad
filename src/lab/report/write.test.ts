import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { computeFigures } from '../metrics.js';
import type { ScenarioRun } from '../runner.js';
import { formatTable } from './format.js';
import { renderHtml } from './html.js';
import { BENCH_END, BENCH_START, benchmarkSection, updateBenchmarksMd } from './write.js';

function run(target: string, stopped: number): ScenarioRun {
  const results = Array.from({ length: 10 }, (_, i) => ({
    clientId: 'attack/f/0', label: 'attack' as const, sentAt: 1000 + i * 100, latencyMs: 5, outcome: i < 10 - stopped ? 'backend' as const : 'block' as const, status: 200,
  }));
  return {
    scenario: 'flood', description: 'd <b>', target, targetDescription: `${target} desc`, durationSec: 3, attackStartMs: 1000, attackEndMs: 3000,
    startedAt: '2026-01-01T00:00:00Z', actions: [], notes: [],
    generators: [{ generator: 'distributed-flood', clients: 1, sent: 10, skipped: 0, label: 'attack', entry: 0 }],
    ...computeFigures({ results, external: [], arrivals: [], attackStartMs: 1000, attackEndMs: 3000, durationMs: 3000, resources: null, cpuSeconds: null }),
  };
}

const meta = { command: 'npm run bench:detect', generatedAt: '2026-01-01T00:00:00Z', machine: '2 cores', revision: 'abc1234' };

test('the benchmarks section replaces only its own part of the document', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lab-md-'));
  try {
    const path = join(dir, 'BENCHMARKS.md');
    await writeFile(path, `# Benchmarks\n\nintro\n\n${BENCH_START}\nold\n${BENCH_END}\n\n## Other\n<!-- other:start -->\nkeep me\n<!-- other:end -->\n`);
    const section = benchmarkSection([run('gateway', 4), run('none', 0)], meta);
    await updateBenchmarksMd(path, section);
    const text = await readFile(path, 'utf8');
    assert.ok(!text.includes('\nold\n'));
    assert.ok(text.includes('keep me') && text.startsWith('# Benchmarks\n\nintro\n\n'));
    assert.equal(text.split(BENCH_START).length, 2, 'one section');
    assert.match(text, /\| gateway \| 40\.0% over 1 scenarios \| 0 of 0 \(-\) \| 0\.0% \| 1 of 1 \|/);
    assert.match(text, /\| none \| 0\.0% over 1 scenarios \| 0 of 0 \(-\) \| 0\.0% \| 0 of 1 \|/);
    assert.match(text, /code at abc1234/);
    // Absent markers: the section is appended.
    const fresh = join(dir, 'new.md');
    await updateBenchmarksMd(fresh, section);
    assert.ok((await readFile(fresh, 'utf8')).includes(BENCH_END));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the terminal table and the HTML report show every run, the HTML self-contained and escaped', () => {
  const runs = [run('gateway', 4), run('nginx', 10)];
  const table = formatTable(runs);
  assert.match(table, /gateway\s+10\s+4 \(40\.0%\)/);
  assert.match(table, /nginx\s+10\s+10 \(100\.0%\)/);
  const html = renderHtml(runs, meta);
  assert.equal((html.match(/<svg /g) ?? []).length, 2);
  assert.ok(!/(src|href)="http/.test(html), 'no external assets');
  assert.ok(html.includes('d &lt;b&gt;') && !html.includes('d <b>'));
});
