// Runs `ddos-shield gateway` as a child process (node --import tsx src/cli.ts gateway ...), on
// port 0, reading the bound ports from its JSON log; and reads its memory from /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', '..');
export const CLI = resolve(ROOT, 'src', 'cli.ts');

export interface CliResult { code: number | null; stdout: string; stderr: string }

/** Runs the CLI to completion (e.g. --check-config); kills it after `timeoutMs`. */
export function runCli(args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
      cwd: ROOT, env: opts.env ?? cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code) => { clearTimeout(timer); resolvePromise({ code, stdout, stderr }); });
  });
}

/** The environment without the gateway's own variables, so that the host's settings do not leak in. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['GATEWAY_HOST', 'GATEWAY_PORT', 'GATEWAY_ID', 'ADMIN_TOKEN', 'ADMIN_HOST', 'ADMIN_PORT', 'BACKEND_TARGETS',
    'BACKEND_URL', 'GATEWAY_WORKERS', 'TRUSTED_PROXIES', 'LOG_LEVEL', 'DASHBOARD_URL', 'DASHBOARD_TOKEN']) delete env[k];
  return { ...env, ...extra };
}

export interface GatewayChild {
  child: ChildProcess;
  /**
   * The process that serves the admin API: the gateway itself, or the primary with --workers.
   * Started without the node flags the gateway needs, the CLI starts itself again with them and
   * stays as the parent, `child`.
   */
  pid: number;
  url: string;
  adminUrl: string;
  stderr(): string;
  stop(): Promise<void>;
}

/** Starts the gateway CLI on 127.0.0.1 port 0 (admin too) and waits until both listeners are up. */
export function startGatewayChild(args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; nodeArgs?: string[] } = {}): Promise<GatewayChild> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', CLI, 'gateway', '--host', '127.0.0.1', '--port', '0',
      '--admin-port', '0', '--log-level', 'info', ...args], { cwd: ROOT, env: opts.env ?? cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let url = '';
    let adminUrl = '';
    let adminPid = 0;
    let out = '';
    let err = '';
    let settled = false;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const hard = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(hard);
      }
    };
    const fail = (e: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void stop().then(() => reject(e));
    };
    const timer = setTimeout(() => fail(new Error(`gateway did not start in time; stderr: ${err}`)), opts.timeoutMs ?? 60_000);
    child.stderr.on('data', (c: Buffer) => { err += c.toString(); });
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      let nl: number;
      while ((nl = out.indexOf('\n')) >= 0) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        try {
          const j = JSON.parse(line) as { msg?: string; url?: string; pid?: number };
          if (j.msg === 'gateway listening' && j.url) url = j.url;
          if (j.msg === 'admin API listening' && j.url) { adminUrl = j.url; adminPid = j.pid ?? 0; }
        } catch { /* not a log line */ }
      }
      if (url && adminUrl && !settled) {
        settled = true;
        clearTimeout(timer);
        resolvePromise({ child, pid: adminPid, url, adminUrl, stderr: () => err, stop });
      }
    });
    child.once('exit', (code) => fail(new Error(`gateway exited with ${code}; stderr: ${err}`)));
  });
}

/** VmRSS and VmHWM (peak) of a process, bytes. */
export function processMemory(pid: number): { rss: number; hwm: number } {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
    if (!m) throw new Error(`no ${name} in /proc/${pid}/status`);
    return Number(m[1]) * 1024;
  };
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}
