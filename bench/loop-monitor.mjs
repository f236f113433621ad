// Preloaded into the gateway by bench/stalls.ts (node --import): appends one JSON line per
// event-loop gap over GAP_MS between 1 ms timer ticks (with the process CPU time spent in it:
// near the gap when the process was busy, near zero when it waited for a core) and per GC pause
// over GC_MS, to the file named by DDOS_SHIELD_LOOP_LOG. Wall time is Date.now(), to line the
// entries up with the runs.
import { appendFileSync } from 'node:fs';
import { setInterval } from 'node:timers';
import { PerformanceObserver, performance } from 'node:perf_hooks';

const file = process.env.DDOS_SHIELD_LOOP_LOG;
const GAP_MS = 5;
const GC_MS = 2;
const GC_KINDS = { 1: 'scavenge', 2: 'minor-mark-compact', 4: 'mark-compact', 8: 'incremental', 16: 'weak-callbacks' };
if (file) {
  const out = (o) => appendFileSync(file, `${JSON.stringify({ at: Date.now(), ...o })}\n`);
  let last = performance.now();
  let lastCpu = process.cpuUsage();
  setInterval(() => {
    const now = performance.now();
    const cpu = process.cpuUsage();
    const gap = now - last;
    if (gap > GAP_MS) out({ gapMs: +gap.toFixed(1), cpuMs: +((cpu.user - lastCpu.user + cpu.system - lastCpu.system) / 1000).toFixed(1) });
    last = now;
    lastCpu = cpu;
  }, 1).unref();
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (e.duration > GC_MS) out({ gc: GC_KINDS[e.detail?.kind] ?? String(e.detail?.kind), gcMs: +e.duration.toFixed(1) });
    }
  }).observe({ entryTypes: ['gc'] });
}
