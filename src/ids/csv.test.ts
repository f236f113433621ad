import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvField, parseCsvLine } from './csv.js';

test('splits plain and quoted CSV fields', () => {
  assert.deepEqual(parseCsvLine('a,b,,c'), ['a', 'b', '', 'c']);
  assert.deepEqual(parseCsvLine('"x,y",2,"say ""hi"""'), ['x,y', '2', 'say "hi"']);
});

test('quotes fields only when needed and round-trips', () => {
  assert.equal(csvField('plain'), 'plain');
  const tricky = 'DoS, "Hulk"';
  assert.deepEqual(parseCsvLine(`${csvField(tricky)},1`), [tricky, '1']);
});
