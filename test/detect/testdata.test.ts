import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runCase } from './testdata-runner.js';

// Every directory under testdata/ is a case; TEST_ONLY=<case> runs one.
const root = join(import.meta.dirname, '..', '..', 'testdata');
const only = process.env.TEST_ONLY;
const cases = readdirSync(root).filter((d) => statSync(join(root, d)).isDirectory() && (!only || d === only)).sort();

test('finds the detection cases', () => { assert.ok(cases.length > 0, `no case under ${root}${only ? ` named ${only}` : ''}`); });

for (const c of cases) {
  test(`detection case ${c}`, () => {
    const r = runCase(join(root, c));
    r.detector.close();
    assert.deepEqual(r.failures, []);
  });
}
