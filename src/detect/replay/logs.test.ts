import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectLogFormat, parseCombined, parseNasaTsv, parseWorldCupCsv } from './logs.js';

test('parses a combined log line with its time zone, query, referer and agent', () => {
  const r = parseCombined('203.0.113.9 - frank [10/Oct/2000:13:55:36 -0700] "GET /a.gif?x=1 HTTP/1.1" 404 2326 "http://ex.com/" "Mozilla/5.0 (X11)"');
  assert.ok(r);
  assert.equal(r.host, '203.0.113.9');
  assert.equal(r.timeMs, Date.UTC(2000, 9, 10, 20, 55, 36));
  assert.deepEqual([r.method, r.path, r.query, r.httpVersion, r.status, r.bytes], ['GET', '/a.gif', 'x=1', '1.1', 404, 2326]);
  assert.equal(r.referer, 'http://ex.com/');
  assert.equal(r.userAgent, 'Mozilla/5.0 (X11)');
});

test('parses a common log line without referer and agent, and a dash for bytes', () => {
  const r = parseCombined('host.example - - [01/Jul/1995:00:00:01 -0400] "GET /history/apollo/ HTTP/1.0" 304 -');
  assert.ok(r);
  assert.equal(r.bytes, 0);
  assert.equal(r.referer, undefined);
  assert.equal(r.timeMs, Date.UTC(1995, 6, 1, 4, 0, 1));
});

test('rejects lines that are not access log lines', () => {
  assert.equal(parseCombined('hello world'), undefined);
  assert.equal(parseNasaTsv('host\tlogname\ttime\tmethod\turl\tresponse\tbytes\treferer\tuseragent'), undefined);
  assert.equal(parseWorldCupCsv('1,2,3'), undefined);
});

test('parses the NASA TSV and WorldCup CSV layouts and detects each format', () => {
  const n = parseNasaTsv('pppa006.compuserve.com\t-\t807256800\tGET\t/images/launch-logo.gif\t200\t1713\t\t');
  assert.ok(n);
  assert.equal(n.timeMs, 807256800000);
  assert.equal(n.userAgent, undefined);
  const w = parseWorldCupCsv('1044,30/Apr/1998,22:46:12,/images/11104.gif,200,508');
  assert.ok(w);
  assert.equal(w.host, 'wc-1044');
  assert.equal(w.timeMs, Date.UTC(1998, 3, 30, 22, 46, 12));
  assert.equal(detectLogFormat('host\tlogname\ttime\tmethod'), 'nasa-tsv');
  assert.equal(detectLogFormat('1044,30/Apr/1998,22:46:12,/images/11104.gif,200,508'), 'worldcup-csv');
  assert.equal(detectLogFormat('1.2.3.4 - - [01/Jul/1995:00:00:01 -0400] "GET / HTTP/1.0" 200 1'), 'combined');
});
