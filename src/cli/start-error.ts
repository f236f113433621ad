import type { GatewayConfig } from '../config/schema.js';
import type { ListenFailure } from '../admin/http.js';

/** An error whose message is already the line to print (a cluster worker's, relayed by the primary). */
export class StartFailure extends Error {}

const REASONS: Record<string, string> = {
  EADDRINUSE: 'the port is already in use (EADDRINUSE)',
  EACCES: 'permission denied (EACCES; ports below 1024 need root or CAP_NET_BIND_SERVICE)',
  EADDRNOTAVAIL: 'the address is not one of this machine\'s (EADDRNOTAVAIL)',
};

/**
 * The one line `ddos-shield gateway` prints when it cannot start: for a listen error, which
 * listener, which address and port, why, and what to change; anything else as its message.
 * The admin API names itself on its errors (`nameListener`); an unnamed listen error on the
 * public port is the gateway's own listener.
 */
export function startFailureMessage(err: unknown, config: GatewayConfig): string {
  if (err instanceof StartFailure) return err.message;
  const e = err as ListenFailure;
  const reason = typeof e?.code === 'string' ? REASONS[e.code] : undefined;
  if (!(err instanceof Error) || reason === undefined) return `cannot start the gateway: ${err instanceof Error ? err.message : String(err)}`;
  const admin = e.listener !== undefined ? /admin/.test(e.listener) : e.port !== undefined && e.port === config.admin.port && e.port !== config.gateway.port;
  const listener = e.listener ?? (admin ? 'admin API' : 'public gateway listener');
  const host = typeof e.address === 'string' && e.address !== 'null' ? e.address : admin ? config.admin.host : config.gateway.host;
  const port = typeof e.port === 'number' ? e.port : admin ? config.admin.port : config.gateway.port;
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const knobs = e.code === 'EADDRNOTAVAIL'
    ? (admin ? '--admin-host, ADMIN_HOST or admin.host' : '--host, GATEWAY_HOST or gateway.host')
    : (admin ? '--admin-port, ADMIN_PORT or admin.port' : '--port, GATEWAY_PORT or gateway.port');
  const todo = e.code === 'EADDRINUSE' ? `stop what uses it or choose another port with ${knobs}`
    : e.code === 'EACCES' ? `choose a port from 1024 up with ${knobs}, or grant the privilege`
      : `choose a local address with ${knobs}`;
  return `cannot start the gateway: the ${listener} cannot listen on ${where}: ${reason}; ${todo}. Nothing was left running.`;
}
