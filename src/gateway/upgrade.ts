import type { IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from '../core/logger.js';
import type { BackendPool } from '../backends/pool.js';
import type { Blocklist } from '../blocking/blocklist.js';
import type { Allowlist } from '../blocking/allowlist.js';
import { upstreamRequestHeaders } from '../proxy/headers.js';
import type { GatewayMetrics } from './metrics.js';
import { BLOCKED_MESSAGE, rawShieldAnswer } from './respond.js';

/**
 * WebSocket (and other Upgrade) pass-through: the same gate as for requests, then the request
 * head goes to a healthy backend over a fresh TCP connection and bytes flow both ways untouched.
 */
export function createUpgradeHandler(deps: {
  pool: BackendPool;
  metrics: GatewayMetrics;
  logger: Logger;
  nextRef: () => string;
  blocklist: Blocklist;
  allowlist: Allowlist;
  clientOf: (req: IncomingMessage) => { peerIp: string; peerTrusted: boolean; clientIp: string };
}) {
  const { pool, metrics, logger } = deps;
  return function handleUpgrade(req: IncomingMessage, client: Duplex, head: Buffer): void {
    const who = deps.clientOf(req);
    const refuse = (status: number, text: string, action: 'block' | 'error', reason: string, message: string) => {
      metrics.websocketUpgrades.labels(reason).inc();
      metrics.decisions.labels(action, reason).inc();
      if (client.writable) client.end(rawShieldAnswer(status, text, action, reason, deps.nextRef(), message));
      else client.destroy();
    };
    if (!deps.allowlist.has(who.clientIp) && deps.blocklist.get(who.clientIp)) return refuse(403, 'Forbidden', 'block', 'blocklist', BLOCKED_MESSAGE);
    const backend = pool.pick();
    if (!backend) return refuse(503, 'Service Unavailable', 'error', 'no_healthy_backend', 'No backend is available right now.');
    const u = new URL(backend.url);
    const upstream: Socket = connect({ host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || 80) });
    let piped = false;
    const fail = (err: Error) => {
      if (!piped) {
        metrics.upstreamErrors.labels(backend.id, 'upgrade').inc();
        logger.debug({ err: err.message, backend: backend.id }, 'upgrade to backend failed');
        refuse(502, 'Bad Gateway', 'error', 'upstream_connect', 'The site could not be reached.');
      } else client.destroy();
      upstream.destroy();
    };
    upstream.once('error', fail);
    client.on('error', () => upstream.destroy());
    upstream.once('connect', () => {
      const headers = upstreamRequestHeaders(req, { ...who, proto: 'http' }, true);
      let headText = `${req.method} ${req.url} HTTP/1.1\r\n`;
      for (let i = 0; i < headers.length; i += 2) headText += `${headers[i]}: ${headers[i + 1]}\r\n`;
      upstream.write(headText + '\r\n');
      if (head.length > 0) upstream.write(head);
      piped = true;
      upstream.off('error', fail);
      upstream.on('error', () => client.destroy());
      metrics.websocketUpgrades.labels('proxied').inc();
      upstream.pipe(client);
      client.pipe(upstream);
      upstream.on('close', () => client.destroy());
      client.on('close', () => upstream.destroy());
    });
  };
}
