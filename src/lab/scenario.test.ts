import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadScenarios, parseScenario, scaleScenario } from './scenario.js';

test('every shipped scenario is valid, named like its file, and the standard set covers floods, slow and low-and-slow attacks', async () => {
  const all = await loadScenarios();
  assert.ok(all.length >= 11);
  const gens = new Set(all.flatMap((s) => s.clients.map((c) => c.generator)));
  for (const g of ['browser', 'replay', 'api-poller', 'crawler', 'shared-address', 'wrk-flood', 'distributed-flood', 'cache-bust',
    'slowloris', 'slow-post', 'slow-read', 'low-and-slow', 'on-off', 'login-brute', 'path-scan']) assert.ok(gens.has(g), `some scenario uses ${g}`);
  const standard = all.filter((s) => s.standard).map((s) => s.name);
  assert.ok(standard.includes('http-flood') && standard.includes('distributed-flood') && standard.includes('low-and-slow'));
  const dist = all.find((s) => s.name === 'distributed-flood')?.clients.find((c) => c.generator === 'distributed-flood');
  assert.ok(Number(dist?.params.sources) >= 500);
});

test('a bad scenario is refused with every problem listed', () => {
  const text = 'name: Bad Name\ndescription: x\nduration: -1\nattackStart: 0\nclients:\n  - generator: nope\n    label: evil\n    rate: 1\n';
  assert.throws(() => parseScenario(text, 'bad.yaml'), (err: Error) =>
    /bad\.yaml/.test(err.message) && /name/.test(err.message) && /duration/.test(err.message) && /generator/.test(err.message) && /label/.test(err.message));
  assert.throws(() => parseScenario('name: x\ndescription: x\nduration: 5\nattackStart: 0\nclients:\n  - generator: crawler\n    label: benign\n    rate: 1\n    params: { sources: 3 }\n', 'p.yaml'),
    /crawler does not take sources/);
  assert.throws(() => parseScenario('a: [', 'broken.yaml'), /broken\.yaml: not YAML/);
});

test('scaling a scenario keeps its proportions', () => {
  const s = parseScenario('name: x\ndescription: x\nduration: 10\nattackStart: 4\nclients:\n  - generator: path-scan\n    label: attack\n    rate: 5\n    start: 4\n    duration: 2\nactions:\n  - at: 5\n    block: 127.0.0.9\n', 'x.yaml');
  const t = scaleScenario(s, 5);
  assert.equal(t.duration, 5);
  assert.equal(t.attackStart, 2);
  assert.equal(t.clients[0]?.start, 2);
  assert.equal(t.clients[0]?.duration, 1);
  assert.equal(t.actions[0]?.at, 2.5);
});
