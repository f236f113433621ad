import { readFileSync } from 'node:fs';
import { allProcStats, processTree } from '../peers/proc-tree.js';

const AT_CLKTCK = 17n; // auxiliary vector key of the kernel's clock tick rate (getauxval(3))
const DEFAULT_CLK_TCK = 100;

/** Clock ticks per second used by /proc/<pid>/stat times (sysconf(_SC_CLK_TCK)). */
export function clockTicksPerSecond(): number {
  try {
    const buf = readFileSync('/proc/self/auxv');
    for (let off = 0; off + 16 <= buf.length; off += 16) {
      const key = buf.readBigUInt64LE(off);
      if (key === 0n) break;
      if (key === AT_CLKTCK) return Number(buf.readBigUInt64LE(off + 8));
    }
  } catch {
    // not Linux, or auxv unreadable: the near-universal default
  }
  return DEFAULT_CLK_TCK;
}

/** CPU time of a process tree in milliseconds, split into time in user space and in the kernel. */
export interface CpuSplit {
  userMs: number;
  systemMs: number;
}

/**
 * CPU time (all threads) in milliseconds of the given processes and all their live descendants
 * (nginx workers, gateway children), user and system apart. Processes already gone count nothing.
 */
export function procCpuSplit(pids: readonly number[], ticksPerSec = clockTicksPerSecond()): CpuSplit {
  const stats = allProcStats();
  const tree = new Set(processTree(pids, stats));
  let user = 0;
  let system = 0;
  for (const st of stats) if (tree.has(st.pid)) { user += st.utime; system += st.stime; }
  return { userMs: (user * 1000) / ticksPerSec, systemMs: (system * 1000) / ticksPerSec };
}

/** CPU time (user + system, all threads) in milliseconds of the given processes and their live descendants. */
export function procCpuTime(pids: readonly number[], ticksPerSec = clockTicksPerSecond()): number {
  const c = procCpuSplit(pids, ticksPerSec);
  return c.userMs + c.systemMs;
}

/** The whole machine's CPU time in clock ticks, from the `cpu` line of /proc/stat. */
export interface MachineTicks {
  /** Every state summed (user, nice, system, idle, iowait, irq, softirq, steal). */
  total: number;
  /** Time the hypervisor ran something else while this machine's CPUs wanted to run. */
  steal: number;
}

/** Parses the aggregate `cpu` line of /proc/stat text. */
export function parseMachineTicks(text: string): MachineTicks {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) throw new Error('no aggregate "cpu" line in /proc/stat');
  const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (f.length < 8 || f.some((x) => !Number.isFinite(x))) throw new Error(`unreadable /proc/stat cpu line: ${line}`);
  return { total: f.reduce((a, b) => a + b, 0), steal: f[7] as number };
}

/** The machine's CPU ticks now, or null where /proc/stat is missing (not Linux). */
export function machineTicks(): MachineTicks | null {
  try {
    return parseMachineTicks(readFileSync('/proc/stat', 'utf8'));
  } catch {
    return null;
  }
}
