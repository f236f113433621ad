import { test } from 'node:test';
import assert from 'node:assert/strict';
import { markdownTable } from './markdown-table.js';

test('aligns numbers right, text left, and formats non-integers', () => {
  const t = markdownTable(['target', 'req/s', 'p99 ms'], [['gateway', 12000, 1.234], ['nginx', 30000.5, null]]);
  const lines = t.split('\n');
  assert.equal(lines.length, 4);
  assert.match(lines[1] as string, /^\|-+\|-+:\|-+:\|$/);
  assert.match(lines[2] as string, /^\| gateway \|\s+12000 \|\s+1\.23 \|$/);
  assert.match(lines[3] as string, /^\| nginx\s+\| 30000\.50 \|\s+– \|$/);
  assert.equal(new Set(lines.map((l) => l.length)).size, 1, 'every line padded to the same width');
});

test('escapes pipes inside cells', () => {
  const t = markdownTable(['a'], [['x|y']]);
  assert.match(t, /x\\\|y/);
});
