import type { IncomingMessage, ServerResponse } from 'node:http';

/** Headers on every response of the demo application. */
const COMMON_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
});

const PAGE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': "default-src 'self'; img-src 'self'; frame-ancestors 'none'; form-action 'self'",
  'x-frame-options': 'DENY',
});

export type Headers = Record<string, string | string[]>;

export function send(res: ServerResponse, status: number, contentType: string, body: string | Buffer, headers: Headers = {}): void {
  const buf = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, {
    ...COMMON_HEADERS,
    'content-type': contentType,
    'content-length': String(buf.length),
    ...headers,
  });
  res.end(buf);
}

export function sendHtml(res: ServerResponse, status: number, html: string, headers: Headers = {}): void {
  send(res, status, 'text/html; charset=utf-8', html, { 'cache-control': 'no-cache', ...PAGE_HEADERS, ...headers });
}

export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Headers = {}): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(value), { 'cache-control': 'no-cache', ...headers });
}

export function sendJsonError(res: ServerResponse, status: number, error: string, message: string, headers: Headers = {}): void {
  sendJson(res, status, { error, message }, headers);
}

export function redirect(res: ServerResponse, location: string, headers: Headers = {}, status = 303): void {
  send(res, status, 'text/plain; charset=utf-8', `Redirecting to ${location}\n`, { location, 'cache-control': 'no-store', ...headers });
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (!out.has(name)) out.set(name, part.slice(eq + 1).trim());
  }
  return out;
}

/** True when an If-None-Match header matches the given strong ETag (weak comparison, RFC 9110 13.1.2). */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const bare = etag.replace(/^W\//, '');
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === bare);
}

export type BodyResult =
  | { ok: true; body: Buffer }
  | { ok: false; reason: 'too_large' | 'aborted' };

/** How much of a refused body is read and dropped after the answer, and for how long, before the connection is cut. */
export const DRAIN_LIMITS = { maxBytes: 64 * 1024 * 1024, maxMs: 5_000 };

/**
 * After an answer given before the request body was read (413, 415): the rest of the body is
 * read and dropped, so that the client reads the answer instead of a connection reset (closing
 * a socket with unread bytes resets it, and the peer may lose the answer: RFC 9112 §9.6). The
 * connection stays usable once the body is over; a body longer than `maxBytes` or slower than
 * `maxMs` gets the connection cut.
 */
export function drainBody(req: IncomingMessage, limits: { maxBytes: number; maxMs: number } = DRAIN_LIMITS): void {
  if (req.complete || req.destroyed) return;
  let seen = 0;
  const cut = (): void => { req.socket.destroy(); };
  const timer = setTimeout(cut, limits.maxMs);
  timer.unref();
  const stop = (): void => { clearTimeout(timer); req.off('data', onData); };
  const onData = (chunk: Buffer): void => { seen += chunk.length; if (seen > limits.maxBytes) { stop(); cut(); } };
  req.on('data', onData).once('end', stop).once('close', stop);
  req.resume();
}

/** Reads a request body up to `limit` bytes; stops reading as soon as the limit is passed. */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve({ ok: false, reason: 'too_large' });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (r: BodyResult) => {
      if (done) return;
      done = true;
      req.off('data', onData).off('end', onEnd).off('error', onAbort).off('close', onClose);
      resolve(r);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        finish({ ok: false, reason: 'too_large' });
      } else chunks.push(chunk);
    };
    const onEnd = () => finish({ ok: true, body: Buffer.concat(chunks, size) });
    const onAbort = () => finish({ ok: false, reason: 'aborted' });
    const onClose = () => { if (!req.complete) onAbort(); };
    req.on('data', onData).on('end', onEnd).on('error', onAbort).on('close', onClose);
  });
}
