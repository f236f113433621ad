import { upstreamAddresses } from './upstreams.js';

export type HaproxyPreset =
  /** HTTP reverse proxy, keep-alive on both sides, idle server connections shared (`http-reuse always`). */
  | { kind: 'proxy'; upstreams: readonly string[] }
  /** Denies every request with 403. */
  | { kind: 'return403' }
  /**
   * Per-source limits from a stick table, as commonly published: more than `reqPer10s`
   * requests in 10 s, or more than `connPerClient` concurrent connections, get 429.
   */
  | { kind: 'limit'; upstreams: readonly string[]; reqPer10s?: number; connPerClient?: number };

export interface HaproxyConfigInput {
  host: string;
  port: number;
  threads: number;
  maxconn: number;
  preset: HaproxyPreset;
}

function backend(urls: readonly string[]): string {
  const servers = upstreamAddresses(urls).map((a, i) => `  server s${i} ${a}`).join('\n');
  return `backend be\n  balance roundrobin\n  http-reuse always\n${servers}`;
}

/** The whole haproxy.cfg; logs go to stderr, nothing is read from /etc/haproxy. */
export function buildHaproxyConfig(c: HaproxyConfigInput): string {
  if (!Number.isInteger(c.threads) || c.threads < 1) throw new Error(`threads must be a positive integer, got ${c.threads}`);
  const bind = `  bind ${c.host.includes(':') ? `[${c.host}]` : c.host}:${c.port}`;
  const p = c.preset;
  let frontend: string;
  let tail = '';
  switch (p.kind) {
    case 'proxy':
      frontend = `${bind}\n  default_backend be`;
      tail = backend(p.upstreams);
      break;
    case 'return403':
      frontend = `${bind}\n  http-request deny deny_status 403`;
      break;
    case 'limit':
      frontend = [
        bind,
        '  stick-table type ip size 100k expire 30s store http_req_rate(10s),conn_cur',
        '  tcp-request connection track-sc0 src',
        `  http-request deny deny_status 429 if { sc_conn_cur(0) gt ${p.connPerClient ?? 10} }`,
        `  http-request deny deny_status 429 if { sc_http_req_rate(0) gt ${p.reqPer10s ?? 100} }`,
        '  default_backend be',
      ].join('\n');
      tail = backend(p.upstreams);
      break;
  }
  return `# generated for one run
global
  nbthread ${c.threads}
  maxconn ${c.maxconn}
  log stderr format raw local0 warning

defaults
  mode http
  log global
  option http-keep-alive
  timeout connect 5s
  timeout client 30s
  timeout server 30s
  timeout http-keep-alive 30s
  timeout http-request 10s

frontend fe
${frontend}
${tail}
`;
}
