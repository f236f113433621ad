import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { freePort } from '../peers/free-port.js';
import { DEFAULT_V8_TUNING, gatewayStartFlags } from '../core/v8-flags.js';
import { haproxyAvailable, startHaproxy } from '../peers/haproxy.js';
import { nginxAvailable, startNginx } from '../peers/nginx.js';
import { spawnPeer } from '../peers/spawn-peer.js';
import type { PeerProcess } from '../peers/types.js';
import { sleep } from './pace.js';
import type { Backend } from './types.js';

export const TARGET_KINDS = ['gateway', 'nginx', 'haproxy', 'none'] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

/** What stands between the clients and the sink during a run. */
export interface LabTarget {
  /** gateway | nginx | haproxy | none | the URL given. */
  name: string;
  /** Where clients send requests. */
  url: string;
  /**
   * What stands behind it: the lab's sink (every target the lab starts), or a site the lab did
   * not start (a URL target), where the sink counts nothing and answers carry no sink stamp.
   */
  backend: Backend;
  /** Processes whose CPU and memory are the target's (empty for none or an outside URL). */
  pids(): number[];
  /** How it is configured, for the report. */
  description: string;
  /** Blocks an address by hand (the gateway's admin API); absent where there is no such thing. */
  block?(ip: string, minutes: number, reason: string): Promise<void>;
  stop(): Promise<void>;
}

export function isTargetKind(s: string): s is TargetKind {
  return (TARGET_KINDS as readonly string[]).includes(s);
}

/** Whether the target can run on this machine; a reason when it cannot. */
export function targetUnavailable(kind: string): string | undefined {
  if (kind === 'nginx' && !nginxAvailable()) return 'nginx is not installed';
  if (kind === 'haproxy' && !haproxyAvailable()) return 'haproxy is not installed';
  return undefined;
}

function fromPeer(name: string, p: PeerProcess, description: string): LabTarget {
  return { name, url: p.url, backend: 'sink', pids: () => p.pids(), description, stop: () => p.stop() };
}

export interface TargetOptions {
  /** Extra `ddos-shield gateway` flags (e.g. ['--shadow']). */
  gatewayArgs?: readonly string[];
}

/** Starts the chosen target in front of the sink on a free loopback port. */
export async function startTarget(kind: string, sinkUrl: string, opts: TargetOptions = {}): Promise<LabTarget> {
  switch (kind) {
    case 'none':
      return { name: 'none', url: sinkUrl, backend: 'sink', pids: () => [], description: 'no protection: clients reach the sink directly', stop: async () => undefined };
    case 'nginx':
      return fromPeer('nginx', await startNginx({ http: { kind: 'limit', upstreams: [sinkUrl] }, name: 'lab-nginx' }),
        'nginx limit_req 10 r/s burst 20 nodelay + limit_conn 10 per address, 429 when over');
    case 'haproxy':
      return fromPeer('haproxy', await startHaproxy({ preset: { kind: 'limit', upstreams: [sinkUrl] }, name: 'lab-haproxy' }),
        'HAProxy stick table: > 100 requests in 10 s or > 10 connections per address get 429');
    case 'gateway':
      return startGateway(sinkUrl, opts.gatewayArgs ?? []);
    default: {
      let u: URL;
      try {
        u = new URL(kind);
      } catch {
        throw new Error(`unknown target ${kind}: use ${TARGET_KINDS.join('|')} or an http URL`);
      }
      if (u.protocol !== 'http:' || !/^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/.test(u.hostname)) {
        throw new Error(`target URL must be http on a loopback address, got ${kind}`);
      }
      return {
        name: kind, url: kind.replace(/\/$/, ''), backend: 'site', pids: () => [],
        description: 'a target the lab did not start, in front of its own backend (not the lab\'s sink): answers are judged by who gave them, what reached the backend is not counted',
        stop: async () => undefined,
      };
    }
  }
}

/** How to run this package's own CLI: from source through tsx, or the built dist/cli.js. */
function cliCommand(): { args: string[]; root: string } {
  const here = fileURLToPath(import.meta.url);
  const root = join(dirname(here), '..', '..');
  if (here.endsWith('.ts')) {
    const loader = join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs');
    if (!existsSync(loader)) throw new Error('cannot run the gateway from source: tsx is not installed');
    return { args: ['--import', loader, join(root, 'src', 'cli.ts')], root };
  }
  return { args: [join(root, 'dist', 'cli.js')], root };
}

async function waitHealthy(url: string, timeoutMs: number, alive: () => boolean): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end && alive()) {
    try {
      const r = await request(`${url}/_shield/health`, { headersTimeout: 2000, bodyTimeout: 2000 });
      await r.body.dump();
      if (r.statusCode === 200) return true;
    } catch {
      // not yet
    }
    await sleep(100);
  }
  return false;
}

/** Starts `ddos-shield gateway` as its own process in front of the sink, with a fresh admin token. */
export async function startGateway(sinkUrl: string, extraArgs: readonly string[] = []): Promise<LabTarget> {
  const { args } = cliCommand();
  const port = await freePort();
  const adminPort = await freePort();
  const token = randomBytes(16).toString('hex');
  const dir = mkdtempSync(join(tmpdir(), 'lab-gateway-'));
  let peer: PeerProcess;
  try {
    peer = await spawnPeer({
      name: 'lab-gateway',
      command: process.execPath,
      // with the node flags the gateway needs, so that it runs as one process (src/cli/respawn.ts)
      args: [...gatewayStartFlags(DEFAULT_V8_TUNING), ...args, 'gateway', '--host', '127.0.0.1', '--port', String(port), '--admin-port', String(adminPort), '--backend', sinkUrl, ...extraArgs],
      dir, host: '127.0.0.1', port,
      env: { ...process.env, ADMIN_TOKEN: token, LOG_LEVEL: 'warn' },
      startTimeoutMs: 60_000,
    });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const url = `http://127.0.0.1:${port}`;
  if (!(await waitHealthy(url, 60_000, () => peer.pids().length > 0))) {
    await peer.stop();
    throw new Error('gateway did not report healthy on /_shield/health');
  }
  const admin = `http://127.0.0.1:${adminPort}`;
  return {
    name: 'gateway',
    url,
    backend: 'sink',
    pids: () => peer.pids(),
    description: `ddos-shield gateway with its default configuration${extraArgs.length ? ` and ${extraArgs.join(' ')}` : ''}`,
    async block(ip, minutes, reason) {
      const r = await request(`${admin}/block/${encodeURIComponent(ip)}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ duration_minutes: minutes, reason }),
      });
      const text = await r.body.text();
      if (r.statusCode >= 300) throw new Error(`gateway refused to block ${ip}: ${r.statusCode} ${text}`);
    },
    stop: () => peer.stop(),
  };
}
