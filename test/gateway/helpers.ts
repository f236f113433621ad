// Shared pieces of the gateway integration tests: node:http backends on port 0, an in-process
// gateway (and its admin API) with a test configuration, a plain HTTP client that can pick its
// loopback source address, raw sockets, and polling.
import { createServer, request as httpRequest, type ServerOptions, type IncomingMessage, type Server, type ServerResponse, type OutgoingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { gatewayConfigSchema, type GatewayConfig, type GatewayConfigInput } from '../../src/config/schema.js';
import { deepMerge } from '../../src/config/load.js';
import { createGateway, type Gateway, type GatewayDeps } from '../../src/gateway/gateway.js';
import { createAdminServer, type AdminServer } from '../../src/admin/admin.js';
import { createLogger } from '../../src/core/logger.js';
import { createSystemClock } from '../../src/core/clock.js';

export const silent = createLogger({ level: 'silent' });

type Json = Record<string, unknown>;

/** A gateway configuration for tests: loopback, port 0, slow active health checks unless overridden. */
export function testConfig(overrides: GatewayConfigInput = {}): GatewayConfig {
  const base: Json = {
    gateway: { host: '127.0.0.1', port: 0 },
    admin: { host: '127.0.0.1', port: 0 },
    backends: { healthCheck: { intervalMs: 600_000, unhealthyIntervalMs: 600_000, atStart: false } },
    logging: { level: 'silent' },
  };
  return gatewayConfigSchema.parse(deepMerge(base, overrides as Json));
}

export interface TestBackend {
  readonly server: Server;
  readonly port: number;
  readonly url: string;
  /** Requests seen (method, url, headers as received, raw header list). */
  readonly seen: { method: string; url: string; headers: IncomingMessage['headers']; rawHeaders: string[] }[];
  /** Closes the listener and cuts every connection (a crash, as the gateway sees it). */
  kill(): Promise<void>;
  /** Listens again on the same port. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** Default backend: `/health` 200, everything else answers `name` as text after reading the body. */
export function defaultHandler(name: string): Handler {
  return (req, res) => {
    req.resume();
    req.on('end', () => {
      const body = req.url === '/health' ? 'ok' : name;
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body), 'x-backend': name });
      res.end(body);
    });
  };
}

export async function startBackend(handler: Handler, port = 0, serverOptions: ServerOptions = {}): Promise<TestBackend> {
  const seen: TestBackend['seen'] = [];
  const make = () => {
    const s = createServer(serverOptions, (req, res) => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, rawHeaders: req.rawHeaders });
      handler(req, res);
    });
    s.keepAliveTimeout = 5_000;
    return s;
  };
  let server = make();
  const bound = await listenOn(server, port);
  const b: TestBackend = {
    get server() { return server; },
    port: bound,
    url: `http://127.0.0.1:${bound}`,
    seen,
    async kill() {
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await closed;
    },
    async restart() {
      server = make();
      await listenOn(server, bound);
    },
    async close() {
      if (!server.listening) return;
      await b.kill();
    },
  };
  return b;
}

function listenOn(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export interface TestGateway {
  gw: Gateway;
  port: number;
  url: string;
  admin?: AdminServer;
  adminPort: number;
  adminUrl: string;
  close(): Promise<void>;
}

/** Starts a gateway (and its admin API unless `admin: false`) in this process. */
export async function startGateway(
  config: GatewayConfig,
  opts: { admin?: boolean; deps?: Omit<GatewayDeps, 'logger' | 'clock'> } = {},
): Promise<TestGateway> {
  const clock = createSystemClock();
  const gw = createGateway(config, { logger: silent, clock, ...opts.deps });
  const port = await gw.listen(0, '127.0.0.1');
  let admin: AdminServer | undefined;
  let adminPort = 0;
  if (opts.admin !== false) {
    admin = createAdminServer(gw, { logger: silent, clock });
    adminPort = await admin.listen(0, '127.0.0.1');
  }
  let closed = false;
  return {
    gw, port, url: `http://127.0.0.1:${port}`, adminPort, adminUrl: `http://127.0.0.1:${adminPort}`,
    ...(admin ? { admin } : {}),
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([gw.close(), admin?.close()]);
    },
  };
}

export interface Reply {
  status: number;
  headers: IncomingMessage['headers'];
  rawHeaders: string[];
  body: Buffer;
  text: string;
}

