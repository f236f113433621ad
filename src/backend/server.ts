import { createServer, type Server } from 'node:http';
import { closeServer, listen } from '../core/listen.js';
import { createDemoApp, type DemoAppOptions } from './app.js';

export interface DemoBackend {
  server: Server;
  /** Resolves with the bound port (0 picks a free one); host defaults to 127.0.0.1. */
  listen(port: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

/** Timeouts of a plainly configured production server (not tuned against slow clients: that is the gateway's job). */
export const BACKEND_SERVER_DEFAULTS = Object.freeze({
  keepAliveTimeoutMs: 5_000,
  headersTimeoutMs: 20_000,
  requestTimeoutMs: 60_000,
  /** On close, connections still busy after this are cut. */
  closeGraceMs: 5_000,
});

export function createDemoBackend(opts: DemoAppOptions): DemoBackend {
  const app = createDemoApp(opts);
  const server = createServer({
    keepAliveTimeout: BACKEND_SERVER_DEFAULTS.keepAliveTimeoutMs,
    headersTimeout: BACKEND_SERVER_DEFAULTS.headersTimeoutMs,
    requestTimeout: BACKEND_SERVER_DEFAULTS.requestTimeoutMs,
  }, app.handler);
  return {
    server,
    listen: (port, host = '127.0.0.1') => listen(server, port, host),
    async close() {
      const timer = setTimeout(() => server.closeAllConnections(), BACKEND_SERVER_DEFAULTS.closeGraceMs);
      timer.unref();
      try {
        await closeServer(server);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
