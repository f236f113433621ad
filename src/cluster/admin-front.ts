import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { AggregatorRegistry } from 'prom-client';
import { request } from 'undici';
import type { Logger } from '../core/logger.js';
import { closeServer, listen, urlHost } from '../core/listen.js';
import { HttpError, createJsonApiServer, nameListener, readBody, sendJson } from '../admin/http.js';
import { mergeBackends, mergeHealth, mergeStats, pickClient } from './merge.js';

/** One worker as the primary knows it. */
export interface WorkerView {
  index: number;
  pid: number | null;
  /** Its private admin API on 127.0.0.1, once it listens. */
  adminPort: number | null;
  ready: boolean;
  restarts: number;
  startedAt: number;
}

export interface AdminFrontDeps {
  logger: Logger;
  gatewayId: string;
  workers(): WorkerView[];
  /** Every ready worker's metrics as prom-client JSON. */
  metrics(): Promise<unknown[][]>;
  /** The allowlist as it stands after a change made through this API (kept for workers started later). */
  allowlistChanged(list: string[]): void;
}

/** The cluster's figures as the admin API's `GET /stats` gives them. */
export interface ClusterSummary {
  /** `statistics`: request counters summed over the ready workers, uptime and blocked clients the cluster's (`mergeStats`). */
  statistics: Record<string, unknown>;
  /** `backend_health`: each backend once, healthy where every worker sees it so. */
  backend_health: Record<string, boolean>;
  /** Ready workers the figures come from. */
  workers: number;
}

export interface AdminFront {
  readonly server: Server;
  /** The ready workers' `/stats` put together, as `GET /stats` answers; null while none is ready. */
  summary(): Promise<ClusterSummary | null>;
  listen(port: number, host: string): Promise<number>;
  close(): Promise<void>;
}

interface Answer { status: number; body: Buffer; type: string }

/** Forwarded both ways: what the workers' admin API needs to authorize and read a request. */
const FORWARDED = ['authorization', 'content-type'] as const;

/**
 * The admin API of a gateway with several workers, in the primary process. Each worker has its
 * own admin API on a private loopback port; this one answers on the configured address with the
 * same endpoints: counters and health put together from every worker, metrics aggregated
 * (prom-client's cluster aggregation), blocks and unblocks handed to one worker (which shares them
 * with the others), allowlist changes applied by every worker. Authorization is the workers'.
 */
