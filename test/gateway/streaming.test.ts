// Bodies stream through the gateway both ways: a 50 MB upload and a 50 MB download pass with
// their checksums intact, and the gateway (a child process, memory read from /proc) never holds
// them: while the receiving side stops reading, the sending side is held back after a few MB
// and the gateway's memory stays put; when it reads again everything arrives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { request } from 'undici';
import { gatewayConfigSchema } from '../../src/config/schema.js';
import { metricValue, startBackend, startGateway, testConfig, until, withCleanup, type Handler } from './helpers.js';
import { processMemory, startGatewayChild } from './process.js';

const MB = 1024 * 1024;
const TOTAL = 50 * MB;
const CHUNK = 64 * 1024;
const WARMUP = 4 * MB;
/** Most the gateway may grow while a 50 MB body is held up (a buffering gateway takes it all). */
const MAX_GROWTH = 40 * MB;

/** Data with the chunk index stamped into a random block. */
function chunkAt(base: Buffer, i: number): Buffer {
  const b = Buffer.from(base);
  b.writeUInt32BE(i, 0);
  return b;
}

/** Waits until `value()` stops changing for a few polls (the pipeline is full), returns it. */
async function settled(what: string, value: () => number): Promise<number> {
  let last = -1;
  let same = 0;
  await until(what, () => {
    const v = value();
    same = v === last ? same + 1 : 0;
    last = v;
    return same >= 6;
  }, { timeoutMs: 30_000, intervalMs: 100 });
  return last;
}

const mb = (n: number) => `${(n / MB).toFixed(1)} MB`;

