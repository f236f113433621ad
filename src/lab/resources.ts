import { readFileSync } from 'node:fs';
import { procCpuTime } from '../bench/cpu.js';
import { processTree } from '../peers/proc-tree.js';

const PAGE_BYTES = 4096;

/** Resident memory of processes in bytes (from /proc/<pid>/statm). */
export function rssBytes(pids: readonly number[]): number {
  let pages = 0;
  for (const pid of pids) {
    try {
      pages += Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1] ?? 0);
    } catch {
      // gone
    }
  }
  return pages * PAGE_BYTES;
}

export interface ResourceSample {
  /** Run milliseconds. */
  t: number;
  /** CPU use over the last interval, in cores (1 = one full core). */
  cpuCores: number;
  rssBytes: number;
}

export interface ResourceSampler {
  samples(): readonly ResourceSample[];
  /** CPU seconds used since start. */
  cpuSecondsUsed(): number;
  stop(): void;
}

/** Samples CPU and RSS of process trees every `intervalMs` (the trees are re-read each time). */
export function sampleResources(rootPids: () => readonly number[], now: () => number, intervalMs = 1000): ResourceSampler {
  const cpuSeconds = (roots: readonly number[]) => procCpuTime(roots) / 1000;
  const samples: ResourceSample[] = [];
  const startCpu = cpuSeconds(rootPids());
  let lastCpu = startCpu;
  let lastT = now();
  let used = 0;
  const tick = () => {
    const roots = rootPids();
    if (roots.length === 0) return;
    const pids = processTree(roots);
    const cpu = cpuSeconds(roots);
    const t = now();
    samples.push({ t, cpuCores: (cpu - lastCpu) / Math.max((t - lastT) / 1000, 1e-3), rssBytes: rssBytes(pids) });
    used = cpu - startCpu;
    lastCpu = cpu;
    lastT = t;
  };
  const timer = setInterval(tick, intervalMs);
  return {
    samples: () => samples,
    cpuSecondsUsed: () => used,
    stop: () => { clearInterval(timer); tick(); },
  };
}
