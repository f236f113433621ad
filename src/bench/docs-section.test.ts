import { test } from 'node:test';
import assert from 'node:assert/strict';
import { replaceMarkedSection } from './docs-section.js';

const S = '<!-- x:start -->';
const E = '<!-- x:end -->';

test('replaces only the text between the markers', () => {
  const doc = `# T\n\nintro\n\n## A\n\n${S}\nold\nlines\n${E}\n\n## B\n\nkept\n`;
  const out = replaceMarkedSection(doc, S, E, 'new table\n');
  assert.equal(out, `# T\n\nintro\n\n## A\n\n${S}\nnew table\n${E}\n\n## B\n\nkept\n`);
  assert.equal(replaceMarkedSection(out, S, E, 'new table'), out, 'idempotent');
});

test('appends a headed section when the markers are missing', () => {
  const out = replaceMarkedSection('# T\n', S, E, 'body', '## A');
  assert.equal(out, `# T\n\n## A\n\n${S}\nbody\n${E}\n`);
});

test('refuses a document with a lone marker', () => {
  assert.throws(() => replaceMarkedSection(`${S}\nx\n`, S, E, 'y'), /only one of/);
});
