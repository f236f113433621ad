import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { ShieldAction } from './metrics.js';

export interface ShieldAnswer {
  status: number;
  action: ShieldAction;
  /** Stable reason code, e.g. `blocklist`, `no_healthy_backend`, `upstream_timeout`. */
  reason: string;
  /** One sentence for people. */
  message: string;
  retryAfterSec?: number;
  /** For blocks: when it ends (ms since epoch). */
  until?: number;
  /** A page of its own (e.g. the challenge interstitial) instead of the standard one. */
  page?: { headers: Record<string, string | number>; body: string };
  /** More fields of the JSON answer for API clients (e.g. how to pass a challenge without a browser). */
  details?: Record<string, unknown>;
}

/** What a blocked client is told. */
export const BLOCKED_MESSAGE = 'Requests from your address are blocked for a while.';

const TITLES: Record<ShieldAction, string> = {
  block: 'Access blocked',
  throttle: 'Too many requests',
  challenge: 'Checking your browser',
  error: 'The site could not answer',
};

/** Short reference ids, unique per process: a random prefix and a counter (cheap on the hot path). */
export function createRefIds(): () => string {
  const prefix = randomBytes(3).toString('hex');
  let n = 0;
  return () => `${prefix}-${(++n).toString(36)}`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function humanDuration(sec: number): string {
  if (sec < 90) return `${Math.max(1, Math.round(sec))} seconds`;
  if (sec < 5400) return `${Math.round(sec / 60)} minutes`;
  if (sec < 172800) return `${Math.round(sec / 3600)} hours`;
  return `${Math.round(sec / 86400)} days`;
}

/** The standard body of a gateway answer and its headers besides the length. */
export interface ShieldBody {
  body: string;
  headers: Record<string, string | number>;
}

/**
 * Body and headers of a response that the gateway produces itself (instead of the backend):
 * `x-shield-action`, `x-shield-ref`, an HTML page for browsers and JSON for API clients.
 */
export function shieldBody(a: ShieldAnswer, ref: string, nowMs: number, html: boolean): ShieldBody {
  const remainingSec = a.until !== undefined ? Math.max(0, Math.ceil((a.until - nowMs) / 1000)) : a.retryAfterSec;
  let body: string;
  let type: string;
  if (html) {
    type = 'text/html; charset=utf-8';
    const when = remainingSec !== undefined ? `<p>Please try again in about ${humanDuration(remainingSec)}.</p>` : '';
    body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${TITLES[a.action]}</title>` +
      '<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#222}code{background:#eee;padding:.1rem .3rem;border-radius:3px}</style></head>' +
      `<body><h1>${TITLES[a.action]}</h1><p>${escapeHtml(a.message)}</p>${when}` +
      `<p>If you think this is a mistake, contact the site's operators and quote the reference <code>${ref}</code>.</p>` +
      `<p><small>HTTP ${a.status} &middot; ${a.action} &middot; ${escapeHtml(a.reason)}</small></p></body></html>`;
  } else {
    type = 'application/json; charset=utf-8';
    body = JSON.stringify({
      error: TITLES[a.action], action: a.action, reason: a.reason, message: a.message, reference: ref,
      ...(remainingSec !== undefined ? { retry_after_seconds: remainingSec } : {}),
      ...a.details,
    });
  }
  const headers: Record<string, string | number> = {
    'content-type': type,
    'cache-control': 'no-store',
    'x-shield-action': a.action,
    'x-shield-ref': ref,
  };
  if (remainingSec !== undefined && (a.status === 429 || a.status === 503 || a.action === 'block')) headers['retry-after'] = remainingSec;
  return { body, headers };
}

/** Whether an Accept header asks for a page rather than data. */
export function acceptsHtml(accept: string | string[] | undefined): boolean {
  return typeof accept === 'string' && accept.includes('text/html');
}

/** Writes a gateway answer on a ServerResponse (see shieldBody); returns the body length. */
export function writeShieldAnswer(req: IncomingMessage, res: ServerResponse, a: ShieldAnswer, ref: string, nowMs: number): number {
  if (a.page) {
    const headers = { 'cache-control': 'no-store', ...a.page.headers, 'content-length': Buffer.byteLength(a.page.body), 'x-shield-action': a.action, 'x-shield-ref': ref };
    if (!res.headersSent) res.writeHead(a.status, headers);
    res.end(req.method === 'HEAD' ? undefined : a.page.body);
    return Buffer.byteLength(a.page.body);
  }
  const { body, headers } = shieldBody(a, ref, nowMs, acceptsHtml(req.headers.accept));
  const length = Buffer.byteLength(body);
  headers['content-length'] = length;
  if (!res.headersSent) res.writeHead(a.status, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
  return length;
}

/** RFC 9110 Date values, computed once per second. */
export function createHttpDate(): (nowMs: number) => string {
  let sec = -1;
  let text = '';
  return (nowMs) => {
    const s = Math.floor(nowMs / 1000);
    if (s !== sec) { sec = s; text = new Date(nowMs).toUTCString(); }
    return text;
  };
}

/**
 * A whole gateway answer as raw HTTP/1.1 text, for connections served without node:http (the
 * fast path and blocked connections): status line, Date, the answer's headers, length and
 * Connection, and the body unless the request was HEAD.
 */
export function rawAnswerText(status: number, b: ShieldBody, date: string, method: string, close: boolean): string {
  let text = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nDate: ${date}\r\n`;
  for (const k in b.headers) {
    // framing is this function's: a page's own Content-Length or Connection would be a duplicate
    const lower = k.toLowerCase();
    if (lower === 'content-length' || lower === 'connection' || lower === 'transfer-encoding') continue;
    text += `${k}: ${b.headers[k]}\r\n`;
  }
  text += `Content-Length: ${Buffer.byteLength(b.body)}\r\nConnection: ${close ? 'close' : 'keep-alive'}\r\n\r\n`;
  return method === 'HEAD' ? text : text + b.body;
}

/** The body and headers of an answer: its own page (challenge) or the standard one. */
export function answerBody(a: ShieldAnswer, ref: string, nowMs: number, html: boolean): ShieldBody {
  if (a.page) return { body: a.page.body, headers: { 'cache-control': 'no-store', ...a.page.headers, 'x-shield-action': a.action, 'x-shield-ref': ref } };
  return shieldBody(a, ref, nowMs, html);
}

/** Minimal raw answer on a socket that has no ServerResponse (client errors, refused upgrades). */
export function rawShieldAnswer(status: number, statusText: string, action: ShieldAction, reason: string, ref: string, message: string): string {
  const body = JSON.stringify({ error: statusText, action, reason, message, reference: ref });
  return `HTTP/1.1 ${status} ${statusText}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
    `Connection: close\r\nCache-Control: no-store\r\nx-shield-action: ${action}\r\nx-shield-ref: ${ref}\r\n\r\n${body}`;
}

/** A raw answer ready to write, and the bytes of its body (0 for HEAD). */
export interface RawAnswer { text: string; bodyBytes: number }

interface RawSlot { until: number; remaining: number; sec: number; refLength: number; parts: string[]; bodyBytes: number }

/**
 * Raw block answers (see rawAnswerText) for connections from blocked addresses, rendered once
 * per block, second, kind (page or JSON, HEAD, closing) and reference-id length: a flood from a
 * blocked client costs a string join per request, not a page and a JSON document. Each answer
 * still carries its own reference id; the id is rendered as a marker of the same length (so the
 * Content-Length holds) and the marker is replaced.
 */
export function createBlockAnswers(o: { status: number; message: string; nextRef: () => string; httpDate: (nowMs: number) => string }): (until: number, html: boolean, head: boolean, close: boolean, nowMs: number) => RawAnswer {
  const slots: (RawSlot | undefined)[] = new Array<RawSlot | undefined>(8);
  return (until, html, head, close, nowMs) => {
    const ref = o.nextRef();
    const remaining = Math.max(0, Math.ceil((until - nowMs) / 1000));
    const sec = Math.floor(nowMs / 1000);
    const i = (html ? 4 : 0) + (head ? 2 : 0) + (close ? 1 : 0);
    let slot = slots[i];
    if (!slot || slot.until !== until || slot.remaining !== remaining || slot.sec !== sec || slot.refLength !== ref.length) {
      // DEL: never in the page's own text, and neither JSON nor the HTML escaping rewrites it
      const marker = '\u007f'.repeat(ref.length);
      const b = shieldBody({ status: o.status, action: 'block', reason: 'blocklist', message: o.message, until }, marker, nowMs, html);
      slot = { until, remaining, sec, refLength: ref.length, parts: rawAnswerText(o.status, b, o.httpDate(nowMs), head ? 'HEAD' : 'GET', close).split(marker), bodyBytes: head ? 0 : Buffer.byteLength(b.body) };
      slots[i] = slot;
    }
    return { text: slot.parts.length === 1 ? slot.parts[0]! : slot.parts.join(ref), bodyBytes: slot.bodyBytes };
  };
}
