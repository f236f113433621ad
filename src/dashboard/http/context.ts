import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from '../auth/accounts.js';

export type Access = 'public' | 'ingest' | 'viewer' | 'admin';

export interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: Record<string, string>;
  principal: Principal | null;
  /** Client address as seen on the socket. */
  clientIp: string;
  /** Session token from the cookie, when the request carried one. */
  sessionToken: string | null;
}

export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  /** Path with optional ":name" segments. */
  path: string;
  access: Access;
  handler(ctx: Ctx): Promise<void>;
}

/** An error answered with its status and message. */
export class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly details?: unknown) {
    super(message);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const data = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(data);
}

/** Reads a JSON body up to `limit` bytes; 413 beyond it, 415 when not JSON, 400 when malformed. */
export async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') throw new HttpError(415, 'content-type must be application/json');
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) { req.resume(); throw new HttpError(413, `body larger than ${limit} bytes`); }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) { req.resume(); throw new HttpError(413, `body larger than ${limit} bytes`); }
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'body is not valid JSON');
  }
}

/** Query string as a plain object (last value wins). */
export function queryObject(url: URL): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of url.searchParams) if (v !== '') out[k] = v;
  return out;
}
