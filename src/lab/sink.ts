import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Clock } from '../core/clock.js';
import { closeServer, listen } from '../core/listen.js';
import { CLIENT_HEADER, SINK_HEADER, labelOfClientId, type Label } from './types.js';

export type SinkHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** One request as it reached the backend. */
export interface Arrival {
  /** Milliseconds since the sink's origin (the run start). */
  t: number;
  label: Label | 'untagged';
  clientId: string;
  address: string;
}

export interface SinkCounts {
  total: number;
  byLabel: Record<Label | 'untagged', number>;
  byClient: Map<string, number>;
  byAddress: Map<string, number>;
}

export interface Sink {
  url: string;
  port: number;
  /** Monotonic time of t = 0 in arrivals. */
  origin: number;
  /** Every request that reached the backend, in arrival order. */
  arrivals(): readonly Arrival[];
  counts(): SinkCounts;
  /** Brings in every arrival counted so far (a sink on another thread reports in batches). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export interface SinkOptions {
  clock: Clock;
  /** Monotonic time that counts as t = 0 (the run start); defaults to the sink's start. */
  origin?: number;
  /** The application behind the sink (the demo app); a minimal built-in site when absent. */
  handler?: SinkHandler;
  host?: string;
}

/**
 * The lab's backend: counts every request that reaches it, tagged by the `x-lab-client` header
 * and by source address, stamps `x-lab-sink` on the answer so that clients can tell a backend
 * answer from one a proxy made, and then serves the wrapped application.
 */
export async function createSink(opts: SinkOptions): Promise<Sink> {
  const { clock } = opts;
  const origin = opts.origin ?? clock.monotonic();
  const handler = opts.handler ?? minimalSite;
  const arrivals: Arrival[] = [];
  const server: Server = createServer({ keepAliveTimeout: 5000 }, function sinkRequest(req, res) {
    const raw = req.headers[CLIENT_HEADER];
    const id = (Array.isArray(raw) ? raw[0] : raw) ?? '';
    arrivals.push({
      t: clock.monotonic() - origin,
      label: labelOfClientId(id),
      clientId: id,
      address: req.socket.remoteAddress ?? '',
    });
    res.setHeader(SINK_HEADER, '1');
    handler(req, res);
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  const host = opts.host ?? '127.0.0.1';
  const port = await listen(server, 0, host);
  return {
    url: `http://${host}:${port}`,
    port,
    origin,
    arrivals: () => arrivals,
    counts: () => countArrivals(arrivals),
    flush: async () => undefined,
    close: async () => {
      server.closeAllConnections();
      await closeServer(server);
    },
  };
}

export function countArrivals(arrivals: readonly Arrival[]): SinkCounts {
  const c: SinkCounts = { total: 0, byLabel: { benign: 0, attack: 0, untagged: 0 }, byClient: new Map(), byAddress: new Map() };
  for (const a of arrivals) {
    c.total++;
    c.byLabel[a.label]++;
    if (a.clientId) c.byClient.set(a.clientId, (c.byClient.get(a.clientId) ?? 0) + 1);
    c.byAddress.set(a.address, (c.byAddress.get(a.address) ?? 0) + 1);
  }
  return c;
}

const PAGE = '<!doctype html><html><head><title>lab sink</title></head><body>' +
  '<h1>Library</h1><a href="/books">Books</a> <a href="/search?q=time">Search</a> <a href="/about">About</a></body></html>';

/** A small stand-in site for when no application is wrapped (tests, bare runs). */
function minimalSite(req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const send = (status: number, type: string, body: string) => {
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  // Drain any request body before answering so that keep-alive connections stay usable.
  req.resume();
  req.on('end', () => {
    if (path === '/robots.txt') return send(200, 'text/plain', 'User-agent: *\nCrawl-delay: 1\nDisallow: /login\n');
    if (path === '/health') return send(200, 'application/json', '{"status":"ok"}');
    if (path === '/api/books') return send(200, 'application/json', '[{"id":1,"title":"Dune"}]');
    if (path === '/login' && req.method === 'POST') return send(401, 'text/plain', 'invalid credentials');
    if (path === '/' || path === '/books' || path === '/search' || path === '/about') return send(200, 'text/html', PAGE);
    return send(404, 'text/plain', 'not found');
  });
}
