import { upstreamAddresses } from './upstreams.js';

/** Ready-made http-block bodies; `listen` and the logs are added around them. */
export type NginxPreset =
  /** Serves one static file of `bodyBytes` (default 1 KB) at every path. */
  | { kind: 'static'; bodyBytes?: number }
  /** Reverse proxy to the upstreams with a keep-alive pool of 64 idle connections per worker. */
  | { kind: 'proxy'; upstreams: readonly string[] }
  /** Answers every request 403 (the cost of a rejection, nothing else). */
  | { kind: 'return403' }
  /**
   * The commonly published rate/connection limit in front of the upstreams: 10 r/s per client
   * with a burst of 20 (nodelay), at most 10 connections per client, 429 when over.
   */
  | {
      kind: 'limit';
      upstreams: readonly string[];
      ratePerSec?: number;
      burst?: number;
      connPerClient?: number;
    };

export interface NginxConfigInput {
  /** Directory that holds the config, pid, logs, temp paths and static files (nginx -p). */
  dir: string;
  host: string;
  port: number;
  workers: number;
  workerConnections: number;
  /** false: one process serves, no master (nginx's `master_process off`, for running under valgrind); default true. */
  masterProcess?: boolean;
  /** Access log to `<dir>/access.log`; off by default (benchmarks). */
  accessLog: boolean;
  /** The server/upstream part of the http block: a preset, or the caller's own text. */
  http: NginxPreset | NginxCustom;
}

/** The caller's own http-block body, given the `listen` directive for the chosen port. */
export interface NginxCustom {
  kind: 'custom';
  body: (ctx: { host: string; port: number; listen: string }) => string;
}

export const STATIC_FILE = 'static/index.html';
export const DEFAULT_STATIC_BYTES = 1024; // 1 KB

/** Content of the static file: printable bytes of the exact requested length. */
export function staticBody(bytes: number): string {
  const line = 'ddos-shield benchmark payload 0123456789abcdefghijklmnopqrstuvwxyz\n';
  return line.repeat(Math.ceil(bytes / line.length)).slice(0, bytes);
}

function listen(host: string, port: number): string {
  return `listen ${host.includes(':') ? `[${host}]` : host}:${port};`;
}

function upstreamBlock(urls: readonly string[]): string {
  const servers = upstreamAddresses(urls).map((a) => `    server ${a};`).join('\n');
  return `  upstream backend {\n${servers}\n    keepalive 64;\n    keepalive_requests 1000000;\n  }`;
}

const PROXY_LOCATION = `    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }`;

function presetBody(p: NginxPreset, host: string, port: number): string {
  const srv = (inner: string) => `  server {\n    ${listen(host, port)}\n${inner}\n  }`;
  switch (p.kind) {
    case 'static':
      return srv(`    root static;\n    location / {\n      try_files /index.html =404;\n    }`);
    case 'return403':
      return srv('    location / {\n      return 403;\n    }');
    case 'proxy':
      return `${upstreamBlock(p.upstreams)}\n${srv(PROXY_LOCATION)}`;
    case 'limit': {
      const zones = [
        `  limit_req_zone $binary_remote_addr zone=req:10m rate=${p.ratePerSec ?? 10}r/s;`,
        '  limit_conn_zone $binary_remote_addr zone=conn:10m;',
        '  limit_req_status 429;',
        '  limit_conn_status 429;',
      ].join('\n');
      const limits = [
        `    limit_req zone=req burst=${p.burst ?? 20} nodelay;`,
        `    limit_conn conn ${p.connPerClient ?? 10};`,
      ].join('\n');
      return `${zones}\n${upstreamBlock(p.upstreams)}\n${srv(`${limits}\n${PROXY_LOCATION}`)}`;
    }
  }
}

/** The whole nginx.conf; every path is relative to the prefix directory (nginx -p dir). */
export function buildNginxConfig(c: NginxConfigInput): string {
  if (!Number.isInteger(c.workers) || c.workers < 1) throw new Error(`workers must be a positive integer, got ${c.workers}`);
  const user = process.getuid?.() === 0 ? 'user root root;\n' : '';
  const body = c.http.kind === 'custom'
    ? c.http.body({ host: c.host, port: c.port, listen: listen(c.host, c.port) })
    : presetBody(c.http, c.host, c.port);
  return `# generated for one run; everything lives under ${c.dir}
${user}daemon off;
master_process ${c.masterProcess === false ? 'off' : 'on'};
worker_processes ${c.workers};
pid nginx.pid;
error_log error.log warn;

events {
  worker_connections ${c.workerConnections};
}

http {
  access_log ${c.accessLog ? 'access.log' : 'off'};
  client_body_temp_path tmp/body;
  proxy_temp_path tmp/proxy;
  fastcgi_temp_path tmp/fastcgi;
  uwsgi_temp_path tmp/uwsgi;
  scgi_temp_path tmp/scgi;
  default_type text/html;
  sendfile on;
  tcp_nopush on;
  keepalive_timeout 65;
  keepalive_requests 1000000;
  server_tokens off;

${body}
}
`;
}