export interface SendOptions {
  method?: string;
  headers?: OutgoingHttpHeaders | string[];
  body?: string | Buffer | Readable;
  /** Loopback source address, e.g. 127.0.0.5, to act as another client. */
  localAddress?: string;
  /** Close the connection after the exchange (no pooling between tests). */
  agent?: false;
  timeoutMs?: number;
}

/** One HTTP exchange with node:http on a fresh connection; resolves with the whole response. */
export function send(url: string, opts: SendOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, {
      method: opts.method ?? 'GET',
      headers: opts.headers as OutgoingHttpHeaders,
      agent: false,
      ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body, text: body.toString('utf8') });
      });
    });
    req.setTimeout(opts.timeoutMs ?? 30_000, () => req.destroy(new Error('client timeout')));
    req.on('error', reject);
    const b = opts.body;
    if (b === undefined) req.end();
    else if (typeof b === 'string' || Buffer.isBuffer(b)) req.end(b);
    else b.pipe(req);
  });
}

/** JSON request to the admin API. */
export async function adminCall(tg: TestGateway, method: string, path: string, opts: { token?: string; body?: unknown; rawBody?: string } = {}): Promise<{ status: number; json: unknown; text: string }> {
  const headers: Record<string, string> = {};
  if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.rawBody !== undefined) body = opts.rawBody;
  else if (opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined) headers['content-type'] = 'application/json';
  const r = await send(tg.adminUrl + path, { method, headers, ...(body !== undefined ? { body } : {}) });
  let json: unknown = undefined;
  try { json = JSON.parse(r.text); } catch { /* not JSON (metrics) */ }
  return { status: r.status, json, text: r.text };
}

/** Writes raw bytes on a new TCP connection and collects everything until the peer closes (or `untilMs`). */
export function rawExchange(port: number, data: string | Buffer | ((sock: import('node:net').Socket) => void), opts: { localAddress?: string; timeoutMs?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect({ port, host: '127.0.0.1', ...(opts.localAddress ? { localAddress: opts.localAddress } : {}) });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => { sock.destroy(); resolve(Buffer.concat(chunks).toString('latin1')); }, opts.timeoutMs ?? 20_000);
    sock.on('data', (c: Buffer) => chunks.push(c));
    sock.on('error', (e: NodeJS.ErrnoException) => {
      // the peer closing while we still write: resolve (on close) with whatever it answered
      if (e.code === 'ECONNRESET' || e.code === 'EPIPE') return;
      clearTimeout(timer); reject(e);
    });
    sock.on('close', () => { clearTimeout(timer); resolve(Buffer.concat(chunks).toString('latin1')); });
    sock.on('connect', () => {
      if (typeof data === 'function') data(sock);
      else sock.write(data);
    });
  });
}

/** Status code of a raw HTTP/1.1 response text (0 if none). */
export function rawStatus(text: string): number {
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
  return m ? Number(m[1]) : 0;
}

/** Waits until `fn` returns a truthy value; throws with `what` after `timeoutMs`. */
export async function until<T>(what: string, fn: () => T | Promise<T>, opts: { timeoutMs?: number; intervalMs?: number } = {}): Promise<NonNullable<T>> {
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (e) { last = e; }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 50));
  }
}

/** Value of a Prometheus sample line `name{labels} value` in a metrics text (0 if absent). */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const got: Record<string, string> = {};
    for (const part of (m[3] ?? '').match(/\w+="(?:[^"\\]|\\.)*"/g) ?? []) {
      const eq = part.indexOf('=');
      got[part.slice(0, eq)] = part.slice(eq + 2, -1);
    }
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[4]);
  }
  return 0;
}

/** Runs `fn` with cleanups registered through `defer`, always run in reverse order. */
export async function withCleanup<T>(fn: (defer: (c: () => unknown) => void) => Promise<T>): Promise<T> {
  const cleanups: (() => unknown)[] = [];
  try {
    return await fn((c) => cleanups.push(c));
  } finally {
    for (const c of cleanups.reverse()) {
      try { await c(); } catch { /* best effort */ }
    }
  }
}

/** Whether Redis answers on 127.0.0.1:6379. */
export function redisReachable(): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port: 6379 });
    s.setTimeout(1000, () => { s.destroy(); resolve(false); });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

/** The skip reason of a test that needs Redis (false when it runs); with CI set a missing Redis is an error instead. */
export async function redisSkip(): Promise<string | false> {
  if (await redisReachable()) return false;
  if (process.env.CI) throw new Error('required for CI: Redis on 127.0.0.1:6379');
  return 'Redis is not running on 127.0.0.1:6379 (skipped)';
}
