/**
 * Runs one data-driven detection case: testdata/<case>/{config.yaml, requests.jsonl, expected.json}.
 * The detector runs on a manual clock; the runner plays the gateway's part (a blocked client is
 * answered 403 without being inspected until its block expires; responses of forwarded
 * requests are reported through `complete`).
 *
 * requests.jsonl, one object per line (fields in brackets are optional):
 *   { "t": ms, "key": "1.2.3.4", "path": "/", ["query"], ["method"], ["status"], ["headers": "browser"|"bot"|"none"|{...}],
 *     ["cookie"], ["referer"], ["httpVersion"], ["contentLength"], ["challengePassed"],
 *     ["repeat": n, "everyMs": ms, "jitterMs": ms], ["burst": n, "burstEveryMs": ms], ["sources": n, "sourceOffsetMs": ms] }
 *   `repeat` sends the line n times `everyMs` apart (each shifted by a random 0..jitterMs), and
 *   each of those as a burst of n requests `burstEveryMs` apart (a page and its assets); `sources`
 *   repeats it all for n clients (client i starts i * sourceOffsetMs later), the key's {hi}, {lo}
 *   and {i} standing for i / 256, i % 256 and i; in the path, {n} is the repeat number and {b} the
 *   burst number; a `query` of "{rand}" becomes a random token, a cookie's {key} and {i} the client key and source number.
 *   `solvesChallenges`: the sender is a browser; once challenged, its later requests carry a pass
 *   (one pass per client key and cookie, as the pass cookie is per browser).
 * expected.json: { "expect": [ { "match": "key or key prefix ending in '.' or '*'", and any of
 *   "worstAtMost": action, "worstAtLeast": action, "reasons": [codes, at least one seen],
 *   "stoppedAfter": { "ms": t, "atLeast": share of the matched clients' requests at t >= ms that were not forwarded },
 *   "forwardedAtLeast": share of all the matched clients' requests that were forwarded } ] }
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IncomingHttpHeaders } from 'node:http';
import { Registry } from 'prom-client';
import { parse as parseYaml } from 'yaml';
import { createManualClock } from '../../src/core/clock.js';
import { createLogger } from '../../src/core/logger.js';
import { parseDetectionConfig } from '../../src/detect/config.js';
import { signalsOf } from '../../src/detect/signals.js';
import { createDetector } from '../../src/detect/detector.js';
import type { Action, Decision, Detector } from '../../src/detect/types.js';

const UA_BROWSER = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
const PROFILES: Record<string, IncomingHttpHeaders> = {
  browser: { host: 'site', 'user-agent': UA_BROWSER, accept: 'text/html,application/xhtml+xml,*/*;q=0.8', 'accept-encoding': 'gzip, deflate, br', 'accept-language': 'en-GB,en;q=0.9', 'sec-fetch-mode': 'navigate', connection: 'keep-alive' },
  bot: { host: 'site', 'user-agent': 'python-requests/2.31.0', accept: '*/*', 'accept-encoding': 'gzip, deflate', connection: 'keep-alive' },
  none: { host: 'site' },
};
const SEVERITY: Record<Action, number> = { allow: 0, challenge: 1, throttle: 2, block: 3 };

interface Line {
  t: number; key: string; path: string; query?: string; method?: string; status?: number;
  headers?: string | IncomingHttpHeaders; cookie?: string; referer?: string; httpVersion?: string; contentLength?: number;
  challengePassed?: boolean; repeat?: number; everyMs?: number; jitterMs?: number; burst?: number; burstEveryMs?: number;
  sources?: number; sourceOffsetMs?: number; solvesChallenges?: boolean;
}
interface Expectation {
  match: string; worstAtMost?: Action; worstAtLeast?: Action; reasons?: string[];
  stoppedAfter?: { ms: number; atLeast: number }; forwardedAtLeast?: number;
}
interface Ev { t: number; seq: number; line: Line; key: string; path: string; source: number }
export interface ClientResult { worst: Action; reasons: Set<string>; sent: { t: number; forwarded: boolean }[] }
export interface CaseResult { clients: Map<string, ClientResult>; detector: Detector; failures: string[] }

function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => { a = (a + 0x6d2b79f5) >>> 0; let t = a; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
}

function expand(lines: Line[], rand: () => number): Ev[] {
  const out: Ev[] = [];
  let seq = 0;
  for (const l of lines) {
    const sources = l.sources ?? 1;
    for (let i = 0; i < sources; i++) {
      const key = l.key.replace('{hi}', String(Math.floor(i / 256))).replace('{lo}', String(i % 256)).replace('{i}', String(i));
      for (let k = 0; k < (l.repeat ?? 1); k++) {
        const start = l.t + i * (l.sourceOffsetMs ?? 0) + k * (l.everyMs ?? 0) + Math.floor(rand() * (l.jitterMs ?? 0));
        for (let b = 0; b < (l.burst ?? 1); b++) {
          out.push({ t: start + b * (l.burstEveryMs ?? 0), seq: seq++, line: l, key, source: i, path: l.path.replace('{n}', String(k)).replace('{b}', String(b)) });
        }
      }
    }
  }
  return out.sort((a, b) => a.t - b.t || a.seq - b.seq);
}

