import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from '../core/logger.js';

export class HttpError extends Error {
  /** Extra response headers (e.g. Retry-After). */
  readonly headers: Record<string, string>;
  /**
   * An expected, transient condition (e.g. 503 while the workers start): logged at warn with its
   * message, without a stack; other 5xx are logged at error with the error.
   */
  readonly expected: boolean;
  constructor(readonly status: number, message: string, opts: { headers?: Record<string, string>; expected?: boolean } = {}) {
    super(message);
    this.headers = opts.headers ?? {};
    this.expected = opts.expected === true;
  }
}

/** A listen error (EADDRINUSE, EACCES, ...) with the listener it belongs to, for the start's one-line message. */
export type ListenFailure = NodeJS.ErrnoException & { listener?: string; address?: string; port?: number };

/** Names the listener on a listen error and passes it on; any other error is passed on as it is. */
export function nameListener(err: unknown, listener: string): unknown {
  if (err instanceof Error && typeof (err as ListenFailure).code === 'string') (err as ListenFailure).listener ??= listener;
  return err;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  const text = JSON.stringify(body, null, 2);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', ...extra });
  res.end(text);
}

/** Reads a body of at most `limit` bytes (413 above). */
export async function readBody(req: IncomingMessage, limit = 64 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new HttpError(413, `request body larger than ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Reads a JSON body of at most `limit` bytes; an empty body gives `undefined`. */
export async function readJson(req: IncomingMessage, limit = 64 * 1024): Promise<unknown> {
  const text = (await readBody(req, limit)).toString('utf8').trim();
  if (!text) return undefined;
  const type = req.headers['content-type'] ?? '';
  if (type && !type.includes('json')) throw new HttpError(415, `expected application/json, got ${type}`);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new HttpError(400, `invalid JSON body: ${(e as Error).message}`);
  }
}

/**
 * A JSON API server around `route`: an HttpError is answered with its status and message (logged
 * when 5xx), anything else is logged and answered with `unexpected` (or the connection is cut if
 * the answer had begun). Head and request timeouts of an admin API.
 */
export function createJsonApiServer(
  route: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  o: { logger: Logger; unexpected: { status: number; message: string } },
): Server {
  const server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      if (err instanceof HttpError) {
        if (err.status >= 500 && err.expected) o.logger.warn({ status: err.status, method: req.method, url: req.url }, err.message);
        else if (err.status >= 500) o.logger.error({ err }, 'admin error');
        if (res.headersSent) { res.destroy(); return; }
        sendJson(res, err.status, { error: err.message }, err.headers);
      } else {
        o.logger.error({ err }, 'admin failure');
        if (!res.headersSent) sendJson(res, o.unexpected.status, { error: o.unexpected.message });
        else res.destroy();
      }
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  return server;
}
