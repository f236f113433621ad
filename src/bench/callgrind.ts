import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findBinary } from '../peers/find-binary.js';

/**
 * Counting a server's user-space instructions with valgrind's callgrind: the server runs under
 * valgrind with instrumentation off (about ten times slower than native, so it can be warmed up
 * with many requests), then instrumentation is switched on and the counters are zeroed and dumped
 * around each measured batch of requests with `callgrind_control`. Instructions are counted, not
 * time, so the figure for the same binary and requests is the same whatever else the machine is
 * doing. The kernel's work (system calls, the loopback network) is not in it.
 */
export interface CallgrindTools {
  valgrind: string;
  control: string;
  annotate: string;
}

/** The valgrind tools, or null when one of them is missing (apt-get install valgrind). */
export function callgrindTools(): CallgrindTools | null {
  const valgrind = findBinary('valgrind');
  const control = findBinary('callgrind_control');
  const annotate = findBinary('callgrind_annotate');
  return valgrind && control && annotate ? { valgrind, control, annotate } : null;
}

/** The wrapper command: callgrind, instrumentation off at start, one output file per process (and dump) in `dir`. */
export function callgrindWrap(tools: CallgrindTools, dir: string): string[] {
  return [tools.valgrind, '--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${join(dir, 'cg.%p')}`];
}

const CONTROL_ATTEMPTS = 5;

/** Sends a command to one process running under callgrind: `-i on`, `-z` (zero), `-d` (dump). Waits for it. */
export function callgrindControl(tools: CallgrindTools, pid: number, ...args: string[]): void {
  // it exits with 0 even when it did not find the process, and says so on stdout; a process busy
  // with a burst of requests is sometimes not found at the first try
  let out = '';
  for (let attempt = 0; attempt < CONTROL_ATTEMPTS; attempt++) {
    if (attempt > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
    out = execFileSync(tools.control, [...args, String(pid)], { encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'pipe', 'pipe'] });
    if (!/^Error:/m.test(out)) return;
  }
  throw new Error(`callgrind_control ${args.join(' ')} ${pid}: ${out.trim().split('\n')[0]}`);
}

/** The instruction total of a callgrind dump (its `totals:` line, else `summary:`). */
export function dumpTotal(text: string): number {
  const m = /^totals:\s+(\d+)/m.exec(text) ?? /^summary:\s+(\d+)/m.exec(text);
  if (!m) throw new Error('no totals or summary line in the callgrind dump');
  return Number(m[1]);
}

export interface DumpReader {
  /** Dumps the process's counters (callgrind_control -d) and returns the instruction total of that dump. */
  dump(pid: number, label: string): number;
  /** The file of the process's last dump, or null before its first. */
  lastFile(pid: number): string | null;
}

/** Dumps by number for each process: `cg.<pid>.<n>` in `dir` is the n-th dump of process pid. */
export function dumpReader(tools: CallgrindTools, dir: string): DumpReader {
  const counts = new Map<number, number>();
  const fileOf = (pid: number, n: number) => join(dir, `cg.${pid}.${n}`);
  return {
    dump(pid, label) {
      callgrindControl(tools, pid, '-d', label);
      const n = (counts.get(pid) ?? 0) + 1;
      counts.set(pid, n);
      const file = fileOf(pid, n);
      if (!existsSync(file)) throw new Error(`callgrind wrote no ${file} for dump ${label}`);
      return dumpTotal(readFileSync(file, 'utf8'));
    },
    lastFile(pid) {
      const n = counts.get(pid);
      return n === undefined ? null : fileOf(pid, n);
    },
  };
}

export interface MapEntry {
  start: number;
  size: number;
  name: string;
}

/**
 * The entries of a perf map (`/tmp/perf-<pid>.map`, written by node --perf-basic-prof), sorted by
 * address; entries at the same address stay in file order (the sort is stable), so the later wins.
 */
export function parsePerfMap(text: string): MapEntry[] {
  const out: MapEntry[] = [];
  for (const line of text.split('\n')) {
    const m = /^([0-9a-fA-F]+) ([0-9a-fA-F]+) (.+)$/.exec(line);
    if (m) out.push({ start: parseInt(m[1]!, 16), size: parseInt(m[2]!, 16), name: m[3]! });
  }
  return out.sort((a, b) => a.start - b.start);
}

/** The name of the entry holding `addr` (of the entries at the highest start at or below it, the last), or null. */
export function nameAt(entries: readonly MapEntry[], addr: number): string | null {
  let lo = 0;
  let hi = entries.length - 1;
  let best: MapEntry | null = null;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const e = entries[mid]!;
    if (e.start <= addr) { best = e; lo = mid + 1; } else hi = mid - 1;
  }
  return best && addr < best.start + best.size ? best.name : null;
}

/**
 * Self cost per function from `callgrind_annotate` output, JIT-compiled code named from the perf
 * map (V8's names: `JS:*name file:line` for optimized code), by share of the total, largest first.
 */
export function selfCosts(annotated: string, map: readonly MapEntry[]): { total: number; functions: { name: string; share: number }[] } {
  const by = new Map<string, number>();
  let total = 0;
  for (const line of annotated.split('\n')) {
    const m = /^\s*([\d,]+) \(\s*[\d.]+%\)\s+(.+)$/.exec(line);
    if (!m) continue;
    const ir = Number(m[1]!.replace(/,/g, ''));
    const what = m[2]!;
    if (what.startsWith('PROGRAM TOTALS')) { total = ir; continue; }
    const jit = /^\?\?\?:0x([0-9a-f]+) \[\?\?\?\]$/.exec(what);
    const name = jit ? nameAt(map, parseInt(jit[1]!, 16)) ?? 'JIT code (unnamed)' : what.replace(/ \[[^\]]*\]$/, '').replace(/^\?\?\?:/, '');
    by.set(name, (by.get(name) ?? 0) + ir);
  }
  if (total <= 0) throw new Error('no PROGRAM TOTALS line in the callgrind_annotate output');
  const functions = [...by].sort((a, b) => b[1] - a[1]).map(([name, ir]) => ({ name, share: ir / total }));
  return { total, functions };
}

/** callgrind_annotate's per-function self costs of one dump file. */
export function annotate(tools: CallgrindTools, file: string): string {
  return execFileSync(tools.annotate, ['--threshold=100', file], { encoding: 'utf8', maxBuffer: 256 << 20 });
}
