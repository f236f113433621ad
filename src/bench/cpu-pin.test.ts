import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { skipUnlessTool } from '../peers/skip-unless.js';
import { affinityOf, cpuPlan, parseCpuList, pinForAWhile, pinProcesses, tasksetAvailable } from './cpu-pin.js';
import { threadsOf } from './priority.js';

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

test('a pin for a while moves the main thread alone or every thread, and is undone', { skip }, async (t) => {
  const mine = affinityOf(process.pid, taskset!);
  if (mine.length < 2) { t.skip('this process may use one CPU only: nothing to move a thread away from'); return; }
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  try {
    await new Promise<void>((resolve, reject) => { child.once('spawn', resolve); child.once('error', reject); });
    const pid = child.pid!;
    // node starts its helper threads (V8's platform workers) before running the script
    for (let i = 0; i < 50 && threadsOf(pid).length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    const helpers = threadsOf(pid).filter((tid) => tid !== pid);
    assert.ok(helpers.length > 0, 'node runs helper threads');
    const one = mine.at(-1)!;

    const main = pinForAWhile([pid], String(one), taskset!, 'main');
    assert.equal(main.threads, 1);
    assert.deepEqual(affinityOf(pid, taskset!), [one]);
    for (const tid of helpers) assert.deepEqual(affinityOf(tid, taskset!), mine, `helper thread ${tid} keeps every CPU`);
    main.restore();
    assert.deepEqual(affinityOf(pid, taskset!), mine);

    const all = pinForAWhile([pid], String(one), taskset!, 'all');
    assert.ok(all.threads >= 2);
    for (const tid of [pid, ...helpers]) assert.deepEqual(affinityOf(tid, taskset!), [one]);
    all.restore();
    for (const tid of [pid, ...helpers]) assert.deepEqual(affinityOf(tid, taskset!), mine);
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill();
    await exited;
  }
});
