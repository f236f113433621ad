import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { waitForPort } from './free-port.js';
import { processTree, readProcStat, type ProcStat } from './proc-tree.js';
import type { LaunchOptions, PeerProcess } from './types.js';

export interface SpawnPeerOptions extends LaunchOptions {
  name: string;
  command: string;
  args: readonly string[];
  /** Working/temporary directory owned by this peer; removed on stop unless `keepDir`. */
  dir: string;
  host: string;
  port: number;
  env?: NodeJS.ProcessEnv;
  /** Extra log files (besides the captured stdout/stderr) whose tail explains a failed start. */
  logFiles?: readonly string[];
  /** Signal that stops the process tree gracefully; SIGKILL follows after `stopTimeoutMs`. */
  stopSignal?: NodeJS.Signals;
  stopTimeoutMs?: number;
  keepDir?: boolean;
}

/** The launch options that are set, to spread into spawnPeer's (exactOptionalPropertyTypes). */
export function launchOf(opts: LaunchOptions): LaunchOptions {
  return {
    ...(opts.wrap !== undefined ? { wrap: opts.wrap } : {}),
    ...(opts.startTimeoutMs !== undefined ? { startTimeoutMs: opts.startTimeoutMs } : {}),
  };
}

const DEFAULT_START_TIMEOUT_MS = 10_000;
const DEFAULT_STOP_TIMEOUT_MS = 5_000;
const TAIL_LINES = 20;

/** Last lines of a file, or '' when it cannot be read. */
export function tailFile(path: string, lines = TAIL_LINES): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (exited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/** Identities (pid + start time) of a process tree, so a reused pid is never signalled. */
function snapshot(pids: readonly number[]): ProcStat[] {
  return pids.map(readProcStat).filter((s): s is ProcStat => s !== null);
}

function killSame(procs: readonly ProcStat[], sig: NodeJS.Signals): void {
  for (const p of procs) {
    if (readProcStat(p.pid)?.starttime === p.starttime) signal(p.pid, sig);
  }
}

/**
 * Starts a server process with stdout/stderr in `dir`, waits until host:port accepts
 * connections, and returns a handle that stops the whole process tree. A failed start throws
 * an error holding the tail of the process's logs, after cleaning up.
 */
export async function spawnPeer(opts: SpawnPeerOptions): Promise<PeerProcess> {
  const stdoutPath = join(opts.dir, 'stdout.log');
  const stderrPath = join(opts.dir, 'stderr.log');
  const outFd = openSync(stdoutPath, 'a');
  const errFd = openSync(stderrPath, 'a');
  let child: ChildProcess;
  try {
    const [command, ...args] = [...(opts.wrap ?? []), opts.command, ...opts.args] as [string, ...string[]];
    child = spawn(command, args, {
      cwd: opts.dir,
      env: opts.env ?? process.env,
      stdio: ['ignore', outFd, errFd],
    });
  } finally {
    closeSync(outFd);
    closeSync(errFd);
  }
  let spawnError: Error | null = null;
  child.once('error', (err) => { spawnError = err; });
  const rootPid = child.pid;

  const pids = () => (rootPid === undefined || exited(child) ? [] : processTree([rootPid]));
  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      if (!exited(child)) {
        const tree = snapshot(pids());
        if (rootPid !== undefined) signal(rootPid, opts.stopSignal ?? 'SIGTERM');
        const ok = await waitExit(child, opts.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS);
        // Whatever is left of the tree (or the root, if it ignored the signal) is killed.
        killSame(ok ? tree.filter((p) => p.pid !== rootPid) : tree, 'SIGKILL');
        if (!ok) await waitExit(child, 2_000);
      }
      if (!opts.keepDir) rmSync(opts.dir, { recursive: true, force: true });
    })();
    return stopping;
  };

  const ready = await waitForPort(opts.host, opts.port, {
    timeoutMs: opts.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS,
    stillRunning: () => spawnError === null && !exited(child),
  });
  if (!ready) {
    const why = spawnError
      ? `could not run ${opts.command}: ${(spawnError as Error).message}`
      : exited(child)
        ? `exited with ${child.exitCode ?? child.signalCode}`
        : `did not accept connections on ${opts.host}:${opts.port} within ${opts.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS} ms`;
    const logs = [stderrPath, stdoutPath, ...(opts.logFiles ?? [])]
      .map((p) => ({ p, t: tailFile(p) }))
      .filter((x) => x.t !== '')
      .map((x) => `--- ${x.p}\n${x.t}`)
      .join('\n');
    await stop();
    throw new Error(`${opts.name} failed to start: ${why}${logs ? `\n${logs}` : ' (no log output)'}`);
  }

  return {
    name: opts.name,
    url: `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${opts.port}`,
    port: opts.port,
    pids,
    stop,
    logs: { stdout: stdoutPath, stderr: stderrPath },
  };
}
