/**
 * In-process request streams for training and evaluation: benign populations (browser sessions
 * with page loads of many assets, an office NAT with sixty people behind one address, a polite
 * crawler, an API poller, mobile-app API clients, people running curl or small scripts) and the attack scenarios of the traffic lab (single-source flood,
 * distributed flood from many addresses with browser headers, cache busting with rotating
 * agents, 404 scanning, login brute force, low-and-slow, on-off bursts). They are synthetic:
 * timing, paths, methods and headers follow the scenario's description, seeded for repeatability.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { RequestObservation } from '../../src/detect/types.js';
import { BROWSER_AGENTS } from '../../src/detect/replay/observation.js';
import { createRandom } from '../../src/lab/pace.js';
import { signalsOf } from '../../src/detect/signals.js';

export interface LabelledRequest { obs: RequestObservation; status: number; label: 0 | 1; scenario: string }

/** The lab's deterministic pseudo-random source (mulberry32), shared so both draw the same sequences. */
export const rng = createRandom;

type R = () => number;
const pick = <T>(r: R, a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
const between = (r: R, lo: number, hi: number) => lo + (hi - lo) * r();
const expo = (r: R, mean: number) => -Math.log(1 - r()) * mean;
const logNormal = (r: R, median: number, sigma: number) => median * Math.exp(sigma * Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r()));

const PAGES = ['/', '/catalogue', '/books/1', '/books/2', '/books/17', '/authors', '/authors/3', '/search', '/about', '/news', '/news/2026-11', '/help', '/account', '/cart'];
const ASSETS = Array.from({ length: 40 }, (_, i) => (i % 3 === 0 ? `/static/js/chunk-${i}.js` : i % 3 === 1 ? `/static/css/s-${i}.css` : `/static/img/i-${i}.png`));
const BOT_AGENTS = ['python-requests/2.31.0', 'curl/8.5.0', 'Go-http-client/1.1', 'Apache-HttpClient/4.5.14 (Java/17)', 'Wget/1.21.4', ''];
const CRAWLERS = ['Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', 'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)'];
const SCAN_WORDS = ['admin', 'wp-login.php', '.env', 'phpmyadmin', 'backup.zip', 'config.php', '.git/config', 'server-status', 'api/v1/users', 'xmlrpc.php', 'shell.php', 'test', 'old', 'db.sql', 'console', 'actuator/health'];

function browserHeaders(ua: string, extra: IncomingHttpHeaders = {}): IncomingHttpHeaders {
  return { host: 'site', 'user-agent': ua, accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'accept-encoding': 'gzip, deflate, br', 'accept-language': 'en-US,en;q=0.9', 'sec-fetch-mode': 'navigate', connection: 'keep-alive', ...extra };
}
function botHeaders(ua: string, http10 = false): IncomingHttpHeaders {
  const h: IncomingHttpHeaders = { host: 'site', accept: '*/*' };
  if (http10) h[HTTP10] = '1';
  if (ua) h['user-agent'] = ua;
  return h;
}

const HTTP10 = 'x-http10'; // marker consumed by req(): the request is sent as HTTP/1.0

function req(key: string, t: number, method: string, url: string, headers: IncomingHttpHeaders, contentLength = 0): RequestObservation {
  const q = url.indexOf('?');
  let httpVersion = '1.1';
  if (headers[HTTP10] !== undefined) { headers = { ...headers }; delete headers[HTTP10]; httpVersion = '1.0'; }
  return { clientKey: key, ip: key, timestampMs: Math.round(t), method, path: q < 0 ? url : url.slice(0, q), query: q < 0 ? '' : url.slice(q + 1), httpVersion, signals: signalsOf(headers), headerCount: Object.keys(headers).length, contentLength };
}

export interface Window { start: number; durationMs: number }

