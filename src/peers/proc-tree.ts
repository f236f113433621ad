import { readdirSync, readFileSync } from 'node:fs';

/** Fields of /proc/<pid>/stat we use (man 5 proc). */
export interface ProcStat {
  pid: number;
  ppid: number;
  /** Clock ticks spent in user mode (all threads). */
  utime: number;
  /** Clock ticks spent in kernel mode (all threads). */
  stime: number;
  /** Start time in clock ticks after boot: with the pid, identifies one process for sure. */
  starttime: number;
}

/**
 * Parses one /proc/<pid>/stat line. The command name (field 2) is in parentheses and may hold
 * spaces or parentheses itself, so the fields are counted from the last ')'.
 */
export function parseProcStat(line: string): ProcStat | null {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const pid = Number(line.slice(0, open).trim());
  // After ')': field 3 (state) is index 0, ppid (4) index 1, utime (14) index 11,
  // stime (15) index 12, starttime (22) index 19.
  const rest = line.slice(close + 1).trim().split(/\s+/);
  const ppid = Number(rest[1]);
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  const starttime = Number(rest[19]);
  if (![pid, ppid, utime, stime, starttime].every(Number.isFinite)) return null;
  return { pid, ppid, utime, stime, starttime };
}

/** Reads /proc/<pid>/stat; null when the process is gone. */
export function readProcStat(pid: number): ProcStat | null {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

/** Every live process on the machine, as stat records (processes that vanish mid-scan are skipped). */
export function allProcStats(): ProcStat[] {
  const out: ProcStat[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const st = readProcStat(Number(name));
    if (st) out.push(st);
  }
  return out;
}

/** The given roots and all their live descendants, found through the ppid links in /proc. */
export function processTree(roots: readonly number[], stats: readonly ProcStat[] = allProcStats()): number[] {
  const children = new Map<number, number[]>();
  const alive = new Set<number>();
  for (const st of stats) {
    alive.add(st.pid);
    const list = children.get(st.ppid);
    if (list) list.push(st.pid);
    else children.set(st.ppid, [st.pid]);
  }
  const seen = new Set<number>();
  const stack = roots.filter((p) => alive.has(p));
  while (stack.length > 0) {
    const pid = stack.pop() as number;
    if (seen.has(pid)) continue;
    seen.add(pid);
    for (const c of children.get(pid) ?? []) stack.push(c);
  }
  return [...seen].sort((a, b) => a - b);
}
