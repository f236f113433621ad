import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Counter, type Registry } from 'prom-client';
import type { Clock } from '../../core/clock.js';
import { METRIC } from '../metrics.js';
import { readCookie, safeEqual, sign, workBits } from './token.js';
import { renderChallengePage, renderWaitPage } from './page.js';

export const CHALLENGE_PREFIX = '/_shield/challenge/';

export interface ChallengeOptions {
  /** HMAC key (at least 16 bytes); replicas that share it accept each other's cookies. */
  secret: string | Buffer;
  /** Leading zero bits of SHA-256 the browser must find: 16 ≈ 65,000 hashes on average. */
  difficulty: number;
  /** Lifetime of the pass cookie (s). */
  ttlSec: number;
  clock: Clock;
  /** A challenge must be answered within this many seconds of being served. */
  solveWithinSec?: number;
  /** Without JavaScript, the page lets a visitor through after waiting this long (s). */
  noJsDelaySec?: number;
  cookieName?: string;
  /** Add `Secure` to the cookie (when the public side is HTTPS). */
  secureCookie?: boolean;
  registry?: Registry;
}

export interface ChallengeResponse { status: number; headers: Record<string, string>; body: string }

/** The challenge as data, for clients that asked for JSON rather than a page. */
export interface ChallengeTerms {
  /** Find a nonce n (decimal, at most 32 characters) such that SHA-256 of `${token}:${n}` starts with `difficulty` zero bits. */
  token: string;
  difficulty: number;
  /** GET this with `&n=<nonce>` appended: 303 with the pass cookie. */
  verify_url: string;
  /** Or GET this after `wait_seconds`: 303 with the pass cookie. */
  wait_url: string;
  wait_seconds: number;
  /** The token expires after this long. */
  solve_within_seconds: number;
}

export interface Challenge {
  /** Stateless check of the pass cookie: signed for this client key and not expired. */
  /** Whether the Cookie field (as received, fields joined) carries a valid pass for this client. */
  isPassed(cookie: string | undefined, clientKey: string): boolean;
  /** Serves /_shield/challenge/* (verify, wait). Returns true when it answered the request. */
  handle(req: IncomingMessage, res: ServerResponse, clientKey: string): boolean;
  /** The interstitial for a challenged request. */
  page(req: Pick<IncomingMessage, 'headers'>, clientKey: string, originalUrl: string): ChallengeResponse;
  /** The same challenge as data (counted as served like the page). */
  terms(clientKey: string, originalUrl: string): ChallengeTerms;
}

/** Only same-site relative paths are followed after a pass (no open redirect). */
export function safeReturnPath(r: string | null | undefined): string {
  if (!r || !r.startsWith('/') || r.startsWith('//') || r.includes('\\') || /[\r\n]/.test(r)) return '/';
  return r;
}

