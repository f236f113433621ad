import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { skipUnlessTool } from '../peers/skip-unless.js';
import { affinityOf, cpuPlan, parseCpuList, pinProcesses, tasksetAvailable } from './cpu-pin.js';

test('CPU lists are parsed as the kernel writes them', () => {
  assert.deepEqual(parseCpuList('0'), [0]);
  assert.deepEqual(parseCpuList('0-3,6,8-9'), [0, 1, 2, 3, 6, 8, 9]);
  assert.deepEqual(parseCpuList(' 3,1-2\n'), [1, 2, 3]);
  assert.throws(() => parseCpuList('a-b'), /not a CPU list/);
  assert.throws(() => parseCpuList('4-2'), /descending/);
});

test('the load side gets the first half of the CPUs, the servers the rest', () => {
  assert.equal(cpuPlan([0]), null);
  assert.deepEqual(cpuPlan([0, 1]), { load: '0', servers: '1' });
  assert.deepEqual(cpuPlan([0, 1, 2]), { load: '0', servers: '1,2' });
  assert.deepEqual(cpuPlan([2, 3, 4, 5]), { load: '2,3', servers: '4,5' });
});

const taskset = tasksetAvailable();
const skip = skipUnlessTool(taskset, 'taskset', 'apt-get install util-linux');

test('a process and its threads are pinned to the CPUs given', { skip }, async () => {
  const mine = affinityOf(process.pid, taskset!);
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  try {
    await new Promise<void>((resolve, reject) => { child.once('spawn', resolve); child.once('error', reject); });
    const pid = child.pid!;
    const one = mine.at(-1)!;
    pinProcesses([pid], String(one), taskset!);
    assert.deepEqual(affinityOf(pid, taskset!), [one]);
    pinProcesses([pid], mine.join(','), taskset!);
    assert.deepEqual(affinityOf(pid, taskset!), mine);
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill();
    await exited;
  }
  // a process that has gone is no error
  pinProcesses([child.pid!], String(mine[0]), taskset!);
});