export function runCase(dir: string): CaseResult {
  const cfg = parseDetectionConfig(parseYaml(readFileSync(join(dir, 'config.yaml'), 'utf8')) ?? {});
  const lines = readFileSync(join(dir, 'requests.jsonl'), 'utf8').split('\n').filter((s) => s.trim() && !s.startsWith('//')).map((s) => JSON.parse(s) as Line);
  const { expect } = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as { expect: Expectation[] };
  const clock = createManualClock(Date.UTC(2026, 0, 1));
  const t0 = clock.now();
  const detector = createDetector({ config: cfg, clock, logger: createLogger({ level: 'silent' }), registry: new Registry() });
  const blockedUntil = new Map<string, number>();
  const clients = new Map<string, ClientResult>();
  const rand = seeded(42);
  const passed = new Set<string>();
  for (const ev of expand(lines, seeded(7))) {
    const now = t0 + ev.t;
    clock.set(now);
    let c = clients.get(ev.key);
    if (!c) { c = { worst: 'allow', reasons: new Set(), sent: [] }; clients.set(ev.key, c); }
    const until = blockedUntil.get(ev.key);
    if (until !== undefined && until > now) { c.sent.push({ t: ev.t, forwarded: false }); continue; }
    const l = ev.line;
    const headers: IncomingHttpHeaders = { ...(typeof l.headers === 'object' ? l.headers : PROFILES[l.headers ?? 'browser']) };
    if (l.cookie) headers.cookie = l.cookie.replace('{key}', ev.key).replace('{i}', String(ev.source));
    if (l.referer) headers.referer = l.referer;
    const query = l.query === '{rand}' ? `r=${Math.floor(rand() * 1e12).toString(36)}` : l.query ?? '';
    const d: Decision = detector.inspect({
      clientKey: ev.key, ip: ev.key, timestampMs: now, method: l.method ?? 'GET', path: ev.path, query,
      httpVersion: l.httpVersion ?? '1.1', signals: signalsOf(headers), headerCount: Object.keys(headers).length, contentLength: l.contentLength ?? 0,
    }, { challengePassed: (l.challengePassed ?? false) || passed.has(`${ev.key}|${headers.cookie ?? ''}`) });
    if (d.action === 'challenge' && l.solvesChallenges) passed.add(`${ev.key}|${headers.cookie ?? ''}`);
    if (SEVERITY[d.action] > SEVERITY[c.worst]) c.worst = d.action;
    if (d.action !== 'allow' || d.reason !== 'ok') c.reasons.add(d.reason);
    const stopped = d.enforced && d.action !== 'allow';
    if (stopped && d.action === 'block') blockedUntil.set(ev.key, now + (d.blockSeconds ?? 0) * 1000);
    c.sent.push({ t: ev.t, forwarded: !stopped });
    if (!stopped) detector.complete(ev.key, l.status ?? 200, 1000, 5);
  }

  const failures: string[] = [];
  for (const e of expect) {
    const matched = [...clients.entries()].filter(([k]) => (e.match.endsWith('.') || e.match.endsWith('*') ? k.startsWith(e.match.replace(/\*$/, '')) : k === e.match));
    if (matched.length === 0) { failures.push(`${e.match}: no client matched`); continue; }
    const worst = matched.reduce<Action>((w, [, c]) => (SEVERITY[c.worst] > SEVERITY[w] ? c.worst : w), 'allow');
    const least = matched.reduce<Action>((w, [, c]) => (SEVERITY[c.worst] < SEVERITY[w] ? c.worst : w), 'block');
    if (e.worstAtMost && SEVERITY[worst] > SEVERITY[e.worstAtMost]) failures.push(`${e.match}: worst decision ${worst}, expected at most ${e.worstAtMost} (reasons ${[...new Set(matched.flatMap(([, c]) => [...c.reasons]))].join(',')})`);
    if (e.worstAtLeast && SEVERITY[least] < SEVERITY[e.worstAtLeast]) failures.push(`${e.match}: some client's worst decision was ${least}, expected at least ${e.worstAtLeast}`);
    if (e.reasons && !matched.some(([, c]) => e.reasons!.some((r) => c.reasons.has(r)))) failures.push(`${e.match}: none of the reasons ${e.reasons.join(',')} seen (saw ${[...new Set(matched.flatMap(([, c]) => [...c.reasons]))].join(',') || 'none'})`);
    if (e.stoppedAfter) {
      const after = matched.flatMap(([, c]) => c.sent.filter((s) => s.t >= e.stoppedAfter!.ms));
      const share = after.length ? after.filter((s) => !s.forwarded).length / after.length : 0;
      if (share < e.stoppedAfter.atLeast) failures.push(`${e.match}: ${(share * 100).toFixed(2)}% of ${after.length} requests after ${e.stoppedAfter.ms} ms stopped, expected >= ${e.stoppedAfter.atLeast * 100}%`);
    }
    if (e.forwardedAtLeast !== undefined) {
      const all = matched.flatMap(([, c]) => c.sent);
      const share = all.filter((s) => s.forwarded).length / all.length;
      if (share < e.forwardedAtLeast) failures.push(`${e.match}: ${(share * 100).toFixed(2)}% of ${all.length} requests forwarded, expected >= ${e.forwardedAtLeast * 100}%`);
    }
  }
  return { clients, detector, failures };
}
