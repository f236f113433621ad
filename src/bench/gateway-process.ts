import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { request } from 'undici';
import { freePort } from '../peers/free-port.js';
import { spawnPeer } from '../peers/spawn-peer.js';
import type { PeerProcess } from '../peers/types.js';

export interface GatewayProcessOptions {
  /** Built CLI entry (`npm run build` makes dist/cli.js), or src/cli.ts with nodeArgs ['--import', <resolved tsx URL>]. */
  cli: string;
  /** Node flags before the script. */
  nodeArgs?: readonly string[];
  backendUrl: string;
  /** Extra `ddos-shield gateway` flags, e.g. ['--shadow']. */
  extraArgs?: readonly string[];
  env?: NodeJS.ProcessEnv;
  startTimeoutMs?: number; // default 20 s (node start + config + model load)
}

export interface GatewayProcess extends PeerProcess {
  adminUrl: string;
  /** Blocks a client address through the admin API for `minutes`. */
  block(ip: string, minutes: number, reason: string): Promise<void>;
}

async function waitHealthy(url: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await request(url, { headersTimeout: 2000, bodyTimeout: 2000 });
      await res.body.dump();
      if (res.statusCode === 200) return true;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

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
      args: [...(opts.nodeArgs ?? []), cli, 'gateway', '--host', '127.0.0.1', '--port', String(port), '--admin-port', String(adminPort),
        '--backend', opts.backendUrl, ...(opts.extraArgs ?? [])],
      dir, host: '127.0.0.1', port,
      env: { ...process.env, ...opts.env, ADMIN_TOKEN: token },
      startTimeoutMs: timeout,
    });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  if (!(await waitHealthy(`${peer.url}/_shield/health`, timeout))) {
    await peer.stop();
    throw new Error(`gateway on ${peer.url} never answered 200 on /_shield/health`);
  }
  const adminUrl = `http://127.0.0.1:${adminPort}`;
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
