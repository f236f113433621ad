import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSystemClock } from '../../src/core/clock.js';
import { createLabClient } from '../../src/lab/http-client.js';
import { createSink } from '../../src/lab/sink.js';
import type { RequestResult } from '../../src/lab/types.js';

test('the sink counts requests per client header and per source address', async () => {
  const clock = createSystemClock();
  const sink = await createSink({ clock });
  const seen: RequestResult[] = [];
  const clients = [
    createLabClient({ target: sink.url, clientId: 'benign/t/0', label: 'benign', clock, origin: sink.origin, onResult: (r) => seen.push(r), localAddress: '127.31.1.1' }),
    createLabClient({ target: sink.url, clientId: 'attack/t/0', label: 'attack', clock, origin: sink.origin, onResult: (r) => seen.push(r), localAddress: '127.31.1.2' }),
  ];
  try {
    for (let i = 0; i < 5; i++) await clients[0]?.send({ path: '/' });
    for (let i = 0; i < 7; i++) await clients[1]?.send({ path: '/login', method: 'POST', body: 'username=a&password=b' });
    const c = sink.counts();
    assert.equal(c.total, 12);
    assert.equal(c.byLabel.benign, 5);
    assert.equal(c.byLabel.attack, 7);
    assert.equal(c.byClient.get('benign/t/0'), 5);
    assert.equal(c.byClient.get('attack/t/0'), 7);
    assert.equal(c.byAddress.get('127.31.1.1'), 5);
    assert.equal(c.byAddress.get('127.31.1.2'), 7);
    assert.equal(seen.length, 12);
    assert.ok(seen.every((r) => r.outcome === 'backend'));
    assert.ok(sink.arrivals().every((a, i, all) => i === 0 || a.t >= (all[i - 1]?.t ?? 0)));
  } finally {
    await Promise.all(clients.map((c) => c?.close()));
    await sink.close();
  }
});
