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

/**
 * CPU time (user + system, all threads) in milliseconds of the given processes and all their
 * live descendants (nginx workers, gateway children). Processes already gone count nothing.
 */
export function procCpuTime(pids: readonly number[], ticksPerSec = clockTicksPerSecond()): number {
  const stats = allProcStats();
  const tree = new Set(processTree(pids, stats));
  let ticks = 0;
  for (const st of stats) if (tree.has(st.pid)) ticks += st.utime + st.stime;
  return (ticks * 1000) / ticksPerSec;
}
