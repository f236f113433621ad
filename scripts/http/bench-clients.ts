/**
 * Detection-engine benchmark: memory per tracked client, RSS with 1,000,000 distinct clients,
 * and the cost of one `inspect` call (features + stage 1, and with stage 2).
 *
 *   node --expose-gc --import tsx scripts/http/bench-clients.ts [--clients 1000000] [--requests 300000]
 */
import { Registry } from 'prom-client';
import { Command } from 'commander';
import { createManualClock } from '../../src/core/clock.js';
import { createLogger } from '../../src/core/logger.js';
import { parseDetectionConfig } from '../../src/detect/config.js';
import { createDetector } from '../../src/detect/detector.js';
import { createClientTable } from '../../src/detect/state/client-table.js';
import type { RequestObservation } from '../../src/detect/types.js';
import { signalsOf } from '../../src/detect/signals.js';

const o = new Command().option('--clients <n>', 'distinct clients', '1000000').option('--requests <n>', 'requests for the timing runs', '300000').parse(process.argv).opts<{ clients: string; requests: string }>();
const N = Number(o.clients);
const R = Number(o.requests);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const mb = (b: number) => (b / 1048576).toFixed(1);

const headers = { host: 'site', 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/124.0', accept: '*/*', 'accept-language': 'en', 'accept-encoding': 'gzip', cookie: 'sid=abc' };
const obs = (key: string, t: number, path: string): RequestObservation => ({ clientKey: key, ip: key, timestampMs: t, method: 'GET', path, query: '', httpVersion: '1.1', signals: signalsOf(headers), headerCount: 6, contentLength: 0 });
const ipOf = (i: number) => `${10 + (i >>> 24)}.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`;


// Keys are made on the fly: the strings the detector keeps count in its figure.
gc(); gc();
const rss0 = process.memoryUsage().rss;
const clock = createManualClock(Date.UTC(2026, 0, 1));
const detector = createDetector({ config: parseDetectionConfig({ clientTableSize: N, explainHistory: 0, global: { warmupMs: 1e12 } }), clock, logger: createLogger({ level: 'silent' }), registry: new Registry() });
let t = clock.now();
const started = performance.now();
for (let i = 0; i < N; i++) {
  t += 1;
  detector.inspect(obs(ipOf(i), t, "/"), { challengePassed: false });
  if (i % 100_000 === 0) process.stderr.write(`\rfilling ${i}/${N}`);
}
process.stderr.write('\n');
const fillMs = performance.now() - started;
gc(); gc();
const rss1 = process.memoryUsage().rss;
const st = detector.stats();
console.log(`clients tracked: ${st.clients} of ${N} (capacity ${st.clientCapacity})`);
console.log(`RSS before detector: ${mb(rss0)} MB, with ${N} clients: ${mb(rss1)} MB, growth ${mb(rss1 - rss0)} MB`);
console.log(`bytes per client (RSS growth / clients): ${((rss1 - rss0) / N).toFixed(0)} B, of which typed-array slot state ${createClientTable(1).bytesPerSlot} B`);
console.log(`first requests of ${N} new clients: ${((fillMs * 1e6) / N).toFixed(0)} ns each (includes table inserts)`);
detector.close();

// Per-request cost on a warm table: 10,000 clients sending R requests.
for (const stage2 of [false, true]) {
  const c2 = createManualClock(Date.UTC(2026, 0, 1));
  const d = createDetector({ config: parseDetectionConfig({ clientTableSize: 20_000, stage2, global: { warmupMs: 1e12 } }), clock: c2, logger: createLogger({ level: 'silent' }), registry: new Registry() });
  const ks = Array.from({ length: 10_000 }, (_, i) => ipOf(i));
  const paths = ['/', '/a', '/b/c', '/static/x.js'];
  let tt = c2.now();
  for (let i = 0; i < 20_000; i++) d.inspect(obs(ks[i % ks.length]!, (tt += 1), paths[i & 3]!), { challengePassed: false });
  const a = performance.now();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < R; i++) d.inspect(obs(ks[i % ks.length]!, (tt += 1), paths[i & 3]!), { challengePassed: false });
  const cpu = process.cpuUsage(cpu0);
  const ns = ((performance.now() - a) * 1e6) / R;
  const cpuNs = ((cpu.user + cpu.system) * 1000) / R;
  const s = d.stats();
  console.log(`inspect, stage 2 ${stage2 ? "on" : "off"}: ${ns.toFixed(0)} ns wall, ${cpuNs.toFixed(0)} ns CPU per request over ${R} requests (${s.stage2Evaluations} stage-2 evaluations; decisions ${JSON.stringify(s.decisions)})`);
  d.close();
}