export function createAdminFront(deps: AdminFrontDeps): AdminFront {
  const logger = deps.logger.child({ component: 'admin' });
  const ready = () => deps.workers().filter((w): w is WorkerView & { adminPort: number } => w.ready && w.adminPort !== null);

  async function ask(w: { adminPort: number }, method: string, path: string, headers: Record<string, string>, body?: Buffer): Promise<Answer> {
    const res = await request(`http://127.0.0.1:${w.adminPort}${path}`, {
      method: method as 'GET', headers, ...(body && body.length > 0 ? { body } : {}), headersTimeout: 10_000, bodyTimeout: 10_000,
    });
    const buf = Buffer.from(await res.body.arrayBuffer());
    return { status: res.statusCode, body: buf, type: String(res.headers['content-type'] ?? 'application/json; charset=utf-8') };
  }
  const json = (a: Answer): Record<string, unknown> => JSON.parse(a.body.toString('utf8')) as Record<string, unknown>;
  const pass = (res: ServerResponse, a: Answer) => {
    res.writeHead(a.status, { 'content-type': a.type, 'content-length': a.body.length, 'cache-control': 'no-store' });
    res.end(a.body);
  };

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://admin').pathname;
    const rawPath = req.url ?? '/';
    const workers = ready();
    if (method === 'GET' && path === '/workers') {
      return sendJson(res, 200, {
        workers: deps.workers().map((w) => ({
          index: w.index, pid: w.pid, ready: w.ready, admin_url: w.adminPort ? `http://127.0.0.1:${w.adminPort}` : null,
          restarts: w.restarts, started_at: new Date(w.startedAt).toISOString(),
        })),
      });
    }
    const [first] = workers;
    // expected while the workers start or one is being replaced: the caller is told to retry
    if (!first) {
      throw new HttpError(503, 'no gateway worker is ready yet (the workers are starting or being restarted); retry in a second',
        { headers: { 'retry-after': '1' }, expected: true });
    }
    const headers: Record<string, string> = {};
    for (const h of FORWARDED) { const v = req.headers[h]; if (typeof v === 'string') headers[h] = v; }
    const body = method === 'GET' || method === 'HEAD' ? undefined : await readBody(req);

    if (method === 'GET') {
      const all = async () => Promise.all(workers.map((w) => ask(w, 'GET', rawPath, headers)));
      switch (path) {
        case '/': {
          const a = await ask(first, 'GET', rawPath, headers);
          const info = json(a);
          return sendJson(res, a.status, { ...info, gateway_id: deps.gatewayId, workers: workers.length, endpoints: [...(info.endpoints as string[] ?? []), 'GET /workers'] });
        }
        case '/health': {
          const h = mergeHealth((await all()).map(json), { gatewayId: deps.gatewayId, workers: workers.length });
          return sendJson(res, h.status, h.body);
        }
        case '/stats': return sendJson(res, 200, mergeStats((await all()).map(json)));
        case '/backends': return sendJson(res, 200, mergeBackends((await all()).map(json)));
        case '/metrics': {
          const registry = AggregatorRegistry.aggregate(await deps.metrics() as Parameters<typeof AggregatorRegistry.aggregate>[0]);
          const text = await registry.metrics();
          res.writeHead(200, { 'content-type': registry.contentType });
          res.end(text);
          return;
        }
      }
      if (path.startsWith('/clients/')) {
        const answers = await all();
        const found = answers.filter((a) => a.status === 200);
        if (found.length === 0) return pass(res, answers[0] as Answer); // 400 or 404, as the workers say
        return sendJson(res, 200, pickClient(found.map(json)));
      }
    }
    // allowlist changes: every worker applies them (the allowlist is each process's own)
    if ((method === 'POST' && path === '/allowlist') || (method === 'DELETE' && path.startsWith('/allowlist/'))) {
      const a = await ask(first, method, rawPath, headers, body);
      if (a.status < 300) {
        for (const w of workers.slice(1)) await ask(w, method, rawPath, headers, body);
        const list = json(await ask(first, 'GET', '/allowlist', {})).allowlist;
        if (Array.isArray(list)) deps.allowlistChanged(list.map(String));
      }
      return pass(res, a);
    }
    // everything else (blocks and unblocks are shared by the worker that makes them; lists are alike in every worker)
    return pass(res, await ask(first, method, rawPath, headers, body));
  }

  async function summary(): Promise<ClusterSummary | null> {
    const workers = ready();
    if (workers.length === 0) return null;
    const docs = await Promise.all(workers.map(async (w) => {
      const a = await ask(w, 'GET', '/stats', {});
      if (a.status !== 200) throw new Error(`worker ${w.index} answered GET /stats with ${a.status}`);
      return json(a);
    }));
    const m = mergeStats(docs);
    return { statistics: m.statistics as Record<string, unknown>, backend_health: m.backend_health as Record<string, boolean>, workers: workers.length };
  }

  const server = createJsonApiServer(route, { logger, unexpected: { status: 502, message: 'a gateway worker did not answer' } });
  return {
    server,
    summary,
    async listen(port, host) {
      const bound = await listen(server, port, host).catch((err: unknown) => { throw nameListener(err, 'admin API'); });
      logger.info({ url: `http://${urlHost(host)}:${bound}` }, 'admin API listening');
      return bound;
    },
    close: () => closeServer(server),
  };
}
