import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBinary } from './find-binary.js';
import { freePort } from './free-port.js';
import {
  buildNginxConfig, staticBody, DEFAULT_STATIC_BYTES, STATIC_FILE,
  type NginxCustom, type NginxPreset,
} from './nginx-config.js';
import { launchOf, spawnPeer } from './spawn-peer.js';
import type { LaunchOptions, PeerProcess } from './types.js';

export interface NginxOptions extends LaunchOptions {
  http: NginxPreset | NginxCustom;
  workers?: number; // default 1
  workerConnections?: number; // default 4096
  /** false: a single process, no master (default true). */
  masterProcess?: boolean;
  accessLog?: boolean; // default false
  host?: string; // default 127.0.0.1
  /** Port to listen on; a free one is picked when absent. */
  port?: number;
  /** nginx binary; found on PATH or in /usr/sbin when absent. */
  binary?: string;
  name?: string;
}

/** Path of the nginx binary, or null when nginx is not installed. */
export function nginxAvailable(): string | null {
  return findBinary('nginx');
}

/**
 * Starts nginx in the foreground from a config written to a fresh temp dir (prefix, pid, logs
 * and temp paths all inside it; /etc/nginx and /var/log/nginx are never read or written).
 */
export async function startNginx(opts: NginxOptions): Promise<PeerProcess> {
  const binary = opts.binary ?? nginxAvailable();
  if (!binary) throw new Error('nginx is not installed (apt-get install nginx-light)');
  const host = opts.host ?? '127.0.0.1';
  const dir = mkdtempSync(join(tmpdir(), 'ddos-shield-nginx-'));
  try {
    const port = opts.port ?? (await freePort(host));
    for (const d of ['tmp', 'static']) mkdirSync(join(dir, d));
    if (opts.http.kind === 'static') {
      writeFileSync(join(dir, STATIC_FILE), staticBody(opts.http.bodyBytes ?? DEFAULT_STATIC_BYTES));
    }
    const conf = buildNginxConfig({
      dir, host, port,
      workers: opts.workers ?? 1,
      workerConnections: opts.workerConnections ?? 4096,
      ...(opts.masterProcess !== undefined ? { masterProcess: opts.masterProcess } : {}),
      accessLog: opts.accessLog ?? false,
      http: opts.http,
    });
    const confPath = join(dir, 'nginx.conf');
    writeFileSync(confPath, conf);
    return await spawnPeer({
      name: opts.name ?? `nginx-${opts.http.kind}`,
      command: binary,
      args: ['-p', `${dir}/`, '-c', confPath, '-e', join(dir, 'error.log')],
      dir, host, port,
      logFiles: [join(dir, 'error.log')],
      ...launchOf(opts),
    });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
