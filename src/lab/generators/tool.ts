import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Path of a command-line tool found on PATH (or the usual Debian places), or undefined. */
export function findTool(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/bin', '/usr/sbin', '/usr/local/bin'];
  for (const d of dirs) {
    if (!d) continue;
    const p = `${d}/${name}`;
    if (existsSync(p)) return p;
  }
  return undefined;
}

export interface ToolRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a tool to completion, killed after `limitMs` or when the signal aborts. */
export function runTool(cmd: string, args: readonly string[], limitMs: number, signal: AbortSignal): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const kill = () => child.kill('SIGTERM');
    const timer = setTimeout(kill, limitMs);
    signal.addEventListener('abort', kill, { once: true });
    child.on('error', (err) => { clearTimeout(timer); reject(err); });
    child.on('close', (code) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', kill);
      resolve({ code, stdout, stderr });
    });
  });
}
