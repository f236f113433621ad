import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createSystemClock } from '../../src/core/clock.js';
import { createFeatureMapper } from '../../src/ids/features.js';
import { scoreCsv } from '../../src/ids/score.js';
import { FIXTURES, fixtureFlows, shippedModel } from './helpers.js';

const model = shippedModel();
const clock = createSystemClock();

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'ids-score-'));
}

test('scores every row of each fixture and matches the in-process model', async () => {
  const dir = tempDir();
  try {
    for (const file of ['cse-cic-ids2018-sample.csv', 'cic-ids2017-improved-sample.csv', 'cic-ids2017-mlcve-sample.csv']) {
      const out = join(dir, `${file}.out.csv`);
      const summary = await scoreCsv({ input: join(FIXTURES, file), output: out, model, clock, progress: null });
      const { flows } = fixtureFlows(file);
      assert.equal(summary.flows, flows.length);
      assert.equal(summary.attacks + summary.benign, flows.length);
      assert.ok(summary.labelled, 'the fixtures have a Label column');
      const lines = readFileSync(out, 'utf8').trim().split('\n');
      assert.equal(lines.length, flows.length + 1);
      const mapper = createFeatureMapper(model.featureIds);
      flows.forEach((f, i) => {
        const p = mapper.parse(f);
        assert.ok(p.ok);
        const cols = (lines[i + 1] as string).split(',');
        assert.ok(Math.abs(Number(cols[3]) - model.score(p.row).probability) < 1e-6);
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('skips malformed rows, counts non-finite values and reports progress', async () => {
  const dir = tempDir();
  try {
    const src = readFileSync(join(FIXTURES, 'cse-cic-ids2018-sample.csv'), 'utf8').trim().split('\n');
    const header = (src[0] as string).split(',');
    const mapper = createFeatureMapper(model.featureIds);
    const [rateCol, durCol] = model.featureIds.slice(0, 2).map((id) => header.findIndex((h) => mapper.resolve(h) === id)) as [number, number];
    assert.ok(rateCol >= 0 && durCol >= 0);
    const inf = (src[1] as string).split(',');
    inf[rateCol] = 'Infinity';
    const bad = (src[2] as string).split(',');
    bad[durCol] = 'oops';
    const input = join(dir, 'in.csv');
    writeFileSync(input, [src[0], inf.join(','), bad.join(','), src[3]].join('\n') + '\n');
    const progress = new PassThrough();
    let shown = '';
    progress.on('data', (c) => { shown += c; });
    const summary = await scoreCsv({ input, model, clock, progress, progressEveryMs: 0 });
    assert.equal(summary.flows, 2);
    assert.equal(summary.skippedRows, 1);
    assert.equal(summary.nonFiniteValues, 1);
    assert.match(shown, /100\.0% 2 flows/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('refuses a CSV without the model features, naming them', async () => {
  const dir = tempDir();
  try {
    const input = join(dir, 'in.csv');
    writeFileSync(input, 'Protocol,Flow Duration,Label\n6,100,Benign\n');
    await assert.rejects(scoreCsv({ input, model, clock, progress: null }), /missing features: .*Tot Fwd Pkts/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('streams a large file to the end', async () => {
  const dir = tempDir();
  try {
    const src = readFileSync(join(FIXTURES, 'cic-ids2017-mlcve-sample.csv'), 'utf8').trim().split('\n');
    const input = join(dir, 'big.csv');
    const w = createWriteStream(input);
    w.write(`${src[0]}\n`);
    const body = src.slice(1).join('\n') + '\n';
    const copies = 1000;
    for (let i = 0; i < copies; i++) if (!w.write(body)) await once(w, 'drain');
    w.end();
    await once(w, 'close');
    const summary = await scoreCsv({ input, output: join(dir, 'out.csv'), model, clock, progress: null });
    assert.equal(summary.flows, (src.length - 1) * copies);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
