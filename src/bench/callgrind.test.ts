import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dumpTotal, nameAt, parsePerfMap, selfCosts } from './callgrind.js';

test('the total of a dump comes from its totals line, else its summary line', () => {
  assert.equal(dumpTotal('version: 1\nevents: Ir\nfn=(1) main\n0 12\ntotals: 466508010\n'), 466508010);
  assert.equal(dumpTotal('events: Ir\nsummary: 42\n'), 42);
  assert.throws(() => dumpTotal('events: Ir\n'), /no totals or summary line/);
});

test('JIT addresses are named from a perf map, the last entry mapped at an address winning', () => {
  const map = parsePerfMap([
    'd100000 100 JS:*parseHead file:///x/dist/a.js:1:1',
    'd000000 40 Builtin:Something',
    'not a map line',
    'd100000 80 JS:*later file:///x/dist/b.js:2:2',
  ].join('\n'));
  assert.equal(map.length, 3);
  assert.equal(nameAt(map, 0xd000010), 'Builtin:Something');
  assert.equal(nameAt(map, 0xd000040), null); // past the end of the entry
  assert.equal(nameAt(map, 0xcffffff), null); // below every entry
  // code collected and replaced at the same address: the later line is the code that ran last
  assert.equal(nameAt(map, 0xd100010), 'JS:*later file:///x/dist/b.js:2:2');
  assert.equal(nameAt(map, 0xd100090), null);
});

test('self costs add up per name, JIT code named, shares of the program total', () => {
  const annotated = [
    '--------------------------------------------------------------------------------',
    '1,000 (100.0%)  PROGRAM TOTALS',
    '--------------------------------------------------------------------------------',
    '500 (50.00%)  ???:0x000000000d000010 [???]',
    '200 (20.00%)  ???:Builtins_KeyedLoadIC_Megamorphic [/usr/bin/node]',
    '100 (10.00%)  ???:0x000000000d000020 [???]',
    '100 (10.00%)  ???:0x00000000ee000000 [???]',
    ' 50 ( 5.00%)  ./malloc/./malloc/malloc.c:_int_malloc [/usr/lib/x86_64-linux-gnu/libc.so.6]',
  ].join('\n');
  const { total, functions } = selfCosts(annotated, parsePerfMap('d000000 40 JS:*hot file:///x/a.js:1:1'));
  assert.equal(total, 1000);
  assert.deepEqual(functions, [
    { name: 'JS:*hot file:///x/a.js:1:1', share: 0.6 },
    { name: 'Builtins_KeyedLoadIC_Megamorphic', share: 0.2 },
    { name: 'JIT code (unnamed)', share: 0.1 },
    { name: './malloc/./malloc/malloc.c:_int_malloc', share: 0.05 },
  ]);
  assert.throws(() => selfCosts('nothing here', []), /no PROGRAM TOTALS/);
});
