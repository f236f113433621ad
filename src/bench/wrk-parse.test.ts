import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseWrkOutput, parseWrkSize, parseWrkTime, totalSocketErrors } from './wrk-parse.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

test('parses a keep-alive run with all 2xx responses', () => {
  const r = parseWrkOutput(fixture('wrk-keepalive-200.txt'));
  assert.equal(r.requests, 51560);
  assert.equal(r.durationSec, 2);
  assert.equal(r.requestsPerSec, 25767.67);
  assert.equal(r.latencyMs.p50, 0.619);
  assert.equal(r.latencyMs.p75, 0.87);
  assert.equal(r.latencyMs.p99, 2.16);
  assert.equal(r.latencyMs.avg, 0.77402);
  assert.equal(r.latencyMs.max, 5.31);
  assert.equal(r.non2xx3xx, 0);
  assert.equal(totalSocketErrors(r), 0);
  assert.ok(Math.abs(r.bytesRead - 61.76 * 1024 * 1024) < 1);
});

test('counts non-2xx responses of a one-connection-per-request run', () => {
  const r = parseWrkOutput(fixture('wrk-close-403.txt'));
  assert.equal(r.requests, 19631);
  assert.equal(r.non2xx3xx, r.requests);
  assert.equal(r.latencyMs.p50, 0.46);
  assert.equal(r.latencyMs.p90, 2.14);
});

test('reads socket errors and non-2xx counts when both are present', () => {
  const r = parseWrkOutput(fixture('wrk-socket-errors.txt'));
  assert.deepEqual(r.socketErrors, { connect: 0, read: 86, write: 0, timeout: 0 });
  assert.equal(r.non2xx3xx, 100);
  assert.equal(r.latencyMs.p99, 404.54);
  assert.equal(r.durationSec, 2.01);
  const t = parseWrkOutput(fixture('wrk-timeouts.txt'));
  assert.equal(t.socketErrors.timeout, 10);
  assert.equal(totalSocketErrors(t), 11);
});

test('converts every wrk time and size unit', () => {
  assert.equal(parseWrkTime('250.00us'), 0.25);
  assert.equal(parseWrkTime('1.50s'), 1500);
  assert.equal(parseWrkTime('2.00m'), 120_000);
  assert.equal(parseWrkSize('2.00KB'), 2048);
  assert.equal(parseWrkSize('512.00B'), 512);
  assert.throws(() => parseWrkTime('5 parsecs'), /unrecognised wrk time/);
});

test('rejects output that is not a wrk report, naming what is missing', () => {
  assert.throws(() => parseWrkOutput('unable to connect to 127.0.0.1:1 Connection refused\n'), /no Latency stats line/);
  const cut = fixture('wrk-keepalive-200.txt').replace(/^Requests\/sec:.*$/m, '');
  assert.throws(() => parseWrkOutput(cut), /no Requests\/sec line/);
});
