import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBinary } from './find-binary.js';
import { freePort } from './free-port.js';
import { buildHaproxyConfig, type HaproxyPreset } from './haproxy-config.js';
import { launchOf, spawnPeer } from './spawn-peer.js';
import type { LaunchOptions, PeerProcess } from './types.js';

export interface HaproxyOptions extends LaunchOptions {
  preset: HaproxyPreset;
  threads?: number; // nbthread, default 1
  maxconn?: number; // default 4096 (HAProxy needs about 2 fds per connection)
  host?: string; // default 127.0.0.1
  port?: number; // a free one when absent
  binary?: string;
  name?: string;
}

/** Path of the haproxy binary, or null when HAProxy is not installed. */
export function haproxyAvailable(): string | null {
  return findBinary('haproxy');
}

/** Starts HAProxy in the foreground (-db) with a config in a fresh temp dir. */
export async function startHaproxy(opts: HaproxyOptions): Promise<PeerProcess> {
  const binary = opts.binary ?? haproxyAvailable();
  if (!binary) throw new Error('haproxy is not installed (apt-get install haproxy)');
  const host = opts.host ?? '127.0.0.1';
  const dir = mkdtempSync(join(tmpdir(), 'ddos-shield-haproxy-'));
  try {
    const port = opts.port ?? (await freePort(host));
    const cfgPath = join(dir, 'haproxy.cfg');
    writeFileSync(cfgPath, buildHaproxyConfig({
      host, port, threads: opts.threads ?? 1, maxconn: opts.maxconn ?? 4096, preset: opts.preset,
    }));
    return await spawnPeer({
      name: opts.name ?? `haproxy-${opts.preset.kind}`,
      command: binary,
      args: ['-db', '-f', cfgPath],
      dir, host, port,
      ...launchOf(opts),
    });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
