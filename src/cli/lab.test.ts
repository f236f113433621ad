import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../cli.ts', import.meta.url));

test('`lab run --address-base` takes a group from 10 to 253 and refuses anything else before running', () => {
  for (const bad of ['9', '254', '12.5', 'x']) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, 'lab', 'run', 'http-flood', '--target', 'none', '--address-base', bad], { encoding: 'utf8', timeout: 60_000 });
    assert.notEqual(r.status, 0, `--address-base ${bad} was accepted`);
    assert.match(r.stderr, new RegExp(`argument '${bad.replace('.', '\\.')}' is invalid\\. must be a whole number from 10 to 253`));
    assert.doesNotMatch(r.stderr + r.stdout, /starting http-flood/, 'nothing ran');
  }
});
