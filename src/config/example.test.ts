// config/gateway.example.yaml claims to show every option with its default: this holds it to that.
// Every leaf of the schema's defaults must be in the file with the same value, and the file must
// hold nothing else; what is deliberately left out is listed below with the reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { gatewayConfigSchema } from './schema.js';

const EXAMPLE = resolve(import.meta.dirname, '..', '..', 'config', 'gateway.example.yaml');

/** Options shown in the file only as a comment, and why. */
const LEFT_OUT: Record<string, string> = {
  'detection.modelDir': 'its default is the absolute path of the committed model (models/http/), which depends on where the package is installed',
};

type Json = Record<string, unknown>;
const isPlain = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every leaf (a value that is not a mapping; arrays are leaves) by its dotted path. */
function leaves(v: Json, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [k, x] of Object.entries(v)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (isPlain(x)) for (const [p, y] of leaves(x, path)) out.set(p, y);
    else out.set(path, x);
  }
  return out;
}

const text = readFileSync(EXAMPLE, 'utf8');
const file = leaves(parse(text) as Json);
const defaults = leaves(gatewayConfigSchema.parse({}) as unknown as Json);

test('every option of the schema is in the example file with its default value', () => {
  const problems: string[] = [];
  for (const [path, value] of defaults) {
    if (path in LEFT_OUT) {
      if (file.has(path)) problems.push(`${path} is listed as left out of the example but is in it`);
      continue;
    }
    if (!file.has(path)) problems.push(`${path} is missing (default ${JSON.stringify(value)})`);
    else {
      try { assert.deepStrictEqual(file.get(path), value); } catch {
        problems.push(`${path} is ${JSON.stringify(file.get(path))} in the example, the default is ${JSON.stringify(value)}`);
      }
    }
  }
  for (const path of file.keys()) if (!defaults.has(path)) problems.push(`${path} is in the example but is not an option`);
  for (const path of Object.keys(LEFT_OUT)) if (!defaults.has(path)) problems.push(`${path} is listed as left out but is not an option any more`);
  assert.deepEqual(problems, [], `config/gateway.example.yaml disagrees with src/config/schema.ts:\n  ${problems.join('\n  ')}`);
});

test('the options left out of the example are still shown there as a comment', () => {
  for (const path of Object.keys(LEFT_OUT)) {
    const key = path.split('.').at(-1) as string;
    assert.match(text, new RegExp(`^\\s*#\\s*${key}:`, 'm'), `${path} appears as a comment`);
  }
});

test('the example documents the rules that are not plain defaults', () => {
  // cross-field rules of the schema that a reader of the file must know about
  assert.match(text, /secret:.*at least 16 bytes/, 'challenge.secret must be at least 16 bytes');
  assert.match(text, /host:.*non-loopback needs a token/, 'admin.host without a token is loopback only');
  assert.match(text, /defaultDurationSec:.*(at most|not above|must not exceed) maxDurationSec/, 'blocking.defaultDurationSec <= maxDurationSec');
});

test('every option in the example has a one-line explanation (a comment on its line or just above)', () => {
  const lines = text.split('\n');
  const bare: string[] = [];
  lines.forEach((line, i) => {
    const m = /^(\s*)([A-Za-z][A-Za-z0-9]*):\s*(.*)$/.exec(line);
    if (!m) return;
    const value = m[3] as string;
    if (value === '' || value.startsWith('#')) return; // a section (its keys carry the explanations) or one commented itself
    if (value.includes('#')) return;
    const above = (lines[i - 1] ?? '').trim();
    if (above.startsWith('#')) return;
    bare.push(`line ${i + 1}: ${line.trim()}`);
  });
  assert.deepEqual(bare, [], 'options without an explanation');
});
