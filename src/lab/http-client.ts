import { Pool } from 'undici';
import type { Clock } from '../core/clock.js';
import { CLIENT_HEADER, classify, type Backend, type Label, type RequestResult, type ResultSink } from './types.js';

export interface LabClientOptions {
  /** Base URL of the target, e.g. http://127.0.0.1:8000 */
  target: string;
  clientId: string;
  label: Label;
  clock: Clock;
  /** Monotonic time of the run start (results carry times relative to it). */
  origin: number;
  onResult: ResultSink;
  /** Source address to bind (any of 127.0.0.0/8 is a distinct client on Linux). */
  localAddress?: string;
  /** Parallel connections of this client (default 1). */
  connections?: number;
  /** Headers sent with every request (user agent, cookies...). */
  headers?: Record<string, string>;
  /** Per-request time limit in ms (default 5000). */
  timeoutMs?: number;
  /** What stands behind the target, for classifying answers (default: the lab's sink). */
  backend?: Backend;
}

export interface LabRequest {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface LabClient {
  readonly clientId: string;
  /** Sends one request, reads the whole answer, records and returns the result (never throws). */
  send(req: LabRequest, signal?: AbortSignal): Promise<RequestResult & { body: string }>;
  close(): Promise<void>;
}

/** One client of the lab: its own source address, its own connections, every answer classified. */
export function createLabClient(opts: LabClientOptions): LabClient {
  const timeoutMs = opts.timeoutMs ?? 5000;
  const pool = new Pool(new URL(opts.target).origin, {
    connections: opts.connections ?? 1,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connectTimeout: timeoutMs,
    ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
  });
  const basePath = new URL(opts.target).pathname.replace(/\/$/, '');
  return {
    clientId: opts.clientId,
    async send(req, signal) {
      const start = opts.clock.monotonic();
      const base = { clientId: opts.clientId, label: opts.label, sentAt: start - opts.origin };
      let result: RequestResult & { body: string };
      const timeout = AbortSignal.timeout(timeoutMs);
      try {
        const res = await pool.request({
          method: (req.method ?? 'GET') as 'GET',
          path: basePath + req.path,
          headers: { ...opts.headers, ...req.headers, [CLIENT_HEADER]: opts.clientId },
          body: req.body,
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        });
        const body = await res.body.text();
        result = { ...base, latencyMs: opts.clock.monotonic() - start, outcome: classify(res.statusCode, res.headers, opts.backend), status: res.statusCode, body };
      } catch (err) {
        const e = err as { code?: string; name?: string };
        const error = timeout.aborted ? 'TIMEOUT' : (e.code ?? e.name ?? 'ERROR');
        result = { ...base, latencyMs: opts.clock.monotonic() - start, outcome: 'error', status: 0, body: '', error };
      }
      // A request cut short by the run's own end is not a result.
      if (!(signal?.aborted && result.outcome === 'error')) opts.onResult(result);
      return result;
    },
    close: () => pool.destroy(),
  };
}
