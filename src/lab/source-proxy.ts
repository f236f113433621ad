import { createServer, request, type Server } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { closeServer, listen } from '../core/listen.js';

/** One request the proxy forwarded: what came back (status 0 and an error when nothing did). */
export interface ProxyExchange {
  /** performance.now() when the request arrived at the proxy. */
  startedAt: number;
  latencyMs: number;
  status: number;
  headers: IncomingHttpHeaders;
  requestHeaders: IncomingHttpHeaders;
  error?: string;
}

export interface SourceProxy {
  /** `http://127.0.0.1:port`, for a browser's `--proxy-server` / playwright `proxy.server`. */
  url: string;
  close(): Promise<void>;
}

/**
 * A minimal forward HTTP proxy that sends every request from one chosen source address, so that
 * a browser (which cannot bind a source address itself) appears as its own client.
 * It also sees exactly what the browser sent on the network (cache hits never get here), so it
 * is where browser traffic is counted. Plain HTTP only, loopback targets only.
 */
export async function createSourceProxy(localAddress: string, onExchange?: (x: ProxyExchange) => void): Promise<SourceProxy> {
  const server: Server = createServer((req, res) => {
    const startedAt = performance.now();
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end('absolute URL required');
      return;
    }
    if (target.protocol !== 'http:' || !/^127\.|^localhost$/.test(target.hostname)) {
      res.writeHead(403).end('loopback http only');
      return;
    }
    const headers = { ...req.headers };
    delete headers['proxy-connection'];
    const up = request({
      host: target.hostname, port: target.port || 80, path: target.pathname + target.search,
      method: req.method, headers, localAddress,
    }, (ur) => {
      res.writeHead(ur.statusCode ?? 502, ur.headers);
      ur.pipe(res);
      ur.on('end', () => onExchange?.({ startedAt, latencyMs: performance.now() - startedAt, status: ur.statusCode ?? 0, headers: ur.headers, requestHeaders: req.headers }));
    });
    up.on('error', (err: NodeJS.ErrnoException) => {
      onExchange?.({ startedAt, latencyMs: performance.now() - startedAt, status: 0, headers: {}, requestHeaders: req.headers, error: err.code ?? 'ERROR' });
      if (!res.headersSent) res.writeHead(502).end(); else res.destroy();
    });
    req.pipe(up);
  });
  server.on('clientError', (_e, s) => s.destroy());
  const port = await listen(server, 0, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => { server.closeAllConnections(); await closeServer(server); },
  };
}
