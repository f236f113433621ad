import { test } from 'node:test';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { sourceAddress } from './common.js';
import { extractLinks, parseRobots } from './crawler.js';
import { readAccessLog, planReplay } from './replay.js';
import { parseSlowHttpCsv } from './slowhttp.js';
import { parseWrkOutput } from './wrk-flood.js';

test('source addresses are distinct loopback addresses without .0 or .255 host bytes', () => {
  const set = new Set(Array.from({ length: 1000 }, (_, n) => sourceAddress(21, n)));
  assert.equal(set.size, 1000);
  for (const a of set) assert.match(a, /^127\.21\.([1-9]|[1-9]\d|1\d\d|2[0-4]\d|25[0-4])\.([1-9]|[1-9]\d|1\d\d|2[0-4]\d|250)$/);
  assert.throws(() => sourceAddress(0, 1), RangeError);
});

test('robots.txt: the * group gives Disallow rules and Crawl-delay; links are same-site paths', () => {
  const r = parseRobots('User-agent: googlebot\nDisallow: /g\n\nUser-agent: *\nDisallow: /account\nDisallow: /api/ # no bots\nCrawl-delay: 2\n');
  assert.deepEqual(r.disallow, ['/account', '/api/']);
  assert.equal(r.crawlDelayMs, 2000);
  assert.deepEqual(extractLinks('<a href="/books/1">x</a><a href="https://other/x">y</a><a href="//cdn/x">z</a><a href="/search?q=a&amp;p=2#top">s</a>'),
    ['/books/1', '/search?q=a&p=2']);
});

test('access log replay keeps each client\'s own timeline and picks the busiest clients of the window', async () => {
  const log = 'host\tlogname\ttime\tmethod\turl\tresponse\tbytes\treferer\tuseragent\n' +
    'b\t-\t110\tGET\t/x\t200\t1\t\t\n' +
    'a\t-\t100\tGET\t/\t200\t1\t\tMosaic\n' +
    'a\t-\t105\tGET\t/img.gif\t200\t1\t\tMosaic\n' +
    'c\t-\t500\tGET\t/late\t200\t1\t\t\n' +
    'broken line\n';
  const dir = await mkdtemp(join(tmpdir(), 'lab-log-'));
  let entries;
  try {
    await writeFile(join(dir, 'log.tsv'), log);
    entries = await readAccessLog(join(dir, 'log.tsv'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  assert.deepEqual(entries.map((e) => e.time), [100, 105, 110, 500]);
  assert.equal(entries[0]?.userAgent, 'Mosaic');
  const plan = planReplay(entries, 60, undefined, 1);
  assert.deepEqual([...plan.keys()], ['a']);
  assert.deepEqual(plan.get('a')?.map((e) => e.url), ['/', '/img.gif']);
  assert.equal(planReplay(entries, 1000, undefined, 10).size, 3);
});

test('wrk output: the classification line becomes per-second buckets and socket errors', () => {
  const p = parseWrkOutput('Running 1s test\nLABWRK {"requests":12,"connect":1,"read":2,"write":0,"timeout":1,"buckets":{"1700000000:backend":5,"1700000001:reject":7}}\n');
  assert.ok(p);
  assert.equal(p.requests, 12);
  assert.equal(p.socketErrors, 4);
  assert.deepEqual(p.buckets, [{ sec: 1700000000, outcome: 'backend', n: 5 }, { sec: 1700000001, outcome: 'reject', n: 7 }]);
  assert.equal(parseWrkOutput('no line'), undefined);
});

test('slowhttptest statistics: most connections held, closed, probe down', () => {
  const s = parseSlowHttpCsv('Seconds,Closed,Pending,Connected,Service Available\n0,0,1,0,1\n1,0,50,100,1\n2,10,0,190,0\n3,25,0,175,0\n');
  assert.deepEqual(s, { seconds: 4, maxConnected: 190, closed: 25, unavailableSeconds: 2 });
});