export function createChallenge(o: ChallengeOptions): Challenge {
  const secret = typeof o.secret === 'string' ? Buffer.from(o.secret) : o.secret;
  if (secret.length < 16) throw new Error('challenge secret must be at least 16 bytes');
  if (!Number.isInteger(o.difficulty) || o.difficulty < 0 || o.difficulty > 32) throw new Error('challenge difficulty must be an integer of 0..32 bits');
  if (!(o.ttlSec > 0)) throw new Error('challenge ttlSec must be positive');
  const cookieName = o.cookieName ?? 'shield_pass';
  const solveWithin = o.solveWithinSec ?? 300;
  const noJsDelay = o.noJsDelaySec ?? 15;
  const counter = o.registry
    ? new Counter({ name: METRIC.challenges, help: 'Challenge pages served and answers by outcome', labelNames: ['event'] as const, registers: [o.registry] })
    : undefined;
  const count = (event: string) => counter?.inc({ event });
  const nowSec = () => Math.floor(o.clock.now() / 1000);

  function passCookie(clientKey: string): string {
    const exp = nowSec() + o.ttlSec;
    const value = `${exp}.${sign(secret, `pass|${clientKey}|${exp}`)}`;
    return `${cookieName}=${value}; Path=/; Max-Age=${o.ttlSec}; HttpOnly; SameSite=Lax${o.secureCookie ? '; Secure' : ''}`;
  }

  /** A challenge token: issued time, random nonce, difficulty, bound to the client key by HMAC. */
  function issue(clientKey: string): string {
    const head = `${nowSec()}.${randomBytes(9).toString('base64url')}.${o.difficulty}`;
    return `${head}.${sign(secret, `chal|${clientKey}|${head}`)}`;
  }

  function checkToken(token: string, clientKey: string): { issued: number; difficulty: number } | undefined {
    const parts = token.split('.');
    if (parts.length !== 4) return undefined;
    const head = parts.slice(0, 3).join('.');
    if (!safeEqual(parts[3]!, sign(secret, `chal|${clientKey}|${head}`))) return undefined;
    const issued = Number(parts[0]);
    const age = nowSec() - issued;
    if (!Number.isInteger(issued) || age < 0 || age > solveWithin) return undefined;
    return { issued, difficulty: Number(parts[2]) };
  }

  function answer(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-length': String(Buffer.byteLength(body)), ...headers });
    res.end(body);
  }

  function pass(res: ServerResponse, clientKey: string, ret: string): void {
    count('passed');
    res.writeHead(303, { location: ret, 'set-cookie': passCookie(clientKey), 'cache-control': 'no-store', 'content-length': '0' });
    res.end();
  }

  return {
    isPassed(cookie, clientKey) {
      const v = readCookie(cookie, cookieName);
      if (!v) return false;
      const dot = v.indexOf('.');
      if (dot < 0) return false;
      const exp = Number(v.slice(0, dot));
      if (!Number.isInteger(exp) || exp <= nowSec()) return false;
      return safeEqual(v.slice(dot + 1), sign(secret, `pass|${clientKey}|${exp}`));
    },

    handle(req, res, clientKey) {
      const url = new URL(req.url ?? '/', 'http://shield.invalid');
      if (!url.pathname.startsWith(CHALLENGE_PREFIX)) return false;
      const what = url.pathname.slice(CHALLENGE_PREFIX.length);
      const ret = safeReturnPath(url.searchParams.get('r'));
      const token = url.searchParams.get('c') ?? '';
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        answer(res, 405, { allow: 'GET, HEAD' }, 'method not allowed\n');
        return true;
      }
      if (what === 'verify') {
        const t = checkToken(token, clientKey);
        const nonce = url.searchParams.get('n') ?? '';
        if (!t || nonce.length === 0 || nonce.length > 32) { count('rejected'); answer(res, 400, {}, 'invalid or expired challenge; reload the page\n'); return true; }
        if (workBits(token, nonce) < t.difficulty) { count('rejected'); answer(res, 400, {}, 'proof of work does not meet the difficulty\n'); return true; }
        pass(res, clientKey, ret);
        return true;
      }
      if (what === 'wait') {
        const t = checkToken(token, clientKey);
        if (!t) { count('rejected'); answer(res, 400, {}, 'invalid or expired challenge; reload the page\n'); return true; }
        const left = t.issued + noJsDelay - nowSec();
        if (left > 0) {
          const p = renderWaitPage(token, ret, left);
          answer(res, 429, { 'retry-after': String(left) }, p);
          return true;
        }
        pass(res, clientKey, ret);
        return true;
      }
      answer(res, 404, {}, 'not found\n');
      return true;
    },

    page(_req, clientKey, originalUrl) {
      count('served');
      const body = renderChallengePage({ token: issue(clientKey), difficulty: o.difficulty, returnPath: safeReturnPath(originalUrl), noJsDelaySec: noJsDelay });
      return { status: 403, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-length': String(Buffer.byteLength(body)) }, body };
    },

    terms(clientKey, originalUrl) {
      count('served');
      const token = issue(clientKey);
      const q = `c=${encodeURIComponent(token)}&r=${encodeURIComponent(safeReturnPath(originalUrl))}`;
      return {
        token, difficulty: o.difficulty,
        verify_url: `${CHALLENGE_PREFIX}verify?${q}`, wait_url: `${CHALLENGE_PREFIX}wait?${q}`,
        wait_seconds: noJsDelay, solve_within_seconds: solveWithin,
      };
    },
  };
}