test('50 MB upload and download stream through the gateway process without being held in memory', { skip: !existsSync('/proc/self/status') && 'needs /proc to read the gateway’s memory' }, (t) => withCleanup(async (defer) => {
  const base = randomBytes(CHUNK);
  let sentDigest = '';
  let sentBytes = 0;
  let heldUpload: IncomingMessage | undefined;
  const handler: Handler = (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/upload') {
      const h = createHash('sha256');
      let n = 0;
      req.on('data', (c: Buffer) => { h.update(c); n += c.length; });
      req.on('end', () => res.end(JSON.stringify({ bytes: n, sha256: h.digest('hex') })));
      if (url.searchParams.has('hold')) { req.pause(); heldUpload = req; }
      return;
    }
    if (url.pathname === '/download') {
      req.resume();
      const size = Number(url.searchParams.get('bytes') ?? TOTAL);
      const h = createHash('sha256');
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size });
      let i = 0;
      sentBytes = 0;
      const pump = () => {
        while (i < size / CHUNK) {
          const c = chunkAt(base, i++);
          h.update(c);
          sentBytes += c.length;
          if (!res.write(c)) { res.once('drain', pump); return; }
        }
        sentDigest = h.digest('hex');
        res.end();
      };
      pump();
      return;
    }
    req.resume();
    res.end('ok');
  };
  const backend = await startBackend(handler);
  defer(() => backend.close());
  const dir = mkdtempSync(join(tmpdir(), 'ddos-shield-stream-'));
  defer(() => rmSync(dir, { recursive: true, force: true }));
  const cfg = join(dir, 'gateway.yaml');
  // the proxy alone: detection (where the build has it) would rightly find a client whose body stalls
  const detectionOff = gatewayConfigSchema.safeParse({ detection: { enabled: false } }).success ? 'detection:\n  enabled: false\n' : '';
  writeFileSync(cfg, `gateway:\n  limits:\n    maxBodyBytes: ${100 * MB}\n${detectionOff}`);
  // small young generation: garbage is collected soon, so that rss shows what is held, not what is dropped
  const gw = await startGatewayChild(['--config', cfg, '--backend', backend.url], { nodeArgs: ['--max-semi-space-size=1'] });
  defer(() => gw.stop());

  // warm up both directions, then take the baseline
  const warm = await request(`${gw.url}/upload`, { method: 'POST', body: Readable.from((function* () { for (let i = 0; i < WARMUP / CHUNK; i++) yield base; })()) });
  assert.equal(warm.statusCode, 200);
  await warm.body.dump();
  const warmDown = await request(`${gw.url}/download?bytes=${WARMUP}`);
  assert.equal(warmDown.statusCode, 200);
  await warmDown.body.dump();
  const before = processMemory(gw.pid);

  // upload, streamed from a generator, while the backend does not read: the client is held back
  const upHash = createHash('sha256');
  let pushed = 0;
  async function* upload() {
    for (let i = 0; i < TOTAL / CHUNK; i++) {
      const c = chunkAt(base, i);
      upHash.update(c);
      pushed += c.length;
      yield c;
    }
  }
  const upPromise = request(`${gw.url}/upload?hold=1`, { method: 'POST', body: Readable.from(upload()), headersTimeout: 120_000, bodyTimeout: 120_000 });
  upPromise.catch(() => {}); // awaited below
  await until('the backend to hold the upload', () => heldUpload);
  const stuckAt = await settled('the upload to stall', () => pushed);
  const duringUpload = processMemory(gw.pid);
  t.diagnostic(`upload held back after ${mb(stuckAt)} of ${mb(TOTAL)}; gateway rss ${mb(before.rss)} -> ${mb(duringUpload.rss)}`);
  assert.ok(stuckAt < TOTAL / 2, `the client could push ${mb(stuckAt)} while the backend read nothing`);
  assert.ok(duringUpload.rss - before.rss < MAX_GROWTH, `gateway rss grew ${mb(duringUpload.rss - before.rss)} with the upload held`);
  heldUpload!.resume();
  const up = await upPromise;
  assert.equal(up.statusCode, 200);
  const got = await up.body.json() as { bytes: number; sha256: string };
  assert.equal(got.bytes, TOTAL);
  assert.equal(got.sha256, upHash.digest('hex'), 'the backend received exactly what was sent');

  // download while the client does not read: the backend is held back
  const down = await request(`${gw.url}/download`, { headersTimeout: 120_000, bodyTimeout: 120_000 });
  assert.equal(down.statusCode, 200);
  const held = await settled('the download to stall', () => sentBytes);
  const duringDownload = processMemory(gw.pid);
  t.diagnostic(`download held back after ${mb(held)} of ${mb(TOTAL)}; gateway rss ${mb(before.rss)} -> ${mb(duringDownload.rss)}`);
  assert.ok(held < TOTAL / 2, `the backend could push ${mb(held)} while the client read nothing`);
  assert.ok(duringDownload.rss - before.rss < MAX_GROWTH, `gateway rss grew ${mb(duringDownload.rss - before.rss)} with the download held`);
  const downHash = createHash('sha256');
  let n = 0;
  for await (const c of down.body) { downHash.update(c as Buffer); n += (c as Buffer).length; }
  assert.equal(n, TOTAL);
  assert.equal(downHash.digest('hex'), sentDigest, 'the client received exactly what the backend sent');

  // over the whole run, the peak stays well below one body (the rest is garbage not yet collected)
  const after = processMemory(gw.pid);
  t.diagnostic(`gateway peak rss ${mb(after.hwm)}, ${mb(after.hwm - before.rss)} above the baseline after moving 2 × ${mb(TOTAL)}`);
  assert.ok(after.hwm - before.rss < TOTAL, `peak growth ${mb(after.hwm - before.rss)}`);
}));

test('a client that goes away mid-download stops the backend’s transfer', () => withCleanup(async (defer) => {
  let backendClosed = false;
  let written = 0;
  const backend = await startBackend((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    const block = Buffer.alloc(CHUNK, 7);
    const pump = () => {
      while (!res.destroyed) {
        written += block.length;
        if (!res.write(block)) { res.once('drain', pump); return; }
      }
    };
    res.on('close', () => { backendClosed = true; });
    pump();
  });
  defer(() => backend.close());
  const tg = await startGateway(testConfig({ backends: { targets: [{ url: backend.url }] } }), { admin: false });
  defer(() => tg.close());

  const res = await request(`${tg.url}/endless`);
  assert.equal(res.statusCode, 200);
  let got = 0;
  for await (const c of res.body) {
    got += (c as Buffer).length;
    if (got >= 2 * MB) break; // leaving the loop destroys the body and its connection
  }
  await until('the backend’s response to be cut', () => backendClosed);
  const stoppedAt = written;
  await until('the gateway to finish the request', async () => metricValue(await tg.gw.metrics.registry.metrics(), 'ddos_shield_inflight_requests') === 0);
  assert.equal(written, stoppedAt, 'nothing more is produced');
  const m = await tg.gw.metrics.registry.metrics();
  assert.equal(metricValue(m, 'ddos_shield_rejected_total', { reason: 'response_aborted' }), 1);
}));
