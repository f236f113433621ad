import { readdirSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** Thread ids of a process (Linux: /proc/<pid>/task); [] when the process is gone. */
export function threadsOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).map(Number).filter((t) => Number.isInteger(t) && t > 0);
  } catch {
    return [];
  }
}

export interface NiceChange {
  /** Threads whose nice value was changed. */
  threads: number;
  /** Puts every changed thread back to the value it had (threads gone since are skipped). */
  restore(): void;
}

/**
 * Sets the nice value of every thread of these processes (on Linux, setpriority(2) on a pid
 * changes that one thread only, so helper threads such as a garbage collector's are set one by one).
 * A lower value than the current one needs CAP_SYS_NICE: the error (EACCES/EPERM) is thrown after
 * the threads already changed are put back.
 */
export function setNice(pids: readonly number[], nice: number): NiceChange {
  if (!Number.isInteger(nice) || nice < -20 || nice > 19) throw new Error(`nice must be a whole number from -20 to 19, got ${nice}`);
  const changed: { tid: number; before: number }[] = [];
  const restore = (): void => {
    for (const { tid, before } of changed.splice(0)) {
      try { setPriority(tid, before); } catch { /* the thread is gone */ }
    }
  };
  for (const pid of pids) {
    for (const tid of threadsOf(pid)) {
      let before: number;
      try { before = getPriority(tid); } catch { continue; } // exited meanwhile
      try {
        setPriority(tid, nice);
      } catch (err) {
        if ((err as { code?: string }).code === 'ESRCH') continue;
        restore();
        throw new Error(`cannot set nice ${nice} on thread ${tid} of process ${pid}: ${(err as Error).message}`);
      }
      changed.push({ tid, before });
    }
  }
  return { threads: changed.length, restore };
}
