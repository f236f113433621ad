import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBlockAnswers, createHttpDate } from './respond.js';

function parse(text: string): { status: number; headers: Record<string, string>; body: string } {
  const end = text.indexOf('\r\n\r\n');
  const [line, ...fields] = text.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const f of fields) { const c = f.indexOf(':'); headers[f.slice(0, c).toLowerCase()] = f.slice(c + 1).trim(); }
  return { status: Number(line!.split(' ')[1]), headers, body: text.slice(end + 4) };
}

test('cached block answers: each has its own reference, the right length and the time left', () => {
  const refs = ['a-1', 'a-2', 'a-10', 'a-100', 'a-101'];
  let i = 0;
  const answers = createBlockAnswers({ status: 403, message: 'Blocked.', nextRef: () => refs[i++] ?? `a-x${i}`, httpDate: createHttpDate() });
  const now = Date.UTC(2026, 0, 1, 12, 0, 0, 300);
  const until = now + 600_000;
  const seen: string[] = [];
  for (const [dt, html] of [[0, false], [10, false], [20, false], [1_000, false], [1_010, true]] as const) {
    const a = answers(until, html, false, false, now + dt);
    const r = parse(a.text);
    assert.equal(r.status, 403);
    assert.equal(Number(r.headers['content-length']), Buffer.byteLength(r.body), 'Content-Length matches the body');
    assert.equal(a.bodyBytes, Buffer.byteLength(r.body));
    assert.equal(r.headers['x-shield-action'], 'block');
    const ref = r.headers['x-shield-ref']!;
    seen.push(ref);
    if (html) assert.match(r.body, new RegExp(`<code>${ref}</code>`));
    else {
      const j = JSON.parse(r.body) as { reference: string; retry_after_seconds: number; reason: string };
      assert.equal(j.reference, ref);
      assert.equal(j.reason, 'blocklist');
      assert.equal(j.retry_after_seconds, Number(r.headers['retry-after']));
      assert.equal(j.retry_after_seconds, Math.ceil((until - now - dt) / 1000));
    }
  }
  assert.deepEqual(seen, refs);
  const head = answers(until, false, true, true, now);
  const h = parse(head.text);
  assert.equal(h.body, '');
  assert.equal(head.bodyBytes, 0);
  assert.ok(Number(h.headers['content-length']) > 0, 'HEAD announces the length of the GET body');
  assert.equal(h.headers.connection, 'close');
});
