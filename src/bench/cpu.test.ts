import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readProcStat, type ProcStat } from '../peers/proc-tree.js';
import { clockTicksPerSecond, machineTicks, parseMachineTicks, procCpuSplit, procCpuTime } from './cpu.js';

test('reads the kernel clock tick rate', () => {
  const hz = clockTicksPerSecond();
  assert.ok(Number.isInteger(hz) && hz > 0, String(hz));
});

test('counts CPU time of a process and of its busy child', async () => {
  // The child burns CPU until told to stop, then reports its own usage on exit.
  const child = spawn(process.execPath, ['-e', `
    process.stdin.on('data', () => { const u = process.cpuUsage(); process.stdout.write(String((u.user + u.system) / 1000)); process.exit(0); });
    const spin = () => { const end = Date.now() + 20; while (Date.now() < end); setImmediate(spin); };
    spin(); process.stdout.write('ready\\n');
  `], { stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    await once(child.stdout, 'data');
    // Wait until the child has accumulated measurable CPU time (polling, no fixed sleep).
    let childMs = 0;
    while (childMs < 200) {
      await new Promise((r) => setTimeout(r, 50));
      childMs = procCpuTime([child.pid as number]);
    }
    // CPU times only grow: sampled in this order, the tree must hold at least both parts.
    childMs = procCpuTime([child.pid as number]);
    const own = readProcStat(process.pid) as ProcStat;
    const ownMs = ((own.utime + own.stime) * 1000) / clockTicksPerSecond();
    const tree = procCpuTime([process.pid]);
    assert.ok(tree >= childMs + ownMs, `tree ${tree} ms, child ${childMs} ms, own ${ownMs} ms`);
    assert.ok(childMs >= 200);
    // the child spins in user space: most of its time is user time, and the parts add up
    const split = procCpuSplit([child.pid as number]);
    assert.ok(split.userMs > split.systemMs, JSON.stringify(split));
    assert.ok(split.userMs + split.systemMs >= childMs, 'CPU time only grows');
    assert.equal(procCpuTime([2 ** 22 + 12345]), 0, 'a missing pid counts nothing');
  } finally {
    child.kill('SIGKILL');
  }
});

test('reads steal time from the aggregate cpu line of /proc/stat', () => {
  const t = parseMachineTicks('cpu  100 5 50 800 10 0 5 30 0 0\ncpu0 50 2 25 400 5 0 3 15 0 0\nintr 1\n');
  assert.deepEqual(t, { total: 1000, steal: 30 });
  assert.throws(() => parseMachineTicks('cpu0 1 2 3\n'), /no aggregate/);
  assert.throws(() => parseMachineTicks('cpu  1 2 x 4 5 6 7 8\n'), /unreadable/);
  const a = machineTicks();
  assert.ok(a, 'this machine has /proc/stat');
  let x = 0;
  for (let i = 0; i < 2e7; i++) x += i; // some CPU time passes
  const b = machineTicks()!;
  assert.ok(x > 0 && b.total >= a.total && b.steal >= a.steal);
});
