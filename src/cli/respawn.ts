import { spawn } from 'node:child_process';
import { Socket } from 'node:net';
import { constants } from 'node:os';
import type { Logger } from '../core/logger.js';
import { missingNodeFlags } from '../core/v8-flags.js';

/** Set in the environment of a process started by `respawnWithNodeFlags`: its parent holds fd 3 open. */
export const RESPAWNED_ENV = 'DDOS_SHIELD_RESPAWNED';

const FORWARDED: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Runs this same command again in a child node started with `flags` (V8 flags that take effect
 * only when given at start), and stays as its parent: signals are passed on, the child's exit
 * code (or 128 + its signal) becomes this process's own. The child runs in its own process
 * group, so a Ctrl-C at a terminal reaches it once, through this process. Its fd 3 is a pipe
 * from this process; `watchParent` in the child ends the child gracefully when the pipe closes,
 * which it does however this process ends (SIGKILL included).
 */
export function respawnWithNodeFlags(flags: readonly string[], logger: Logger): Promise<never> {
  const child = spawn(process.execPath, [...process.execArgv, ...flags, ...process.argv.slice(1)], {
    stdio: ['inherit', 'inherit', 'inherit', 'pipe'],
    env: { ...process.env, [RESPAWNED_ENV]: '1' },
    detached: true,
  });
  logger.debug({ flags, pid: child.pid }, 'started again with node flags');
  for (const s of FORWARDED) process.on(s, () => { child.kill(s); });
  return new Promise<never>(() => {
    child.on('error', (err) => {
      logger.error({ err }, 'could not start node again with its flags');
      process.exit(1);
    });
    child.on('exit', (code, signal) => {
      process.exit(code ?? 128 + (signal ? constants.signals[signal] : 0));
    });
  });
}

/**
 * In a child started by `respawnWithNodeFlags`: when the parent's end of fd 3 closes (the parent
 * exited or was killed), this process gets SIGTERM, the same graceful drain as a signal from
 * an operator. Does nothing in a process started otherwise.
 */
export function watchParent(env: NodeJS.ProcessEnv = process.env): void {
  if (env[RESPAWNED_ENV] !== '1') return;
  delete env[RESPAWNED_ENV]; // not for the processes this one starts
  const pipe = new Socket({ fd: 3, readable: true, writable: false });
  pipe.on('error', () => {});
  pipe.on('close', () => { process.kill(process.pid, 'SIGTERM'); });
  pipe.resume();
  pipe.unref();
}

/**
 * Makes sure this process runs on a node started with `flags`: returns at once when it was (or
 * when it is already the child started for them, which then watches its parent); otherwise
 * starts the child and never returns.
 */
export async function ensureNodeFlags(flags: readonly string[], logger: Logger): Promise<void> {
  const missing = missingNodeFlags(flags);
  if (missing.length > 0 && process.env[RESPAWNED_ENV] !== '1') await respawnWithNodeFlags(missing, logger);
  watchParent();
}
