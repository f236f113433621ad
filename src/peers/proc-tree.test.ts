import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { parseProcStat, processTree, readProcStat, type ProcStat } from './proc-tree.js';

test('parses a stat line whose command name holds spaces and parentheses', () => {
  const fields = ['S', '42', ...Array.from({ length: 9 }, (_, i) => String(i)), '1234', '567', ...Array.from({ length: 6 }, () => '0'), '999', '0'];
  const st = parseProcStat(`77 (node (my) worker) ${fields.join(' ')}`);
  assert.deepEqual(st, { pid: 77, ppid: 42, utime: 1234, stime: 567, starttime: 999 });
  assert.equal(parseProcStat('garbage'), null);
});

test('collects a tree from ppid links and ignores unrelated and dead roots', () => {
  const s = (pid: number, ppid: number): ProcStat => ({ pid, ppid, utime: 0, stime: 0, starttime: 0 });
  const stats = [s(1, 0), s(10, 1), s(11, 10), s(12, 10), s(13, 12), s(20, 1), s(21, 20)];
  assert.deepEqual(processTree([10], stats), [10, 11, 12, 13]);
  assert.deepEqual(processTree([12, 21], stats), [12, 13, 21]);
  assert.deepEqual(processTree([99], stats), []);
});

test('finds a live child of this process in /proc', async () => {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  try {
    await once(child, 'spawn');
    const tree = processTree([process.pid]);
    assert.ok(tree.includes(process.pid));
    assert.ok(tree.includes(child.pid as number), `child ${child.pid} in ${tree.join(',')}`);
    assert.equal(readProcStat(child.pid as number)?.ppid, process.pid);
  } finally {
    child.kill('SIGKILL');
  }
});