/** People browsing: page, then its assets within a few hundred ms (up to 30), think time, next page; cookies after the first response. */
export function browserSessions(r: R, w: Window, users: number, keyOf: (u: number) => string, scenario = 'benign-browser'): LabelledRequest[] {
  const out: LabelledRequest[] = [];
  for (let u = 0; u < users; u++) {
    const key = keyOf(u);
    const ua = pick(r, BROWSER_AGENTS);
    const session = `sid=${Math.floor(r() * 1e12).toString(36)}`;
    let t = w.start + r() * w.durationMs * 0.8;
    const end = Math.min(w.start + w.durationMs, t + logNormal(r, 300_000, 1));
    let page = '/';
    let first = true;
    while (t < end) {
      const headers = browserHeaders(ua, first ? {} : { cookie: session, referer: `http://site${page}` });
      page = pick(r, PAGES);
      out.push({ obs: req(key, t, 'GET', page + (page === '/search' ? `?q=${Math.floor(r() * 50)}` : ''), headers), status: r() < 0.01 ? 404 : 200, label: 0, scenario });
      const assets = first ? Math.floor(between(r, 10, 31)) : Math.floor(between(r, 0, 6)); // a cold cache loads everything, later pages few
      const assetHeaders = browserHeaders(ua, { cookie: session, referer: `http://site${page}`, 'sec-fetch-mode': 'no-cors' });
      for (let i = 0; i < assets; i++) {
        out.push({ obs: req(key, t + 20 + between(r, 0, 200), 'GET', pick(r, ASSETS), assetHeaders), status: first || r() < 0.5 ? 200 : 304, label: 0, scenario });
      }
      if (r() < 0.03) out.push({ obs: req(key, t + 500, 'POST', '/cart', { ...assetHeaders, 'content-type': 'application/x-www-form-urlencoded' }, Math.floor(between(r, 20, 200))), status: 200, label: 0, scenario });
      first = false;
      t += logNormal(r, 15_000, 1.1) + 300;
    }
  }
  return out;
}

/** A search engine crawler: 0.3-1 req/s, many distinct pages, no cookies, no Accept-Language. */
export function crawler(r: R, w: Window, key: string): LabelledRequest[] {
  const out: LabelledRequest[] = [];
  const ua = pick(r, CRAWLERS);
  const rate = between(r, 0.3, 1);
  for (let t = w.start; t < w.start + w.durationMs; t += expo(r, 1000 / rate)) {
    const page = r() < 0.5 ? pick(r, PAGES) : `/books/${Math.floor(r() * 5000)}`;
    out.push({ obs: req(key, t, 'GET', page, { host: 'site', 'user-agent': ua, accept: '*/*', 'accept-encoding': 'gzip' }), status: r() < 0.04 ? 404 : 200, label: 0, scenario: 'benign-crawler' });
  }
  return out;
}

/** A benign script polling a status endpoint at a fixed period. */
export function apiPoller(r: R, w: Window, key: string): LabelledRequest[] {
  const out: LabelledRequest[] = [];
  const period = between(r, 2000, 30_000);
  for (let t = w.start + r() * period; t < w.start + w.durationMs; t += period + between(r, -50, 50)) {
    out.push({ obs: req(key, t, 'GET', '/api/status', { host: 'site', 'user-agent': 'acme-monitor/2.1', accept: 'application/json', authorization: 'Bearer x' }), status: 200, label: 0, scenario: 'benign-api-poller' });
  }
  return out;
}

/** Mobile-app and API clients: few headers, bursts of calls when the app opens, then idle. */
export function apiClients(r: R, w: Window, clients: number, keyOf: (i: number) => string): LabelledRequest[] {
  const out: LabelledRequest[] = [];
  const apps = ['LibraryApp/3.2 (iPhone; iOS 17.4)', 'LibraryApp/3.1 (Android 14)', 'okhttp/4.12.0', 'Dalvik/2.1.0 (Linux; U; Android 13)', 'axios/1.6.8', 'python-requests/2.31.0'];
  for (let i = 0; i < clients; i++) {
    const key = keyOf(i);
    const h: IncomingHttpHeaders = { host: 'site', 'user-agent': pick(r, apps), accept: 'application/json', 'accept-encoding': 'gzip' };
    if (r() < 0.6) h.authorization = `Bearer ${Math.floor(r() * 1e9)}`;
    let t = w.start + r() * w.durationMs * 0.7;
    while (t < w.start + w.durationMs) {
      const burst = Math.floor(between(r, 3, 15));
      const gap = between(r, 50, 250); // 4-20 calls per second while the app loads
      for (let k = 0; k < burst; k++) {
        const path = pick(r, ['/api/books', '/api/books/17', '/api/authors', '/api/recent', '/api/account', '/api/search']);
        out.push({ obs: req(key, t + k * gap, 'GET', path + (path === '/api/search' ? `?q=${Math.floor(r() * 200)}` : ''), h), status: r() < 0.03 ? 404 : 200, label: 0, scenario: 'benign-api-client' });
      }
      t += burst * gap + logNormal(r, 40_000, 1);
    }
  }
  return out;
}

