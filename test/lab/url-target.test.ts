import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServer, listen } from '../../src/core/listen.js';
import { findTool } from '../../src/lab/generators/tool.js';
import { runLab } from '../../src/lab/lab.js';
import { formatTable } from '../../src/lab/report/format.js';
import { renderHtml } from '../../src/lab/report/html.js';
import { entryAddressGroup, runScenario, WARMUP_ADDRESS, WARMUP_GROUP } from '../../src/lab/runner.js';
import type { RequestResult } from '../../src/lab/types.js';
import { need, scenario } from './helpers.js';

interface Seen { address: string; method: string; url: string; ua: string }

/**
 * A site behind a gateway, neither started by the lab and no lab sink anywhere: the site answers
 * pages 200, unknown paths 404 and wrong passwords 401, all without any lab stamp; the "gateway"
 * blocks an address (403 + x-shield-action: block) once it has sent `blockAfter` requests.
 */
async function startSite(blockAfter: number) {
  const seen: Seen[] = [];
  const perAddress = new Map<string, number>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const address = req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '';
    seen.push({ address, method: req.method ?? '', url: req.url ?? '', ua: String(req.headers['user-agent'] ?? '') });
    const n = (perAddress.get(address) ?? 0) + 1;
    perAddress.set(address, n);
    req.resume();
    req.on('end', () => {
      if (n > blockAfter) {
        res.writeHead(403, { 'content-type': 'application/json', 'x-shield-action': 'block', 'x-shield-ref': 'r1' });
        res.end('{"error":"Forbidden","action":"block"}');
        return;
      }
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      if (req.method === 'POST' && path === '/login') {
        res.writeHead(401, { 'content-type': 'text/html' });
        res.end('<p>Wrong user name or password.</p>');
      } else if (path === '/' || path === '/health' || path.startsWith('/api/books')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
      } else {
        res.writeHead(404, { 'content-type': 'text/html' });
        res.end('<p>Page not found</p>');
      }
    });
  });
  const port = await listen(server, 0, '127.0.0.1');
  return { url: `http://127.0.0.1:${port}`, seen, close: () => closeServer(server) };
}

