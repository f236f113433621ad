import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { getPriority } from 'node:os';
import { test } from 'node:test';
import { setNice, threadsOf } from './priority.js';

const linux = process.platform === 'linux';

test('setNice changes every thread of a process and restore puts them back', { skip: !linux && 'needs /proc (Linux)' }, async () => {
  // a Node child has several threads (libuv, V8 platform workers); raising nice needs no privilege
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000); console.log("up")'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await once(child.stdout, 'data');
    const pid = child.pid!;
    const tids = threadsOf(pid);
    assert.ok(tids.length > 1, `a node process has helper threads, saw ${tids.length}`);
    const before = tids.map((t) => getPriority(t));
    const target = Math.min(19, Math.max(...before) + 3);
    const change = setNice([pid], target);
    assert.equal(change.threads, tids.length);
    for (const t of tids) assert.equal(getPriority(t), target, `thread ${t}`);
    change.restore();
    // putting a lower nice value back needs CAP_SYS_NICE (root); otherwise the raised value stays
    if (process.getuid?.() === 0) assert.deepEqual(tids.map((t) => getPriority(t)), before);
  } finally {
    child.kill();
  }
});

test('setNice rejects a value outside -20..19 and skips processes that are gone', () => {
  assert.throws(() => setNice([process.pid], 25), /from -20 to 19/);
  assert.deepEqual(threadsOf(2 ** 22 + 12345), []);
  assert.equal(setNice([2 ** 22 + 12345], 5).threads, 0);
});