/** Someone fetching a list of pages with curl or a small script, once, a few per second. */
export function scriptUsers(r: R, w: Window, clients: number, keyOf: (i: number) => string): LabelledRequest[] {
  const out: LabelledRequest[] = [];
  for (let i = 0; i < clients; i++) {
    const h = scriptHeaders(r);
    const n = Math.floor(between(r, 5, 40));
    const rate = between(r, 1, 8);
    let t = w.start + r() * w.durationMs * 0.8;
    for (let k = 0; k < n; k++) {
      out.push({ obs: req(keyOf(i), t, 'GET', r() < 0.5 ? pick(r, PAGES) : `/books/${Math.floor(r() * 3000)}`, h), status: r() < 0.05 ? 404 : 200, label: 0, scenario: 'benign-script' });
      t += expo(r, 1000 / rate) + 30;
    }
  }
  return out;
}

type Profile = 'bot' | 'browser';
/** Script-like headers drawn from the same pool as benign scripts and API clients, so that headers alone never tell them apart. */
function scriptHeaders(r: R): IncomingHttpHeaders {
  const h = botHeaders(pick(r, [...BOT_AGENTS, 'okhttp/4.12.0', 'axios/1.6.8', 'LibraryApp/3.2 (iPhone; iOS 17.4)']), r() < 0.3); // ab and some flooders speak HTTP/1.0
  if (r() < 0.5) h['accept-encoding'] = 'gzip, deflate';
  if (r() < 0.5) h.connection = 'keep-alive';
  if (r() < 0.3) h.accept = 'application/json';
  if (r() < 0.2) h.authorization = `Bearer ${Math.floor(r() * 1e9)}`;
  if (r() < 0.15) delete h.accept;
  return h;
}

function attackHeaders(r: R, profile: Profile): IncomingHttpHeaders {
  if (profile === 'bot') return scriptHeaders(r);
  const extra: IncomingHttpHeaders = {};
  if (r() < 0.3) extra.cookie = `sid=${Math.floor(r() * 1e9)}`;
  if (r() < 0.4) extra.referer = `http://site${pick(r, PAGES)}`;
  return browserHeaders(pick(r, BROWSER_AGENTS), extra);
}

function steady(r: R, key: string, start: number, end: number, rps: number, next: () => { method: string; url: string; headers: IncomingHttpHeaders; status: number; cl?: number }, scenario: string, jitter = 1): LabelledRequest[] {
  const out: LabelledRequest[] = [];
  const mean = 1000 / rps;
  if (r() < 0.3) jitter = 0; // load tools send like clockwork
  for (let t = start; t < end; t += jitter ? mean * (1 - jitter / 2 + jitter * r()) : mean) {
    const n = next();
    out.push({ obs: req(key, t, n.method, n.url, n.headers, n.cl ?? 0), status: n.status, label: 1, scenario });
  }
  return out;
}

export function singleFlood(r: R, w: Window, key: string): LabelledRequest[] {
  const h = attackHeaders(r, r() < 0.5 ? 'bot' : 'browser');
  const paths = r() < 0.5 ? ['/'] : PAGES.slice(0, 3);
  return steady(r, key, w.start, w.start + w.durationMs, between(r, 30, 400), () => ({ method: 'GET', url: pick(r, paths), headers: h, status: 200 }), 'attack-single-flood', r());
}

export function distributedFlood(r: R, w: Window, sources: number, keyOf: (i: number) => string): LabelledRequest[] {
  const out: LabelledRequest[] = [];
  const target = pick(r, ['/', '/search', '/catalogue']);
  for (let i = 0; i < sources; i++) {
    const h = attackHeaders(r, r() < 0.3 ? 'bot' : 'browser');
    const start = w.start + r() * 5000;
    out.push(...steady(r, keyOf(i), start, w.start + w.durationMs, between(r, 1, 5), () => ({ method: 'GET', url: target === '/search' ? `/search?q=${Math.floor(r() * 1e6)}` : target, headers: h, status: 200 }), 'attack-distributed-flood', r()));
  }
  return out;
}

export function cacheBusting(r: R, w: Window, sources: number, keyOf: (i: number) => string): LabelledRequest[] {
  const out: LabelledRequest[] = [];
  for (let i = 0; i < sources; i++) {
    const path = pick(r, PAGES);
    out.push(...steady(r, keyOf(i), w.start, w.start + w.durationMs, between(r, 5, 60), () => ({ method: 'GET', url: `${path}?${Math.floor(r() * 1e9).toString(36)}=${Math.floor(r() * 1e9)}`, headers: browserHeaders(pick(r, BROWSER_AGENTS)), status: 200 }), 'attack-cache-busting', r()));
  }
  return out;
}

