import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { request } from 'undici';
import { DEFAULT_V8_TUNING, gatewayStartFlags } from '../core/v8-flags.js';
import { freePort } from '../peers/free-port.js';
import { launchOf, spawnPeer } from '../peers/spawn-peer.js';
import type { LaunchOptions, PeerProcess } from '../peers/types.js';

export interface GatewayProcessOptions extends LaunchOptions {
  /** Built CLI entry (`npm run build` makes dist/cli.js), or src/cli.ts with nodeArgs ['--import', <resolved tsx URL>]. */
  cli: string;
  /** Node flags before the script. */
  nodeArgs?: readonly string[];
  backendUrl: string;
  /** Extra `ddos-shield gateway` flags, e.g. ['--shadow']. */
  extraArgs?: readonly string[];
  env?: NodeJS.ProcessEnv;
  // startTimeoutMs: default 20 s (node start + config + model load)
}

export interface GatewayProcess extends PeerProcess {
  adminUrl: string;
  /** Blocks a client address through the admin API for `minutes`. */
  block(ip: string, minutes: number, reason: string): Promise<void>;
}

/** Polls `url` until `done` accepts its answer (status and body text). */
async function waitFor(url: string, timeoutMs: number, done: (status: number, text: string) => boolean): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await request(url, { headersTimeout: 2000, bodyTimeout: 2000 });
      if (done(res.statusCode, await res.body.text())) return true;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

const healthy = (status: number) => status === 200;
/** With --workers > 1, every worker ready (GET /workers); a single process has no such endpoint (404). */
const allWorkersReady = (status: number, text: string) =>
  status === 404 || (status === 200 && (JSON.parse(text) as { workers: { ready: boolean }[] }).workers.every((w) => w.ready));

/** Runs `node <cli> gateway` on free loopback ports in front of one backend; ready once healthy. */
export async function startGatewayProcess(opts: GatewayProcessOptions): Promise<GatewayProcess> {
  const cli = resolve(opts.cli);
  if (!existsSync(cli)) throw new Error(`${cli} not found: run \`npm run build\` first`);
  const port = await freePort();
  let adminPort = await freePort();
  while (adminPort === port) adminPort = await freePort();
  const token = randomBytes(24).toString('hex');
  const dir = mkdtempSync(join(tmpdir(), 'ddos-shield-gateway-'));
  const timeout = opts.startTimeoutMs ?? 20_000;
  let peer: PeerProcess;
  try {
    peer = await spawnPeer({
      name: 'gateway',
      command: process.execPath,
      // node starts with the flags the gateway's default configuration needs, so that the gateway is
      // one process (started without them, it starts itself again as a child: src/cli/respawn.ts)
      args: [...gatewayStartFlags(DEFAULT_V8_TUNING), ...(opts.nodeArgs ?? []), cli, 'gateway', '--host', '127.0.0.1', '--port', String(port), '--admin-port', String(adminPort),
        '--backend', opts.backendUrl, ...(opts.extraArgs ?? [])],
      dir, host: '127.0.0.1', port,
      env: { ...process.env, ...opts.env, ADMIN_TOKEN: token },
      ...launchOf(opts),
      startTimeoutMs: timeout,
    });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  if (!(await waitFor(`${peer.url}/_shield/health`, timeout, healthy)) || !(await waitFor(`${adminUrl}/workers`, timeout, allWorkersReady))) {
    await peer.stop();
    throw new Error(`gateway on ${peer.url} never became ready (200 on /_shield/health, every worker ready)`);
  }
  return {
    ...peer,
    adminUrl,
    async block(ip, minutes, reason) {
      const res = await request(`${adminUrl}/block/${encodeURIComponent(ip)}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ duration_minutes: minutes, reason }),
      });
      const text = await res.body.text();
      if (res.statusCode >= 300) throw new Error(`admin block ${ip} answered ${res.statusCode}: ${text}`);
    },
  };
}
