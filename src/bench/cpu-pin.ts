import { execFileSync } from 'node:child_process';
import { findBinary } from '../peers/find-binary.js';
import { threadsOf } from './priority.js';

/** Which CPUs the load side (wrk and the backend) and the servers measured run on, as taskset lists. */
export interface CpuPlan {
  load: string;
  servers: string;
}

/** Path of util-linux's taskset, or null. */
export function tasksetAvailable(): string | null {
  return findBinary('taskset', ['/usr/bin', '/bin']);
}

/** Parses a CPU list as the kernel and taskset write it ("0-3,6,8-9") into ascending CPU numbers. */
export function parseCpuList(text: string): number[] {
  const out = new Set<number>();
  for (const part of text.trim().split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) throw new Error(`"${text}" is not a CPU list (expected e.g. 0-3,6)`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) throw new Error(`"${part}" in "${text}" is a descending range`);
    for (let c = a; c <= b; c++) out.add(c);
  }
  return [...out].sort((x, y) => x - y);
}

/** Writes CPU numbers as a taskset list: "0", "2,5", ... */
export function formatCpuList(cpus: readonly number[]): string {
  return cpus.join(',');
}

/**
 * Splits the CPUs this process may use: the first half (at least one) for the load generator
 * and the backend, the rest for the server being measured, so that the two sides do not take
 * CPU time from each other. Null with fewer than two CPUs (nothing to split).
 */
export function cpuPlan(cpus: readonly number[]): CpuPlan | null {
  if (cpus.length < 2) return null;
  const loadCount = Math.floor(cpus.length / 2);
  return { load: formatCpuList(cpus.slice(0, loadCount)), servers: formatCpuList(cpus.slice(loadCount)) };
}

/** The CPU list a process may run on (its main thread's affinity). */
export function affinityOf(pid: number, taskset: string): number[] {
  const out = execFileSync(taskset, ['-p', '-c', String(pid)], { encoding: 'utf8' });
  const m = /list:\s*([\d,\s-]+)$/m.exec(out);
  if (!m?.[1]) throw new Error(`cannot read the CPU affinity of process ${pid} from "${out.trim()}"`);
  return parseCpuList(m[1]);
}

/** Which threads of a process to pin: all of them, or the main thread alone (threads it starts later inherit its affinity). */
export type PinThreads = 'all' | 'main';

/**
 * Sets the CPU affinity of each process (processes that have exited are skipped): of every
 * thread, or with `threads: 'main'` of the main thread alone, so that threads already running
 * beside it (V8's collector and compiler helpers) may still use any CPU.
 */
export function pinProcesses(pids: readonly number[], cpus: string, taskset: string, threads: PinThreads = 'all'): void {
  for (const pid of pids) {
    try {
      execFileSync(taskset, [...(threads === 'all' ? ['-a'] : []), '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
    } catch (err) {
      if (processAlive(pid)) throw new Error(`taskset could not pin process ${pid} to CPUs ${cpus}: ${(err as Error).message}`, { cause: err });
    }
  }
}

export interface AffinityChange {
  /** Threads whose CPU affinity was changed. */
  threads: number;
  /** Puts every changed thread back on the CPUs it had (threads gone since are skipped). */
  restore(): void;
}

/**
 * Pins processes for a while, as `pinProcesses` does (every thread, or the main thread alone),
 * and remembers each thread's CPUs so that `restore` puts it back.
 */
export function pinForAWhile(pids: readonly number[], cpus: string, taskset: string, threads: PinThreads): AffinityChange {
  const changed: { tid: number; before: string }[] = [];
  const setAffinity = (tid: number, list: string): void => {
    execFileSync(taskset, ['-p', '-c', list, String(tid)], { stdio: 'ignore' });
  };
  const restore = (): void => {
    for (const { tid, before } of changed.splice(0)) {
      try { setAffinity(tid, before); } catch { /* the thread is gone */ }
    }
  };
  for (const pid of pids) {
    for (const tid of threads === 'all' ? threadsOf(pid) : [pid]) {
      let before: string;
      try { before = formatCpuList(affinityOf(tid, taskset)); } catch { continue; } // exited meanwhile
      try {
        setAffinity(tid, cpus);
      } catch (err) {
        if (!processAlive(tid)) continue;
        restore();
        throw new Error(`taskset could not pin thread ${tid} of process ${pid} to CPUs ${cpus}: ${(err as Error).message}`, { cause: err });
      }
      changed.push({ tid, before });
    }
  }
  return { threads: changed.length, restore };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
