import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePort, parseWholeNumber } from './parse.js';
import { demoCommand } from './demo.js';

test('parsePort takes whole numbers 0..65535 and names the rule otherwise', () => {
  assert.equal(parsePort('0'), 0);
  assert.equal(parsePort('65535'), 65535);
  for (const bad of ['-5', 'abc', '80.5', '65536', '', ' 80']) assert.throws(() => parsePort(bad), /must be a whole number from 0 to 65535/, bad);
});

test('parseWholeNumber takes digits only, from its minimum, and names the rule otherwise', () => {
  assert.equal(parseWholeNumber(0)('0'), 0);
  assert.equal(parseWholeNumber(0)('70000'), 70000);
  assert.equal(parseWholeNumber(1)('1'), 1);
  for (const bad of ['-1', 'abc', '2.5', '1e3', '', ' 5', '99999999999999999999']) assert.throws(() => parseWholeNumber(0)(bad), /^InvalidArgumentError: must be a whole number, 0 or more$/, bad);
  assert.throws(() => parseWholeNumber(1)('0'), /must be a whole number, 1 or more/);
});

test('demo: a port flag that is not a port is refused before anything starts', async () => {
  for (const flag of ['--port', '--admin-port', '--backend-port', '--dashboard-port', '--ids-port']) {
    let out = '';
    const cmd = demoCommand().exitOverride().configureOutput({ writeErr: (s) => { out += s; } });
    cmd.action(() => assert.fail('the demo must not start'));
    await assert.rejects(cmd.parseAsync([flag, '-5'], { from: 'user' }), /invalid/);
    assert.match(out, new RegExp(`option '${flag} <n>' argument '-5' is invalid\\. must be a whole number from 0 to 65535`));
  }
});
