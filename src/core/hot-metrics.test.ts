import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Counter, Histogram, Registry } from 'prom-client';
import { createHotCounter, createHotHistogram } from './hot-metrics.js';

const lines = (text: string, name: string) => text.split('\n').filter((l) => l.startsWith(name)).map((l) => l.replace(name, 'X')).join('\n');

test('a hot histogram renders exactly what a prom-client Histogram renders for the same observations', async () => {
  const buckets = [0.001, 0.01, 0.1, 1];
  const ref = new Registry();
  const hot = new Registry();
  const h = new Histogram({ name: 'ref_seconds', help: 'h', labelNames: ['backend'], buckets, registers: [ref] });
  const x = createHotHistogram({ name: 'hot_seconds', help: 'h', labelNames: ['backend'], buckets, registry: hot });
  const values = [0.0005, 0.001, 0.002, 0.05, 0.5, 2, 30, 0.01];
  for (const v of values) { h.labels('a').observe(v); x.child({ backend: 'a' }).observe(v); }
  h.labels('b').observe(0.2);
  x.child({ backend: 'b' }).observe(0.2);
  assert.equal(lines(await hot.metrics(), 'hot_seconds'), lines(await ref.metrics(), 'ref_seconds'));
  assert.match(await hot.metrics(), /# TYPE hot_seconds histogram/);
});

test('a hot counter reaches the registry at every scrape, per label set', async () => {
  const r = new Registry();
  const c = createHotCounter({ name: 'hot_total', help: 'c', labelNames: ['class'], registers: [r] });
  const ok = c.child({ class: '2xx' });
  for (let i = 0; i < 5; i++) ok.inc();
  c.child({ class: '5xx' }).inc(2);
  let text = await r.metrics();
  assert.match(text, /hot_total\{class="2xx"\} 5/);
  assert.match(text, /hot_total\{class="5xx"\} 2/);
  ok.inc();
  text = await r.metrics();
  assert.match(text, /hot_total\{class="2xx"\} 6/, 'increments after a scrape are added once, not again');
  assert.ok(r.getSingleMetric('hot_total') instanceof Counter);
});