test('against a URL target with its own site behind, site answers are answered-by-the-site, gateway answers by x-shield-action, and the report says the backend is not the lab\'s sink', async () => {
  const site = await startSite(12);
  const results: RequestResult[] = [];
  let run;
  try {
    run = await runScenario(scenario({
      duration: 1.5,
      attackStart: 0.3,
      clients: [
        { generator: 'api-poller', label: 'benign', rate: 4, start: 0, params: { clients: 2 } },
        { generator: 'path-scan', label: 'attack', rate: 20, start: 0.3, params: { sources: 1 } },
        { generator: 'login-brute', label: 'attack', rate: 6, start: 0.3, params: { sources: 1 } },
      ],
    }), site.url, { onResult: (r) => results.push(r), graceMs: 3000 });
  } finally {
    await site.close();
  }

  const benign = results.filter((r) => r.label === 'benign');
  const attack = results.filter((r) => r.label === 'attack');
  assert.ok(benign.length >= 6 && attack.length >= 15, `traffic flowed: ${benign.length} benign, ${attack.length} attack`);

  // Benign 200s from the site are answered by the site, not errors.
  assert.ok(benign.every((r) => r.status === 200 && r.outcome === 'backend'), JSON.stringify(benign.slice(0, 3)));
  assert.equal(run.benign.errors, 0);
  assert.equal(run.benign.rejected, 0);
  assert.equal(run.benign.passed, benign.length);
  assert.equal(run.benign.clientsRejected, 0);
  assert.equal(run.benign.duringAttack.successRate, 1);

  // The site's own 404s and 401s are answered by the site; the gateway's 403s are blocks; nothing is an error.
  const siteAnswers = attack.filter((r) => r.status === 404 || r.status === 401);
  assert.ok(siteAnswers.some((r) => r.status === 401) && siteAnswers.some((r) => r.status === 404), 'both kinds of site answer seen');
  assert.ok(siteAnswers.every((r) => r.outcome === 'backend'));
  assert.ok(attack.some((r) => r.outcome === 'block'), 'the path scanner got blocked');
  assert.ok(attack.filter((r) => r.status === 403).every((r) => r.outcome === 'block'));
  assert.equal(run.attack.errors, 0, JSON.stringify(run.attack.byOutcome));
  assert.equal(run.attack.passed, siteAnswers.length);
  assert.equal(run.attack.stopped, run.attack.byOutcome.block);
  assert.equal(run.attack.passed + run.attack.stopped, run.attack.sent);

  // Backend-side figures are not available, and said so.
  assert.equal(run.backendCounted, false);
  assert.equal(run.attack.reachedAfterMitigation, null);
  const table = formatTable([run]);
  assert.match(table, /backend is not the lab's sink/);
  assert.match(table.split('\n')[0] ?? '', /^target http:\/\/127\.0\.0\.1:\d+: the lab did not start it/, 'the header says it, first');
  assert.match(table, /n\/a \(not the lab's sink\)/);
  assert.doesNotMatch(table, /never mitigated|benign errors|attack errors/);
  assert.match(renderHtml([run], { command: 'x', generatedAt: 'now', machine: 'm' }), /backend is not the lab&#39;s sink|backend is not the lab's sink/);

  // No warm-up against a target the lab did not start: every request the site saw came from a
  // measured client of the scenario, none from the warm-up's address.
  assert.ok(!site.seen.some((s) => s.address.startsWith(`127.${WARMUP_GROUP}.`)), 'no request from a warm-up address');
  const groups = new Set([0, 1, 2].map((i) => `127.${entryAddressGroup(i)}.`));
  const stray = site.seen.filter((s) => ![...groups].some((g) => s.address.startsWith(g)));
  assert.deepEqual(stray, [], 'every request came from a scenario client');
});

test('wrk against a URL target: its Lua classifies the site\'s 200/404 as answered by the site and the gateway\'s 403 as a block', async (t) => {
  if (!need(t, findTool('wrk') ? undefined : 'wrk is not installed')) return;
  let n = 0;
  const server = createServer((req, res) => {
    n++;
    if (n % 10 === 0) res.writeHead(403, { 'x-shield-action': 'block' });
    else res.writeHead(n % 2 ? 200 : 404);
    res.end('x');
  });
  const port = await listen(server, 0, '127.0.0.1');
  let run;
  try {
    run = await runScenario(scenario({
      duration: 1, attackStart: 0,
      clients: [{ generator: 'wrk-flood', label: 'attack', rate: 1, start: 0, params: { connections: 2 } }],
    }), `http://127.0.0.1:${port}`, { graceMs: 5000 });
  } finally {
    await closeServer(server);
  }
  // the one note says which address groups the run's clients had (wrk itself runs from 127.0.0.1)
  assert.deepEqual(run.notes.filter((n) => !n.startsWith('clients bound 127.10.x.y: ')), []);
  assert.ok(run.attack.sent > 50, `wrk sent ${run.attack.sent}`);
  assert.equal(run.attack.byOutcome['proxy-error'], 0);
  assert.equal(run.attack.byOutcome.reject, 0);
  assert.ok(run.attack.byOutcome.backend > 0 && run.attack.byOutcome.block > 0, JSON.stringify(run.attack.byOutcome));
  assert.ok(run.attack.byOutcome.backend > run.attack.byOutcome.block * 5, 'nine in ten were the site\'s');
});

test('the warm-up\'s address group is never a scenario entry\'s', () => {
  assert.equal(WARMUP_ADDRESS, `127.${WARMUP_GROUP}.1.1`);
  assert.equal(entryAddressGroup(0), 10);
  assert.equal(entryAddressGroup(WARMUP_GROUP - 11), WARMUP_GROUP - 1);
  assert.throws(() => entryAddressGroup(WARMUP_GROUP - 10), RangeError);
});

test('runs against one URL target each get clients it has not seen, and say which groups they used', async () => {
  const site = await startSite(1000);
  const addressesOf = (from: number, to: number) => new Set(site.seen.slice(from, to).map((s) => s.address));
  let result;
  let firstCount = 0;
  try {
    const one = scenario({
      name: 'one', duration: 1, attackStart: 0.5,
      clients: [
        { generator: 'api-poller', label: 'benign', rate: 4, start: 0, params: { clients: 2 } },
        { generator: 'path-scan', label: 'attack', rate: 10, start: 0.5, params: { sources: 1 } },
      ],
      // entry 1's first client, as a scenario file names it
      actions: [{ at: 0.6, block: '127.11.1.1', minutes: 1 }],
    });
    result = await runLab({
      scenarios: [one, { ...one, name: 'two' }], targets: [site.url], addressBase: 30,
      progress: (line) => { if (line.startsWith('starting two')) firstCount = site.seen.length; },
    });
  } finally {
    await site.close();
  }
  assert.deepEqual(result.skipped, []);
  const [first, second] = result.runs;
  assert.ok(first && second && firstCount > 0 && site.seen.length > firstCount, `both runs sent requests: ${firstCount}, ${site.seen.length}`);
  const a = addressesOf(0, firstCount);
  const b = addressesOf(firstCount, site.seen.length);
  assert.ok([...a].every((x) => /^127\.3[01]\./.test(x)), `the first run's clients are in groups 30 and 31: ${[...a].join(' ')}`);
  assert.ok([...b].every((x) => /^127\.3[23]\./.test(x)), `the second run's clients are in groups 32 and 33: ${[...b].join(' ')}`);
  // the block action followed entry 1 (the URL target has no block API, so it is recorded as failed)
  assert.equal(first.actions[0]?.block, '127.31.1.1');
  assert.equal(second.actions[0]?.block, '127.33.1.1');
  assert.ok(first.notes.some((n) => n.includes('127.30.x.y–127.31.x.y') && n.includes('--address-base 32')), first.notes.join('\n'));
  assert.ok(second.notes.some((n) => n.includes('--address-base 34')), second.notes.join('\n'));
});