export function scan404(r: R, w: Window, key: string): LabelledRequest[] {
  const h = attackHeaders(r, r() < 0.7 ? 'bot' : 'browser');
  return steady(r, key, w.start, w.start + w.durationMs, between(r, 2, 30), () => {
    const p = `/${pick(r, ['', 'wp/', 'old/', 'site/', 'app/'])}${pick(r, SCAN_WORDS)}`;
    return { method: 'GET', url: p, headers: h, status: r() < 0.93 ? 404 : 403 };
  }, 'attack-scan-404', r());
}

export function loginBruteForce(r: R, w: Window, key: string): LabelledRequest[] {
  const h = { ...attackHeaders(r, r() < 0.6 ? 'bot' : 'browser'), 'content-type': 'application/x-www-form-urlencoded' };
  return steady(r, key, w.start, w.start + w.durationMs, between(r, 1, 15), () => ({ method: 'POST', url: '/login', headers: h, status: r() < 0.995 ? 401 : 200, cl: 40 + Math.floor(r() * 6) }), 'attack-login-brute-force', r() * 0.5);
}

/** Low-and-slow: many sources each well under any rate limit, hammering an expensive endpoint with machine-regular timing. */
export function lowAndSlow(r: R, w: Window, sources: number, keyOf: (i: number) => string): LabelledRequest[] {
  const out: LabelledRequest[] = [];
  for (let i = 0; i < sources; i++) {
    const h = attackHeaders(r, r() < 0.5 ? 'bot' : 'browser');
    out.push(...steady(r, keyOf(i), w.start + r() * 3000, w.start + w.durationMs, between(r, 0.3, 2), () => ({ method: 'GET', url: `/search?q=${Math.floor(r() * 1e6)}`, headers: h, status: 200 }), 'attack-low-and-slow', r() * 0.3));
  }
  return out;
}

export function onOff(r: R, w: Window, key: string): LabelledRequest[] {
  const out: LabelledRequest[] = [];
  const h = attackHeaders(r, r() < 0.5 ? 'bot' : 'browser');
  const on = between(r, 2000, 8000), off = between(r, 10_000, 40_000), rps = between(r, 30, 200);
  for (let t = w.start; t < w.start + w.durationMs; t += on + off) {
    out.push(...steady(r, key, t, t + on, rps, () => ({ method: 'GET', url: pick(r, PAGES.slice(0, 4)), headers: h, status: 200 }), 'attack-on-off', r()));
  }
  return out;
}

/** Every scenario of one generation, keys made distinct per scenario (`prefix` separates train and test generations). */
export function allScenarios(seed: number, prefix: string, start: number): LabelledRequest[] {
  const r = rng(seed);
  const w: Window = { start, durationMs: 10 * 60_000 };
  const short: Window = { start, durationMs: 90_000 };
  const key = (s: string) => (i: number) => `${prefix}-${s}-${i}`;
  const out: LabelledRequest[] = [];
  out.push(...browserSessions(r, w, 400, key('browser')));
  out.push(...browserSessions(r, w, 60, () => `${prefix}-office-nat`, 'benign-office-nat'));
  for (let i = 0; i < 4; i++) out.push(...crawler(r, w, `${prefix}-crawler-${i}`));
  for (let i = 0; i < 6; i++) out.push(...apiPoller(r, w, `${prefix}-poller-${i}`));
  out.push(...apiClients(r, w, 60, key('apiclient')));
  out.push(...scriptUsers(r, w, 60, key('script')));
  for (let i = 0; i < 12; i++) out.push(...singleFlood(r, short, `${prefix}-flood-${i}`));
  out.push(...distributedFlood(r, short, 400, key('dflood')));
  out.push(...cacheBusting(r, short, 12, key('cachebust')));
  for (let i = 0; i < 12; i++) out.push(...scan404(r, w, `${prefix}-scan-${i}`));
  for (let i = 0; i < 12; i++) out.push(...loginBruteForce(r, w, `${prefix}-brute-${i}`));
  out.push(...lowAndSlow(r, w, 40, key('lowslow')));
  for (let i = 0; i < 8; i++) out.push(...onOff(r, w, `${prefix}-onoff-${i}`));
  return out.sort((a, b) => a.obs.timestampMs - b.obs.timestampMs);
}
