import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSystemClock } from '../../src/core/clock.js';
import { findChromium, runBrowser } from '../../src/lab/generators/browser.js';
import { runSlowHttp } from '../../src/lab/generators/slowhttp.js';
import { findTool } from '../../src/lab/generators/tool.js';
import { demoSinkHandler } from '../../src/lab/lab.js';
import { createSink } from '../../src/lab/sink.js';
import type { RequestResult } from '../../src/lab/types.js';
import { need } from './helpers.js';

test('a real Chromium session browses the demo site as its own client and address', async (t) => {
  if (!need(t, findChromium() ? undefined : 'chromium is not installed')) return;
  const clock = createSystemClock();
  const sink = await createSink({ clock, handler: demoSinkHandler() });
  const results: RequestResult[] = [];
  try {
    const summary = await runBrowser({
      target: sink.url, label: 'benign', rate: 2, durationMs: 4000, signal: AbortSignal.timeout(60_000),
      onResult: (r) => results.push(r), clock, origin: sink.origin, addressGroup: 41, sessions: 1,
    });
    assert.equal(summary.skippedReason, undefined);
    const ok = results.filter((r) => r.outcome === 'backend');
    assert.ok(ok.length >= 3, `pages and their assets were loaded: ${ok.length}`);
    const counts = sink.counts();
    assert.equal(counts.byClient.get('benign/browser/0'), ok.length);
    assert.equal(counts.byAddress.get('127.41.1.1'), counts.total, 'every browser request came from the session\'s own address');
  } finally {
    await sink.close();
  }
});

test('slowhttptest slowloris holds connections open against the sink', async (t) => {
  if (!need(t, findTool('slowhttptest') ? undefined : 'slowhttptest is not installed')) return;
  const clock = createSystemClock();
  const sink = await createSink({ clock });
  try {
    const s = await runSlowHttp({ target: sink.url, label: 'attack', rate: 20, durationMs: 3000, signal: AbortSignal.timeout(60_000), mode: 'slowloris', connections: 20, intervalSec: 1 });
    assert.equal(s.skippedReason, undefined);
    assert.ok(Number(s.extra?.slowConnectionsHeldMax) > 0, JSON.stringify(s.extra));
  } finally {
    await sink.close();
  }
});
