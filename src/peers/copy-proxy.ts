import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.js';
import { launchOf, spawnPeer } from './spawn-peer.js';
import type { LaunchOptions, PeerProcess } from './types.js';

export interface CopyProxyOptions extends LaunchOptions {
  /** `http://host:port` of the server it copies bytes to. */
  upstream: string;
  host?: string; // default 127.0.0.1
  name?: string; // default 'node copy proxy'
  /** Node flags before the script. */
  nodeArgs?: readonly string[];
}

/** How to run copy-proxy-main beside this file: built JavaScript, or the TypeScript source through tsx. */
function mainCommand(): string[] {
  const here = fileURLToPath(import.meta.url);
  if (!here.endsWith('.ts')) return [join(dirname(here), 'copy-proxy-main.js')];
  const loader = join(dirname(here), '..', '..', 'node_modules', 'tsx', 'dist', 'loader.mjs');
  if (!existsSync(loader)) throw new Error('cannot run the copy proxy from source: tsx is not installed');
  return ['--import', loader, join(dirname(here), 'copy-proxy-main.ts')];
}

/**
 * Starts the byte-copying Node.js proxy (copy-proxy-main) as its own process in front of
 * `upstream`: the floor against which the gateway's own per-request work is seen.
 */
export async function startCopyProxy(opts: CopyProxyOptions): Promise<PeerProcess> {
  const up = new URL(opts.upstream);
  if (up.protocol !== 'http:' || !up.port) throw new Error(`copy proxy upstream must be http://host:port, got ${opts.upstream}`);
  const host = opts.host ?? '127.0.0.1';
  const dir = mkdtempSync(join(tmpdir(), 'ddos-shield-copy-proxy-'));
  try {
    const port = await freePort(host);
    return await spawnPeer({
      name: opts.name ?? 'node copy proxy',
      command: process.execPath,
      args: [...(opts.nodeArgs ?? []), ...mainCommand(), host, String(port), up.hostname, up.port],
      dir, host, port,
      ...launchOf(opts),
    });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
