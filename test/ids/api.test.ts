import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import { listen, closeServer } from '../../src/core/listen.js';
import { createFeatureMapper } from '../../src/ids/features.js';
import { SHORT_SPELLING, fixtureFlows, metricValue, post, shippedModel, startIds, waitFor, type Running } from './helpers.js';

const model = shippedModel();
const mapper = createFeatureMapper(model.featureIds);
const c18 = fixtureFlows('cse-cic-ids2018-sample.csv');
const imp = fixtureFlows('cic-ids2017-improved-sample.csv');
const mlcve = fixtureFlows('cic-ids2017-mlcve-sample.csv');

/** Header names (2018 cleaned spelling) of the first two model features, whatever the feature set. */
const [featA, featB] = model.featureIds.slice(0, 2).map((id) => c18.header.find((h) => mapper.resolve(h) === id) as string) as [string, string];

function withoutLabel(f: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(f).filter(([k]) => k.trim().toLowerCase() !== 'label'));
}

/** The same flow in the CSE-CIC-IDS2018 short spelling: the cleaned header is the published list minus Dst Port. */
function toShortSpelling(f: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = { 'Dst Port': '80' };
  c18.header.filter((h) => h !== 'Label').forEach((h, i) => { out[SHORT_SPELLING[i + 1] as string] = f[h] as string; });
  return out;
}

let srv: Running;
before(async () => { srv = await startIds(); });
after(async () => { await srv.close(); });

test('the cleaned 2018 header lines up with the published short spelling', () => {
  const cleaned = c18.header.filter((h) => h !== 'Label');
  assert.equal(cleaned.length, SHORT_SPELLING.length - 1);
  cleaned.forEach((h, i) => assert.equal(mapper.resolve(h), mapper.resolve(SHORT_SPELLING[i + 1] as string), `${h} vs ${SHORT_SPELLING[i + 1]}`));
});

test('accepts every spelling and gives the same score for the same flow', async () => {
  for (const flow of c18.flows.slice(0, 6)) {
    const long = await post(`${srv.url}/predict`, { features: withoutLabel(flow) });
    const short = await post(`${srv.url}/predict`, { features: toShortSpelling(flow) });
    assert.equal(long.status, 200, JSON.stringify(long.body));
    assert.equal(short.status, 200, JSON.stringify(short.body));
    assert.deepEqual(short.body.model_probabilities, long.body.model_probabilities);
    const ids = Object.fromEntries(Object.entries(withoutLabel(flow)).map(([k, v]) => [mapper.resolve(k) as string, Number(v)]));
    const canonical = await post(`${srv.url}/predict`, { features: ids });
    assert.deepEqual(canonical.body.model_probabilities, long.body.model_probabilities);
  }
  for (const set of [imp, mlcve]) {
    for (const flow of set.flows.slice(0, 5)) {
      const res = await post(`${srv.url}/predict`, { features: flow });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const parsed = mapper.parse(flow);
      assert.ok(parsed.ok);
      const direct = model.score(parsed.row);
      assert.equal(res.body.prediction, direct.prediction);
      assert.ok(Math.abs((res.body.attack_probability as number) - direct.probability) < 1e-6);
    }
  }
  assert.ok(mlcve.header.some((h) => h.startsWith(' ')), 'fixture keeps the leading spaces of CIC-IDS2017');
});

test('flags the attack rows of the fixtures more often than the benign ones', async () => {
  const flows = c18.flows.map(withoutLabel);
  const res = await post(`${srv.url}/predict/batch`, { flows });
  assert.equal(res.status, 200);
  const preds = res.body.predictions as number[];
  const isAttack = c18.flows.map((f) => f.Label !== 'Benign');
  const tpr = preds.filter((p, i) => p === 1 && isAttack[i]).length / isAttack.filter(Boolean).length;
  const fpr = preds.filter((p, i) => p === 1 && !isAttack[i]).length / isAttack.filter((a) => !a).length;
  assert.ok(tpr > fpr, `detection ${tpr} should exceed false positives ${fpr}`);
  const families = res.body.families as (string | null)[];
  preds.forEach((p, i) => {
    if (p === 1) assert.ok(families[i] && families[i] !== 'benign', `attack flow ${i} gets an attack family, got ${families[i]}`);
    else assert.equal(families[i], null);
  });
});

test('rejects a missing feature with 400 naming it', async () => {
  const flow = withoutLabel(c18.flows[0] as Record<string, string>);
  delete flow['Total Fwd Packets'];
  delete flow[c18.header.find((h) => mapper.resolve(h) === 'fwd_seg_size_min') as string];
  const res = await post(`${srv.url}/predict`, { features: flow });
  assert.equal(res.status, 400);
  assert.equal(res.body.error, 'INVALID_FEATURES');
  assert.match(res.body.message as string, /missing features: .*Tot Fwd Pkts/);
  assert.match(res.body.message as string, /Fwd Seg Size Min/);
  // a feature the model does not use may be left out
  const unused = withoutLabel(c18.flows[0] as Record<string, string>);
  delete unused['Fwd PSH Flags'];
  assert.equal((await post(`${srv.url}/predict`, { features: unused })).status, 200);
});

test('rejects malformed values and bodies with 400 and the reason', async () => {
  const flow = withoutLabel(c18.flows[0] as Record<string, string>);
  for (const bad of ['abc', true, { x: 1 }, '12abc']) {
    const res = await post(`${srv.url}/predict`, { features: { ...flow, [featA]: bad } });
    assert.equal(res.status, 400, `value ${JSON.stringify(bad)}`);
    assert.match(res.body.message as string, new RegExp(`malformed features: ${featA}`));
  }
  assert.equal((await post(`${srv.url}/predict`, '{"features": ')).status, 400);
  assert.equal((await post(`${srv.url}/predict`, { features: [1, 2] })).body.error, 'INVALID_REQUEST');
  assert.equal((await post(`${srv.url}/predict`, { flow })).status, 400);
  const text = await fetch(`${srv.url}/predict`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' });
  assert.equal(text.status, 415);
});

test('treats null, NaN and Infinity as the training non-finite value (-1) and counts them', async () => {
  const flow = withoutLabel(c18.flows[1] as Record<string, string>);
  const asMinusOne = await post(`${srv.url}/predict`, { features: { ...flow, [featA]: -1, [featB]: -1 } });
  for (const v of [null, 'Infinity', 'NaN', '-inf']) {
    const res = await post(`${srv.url}/predict`, { features: { ...flow, [featA]: v, [featB]: v } });
    assert.equal(res.status, 200);
    assert.equal(res.body.non_finite_values, 2);
    assert.deepEqual(res.body.model_probabilities, asMinusOne.body.model_probabilities);
  }
});

test('enforces the batch limits', async () => {
  const small = await startIds({ maxBatch: 3 });
  try {
    const flows = c18.flows.slice(0, 4).map(withoutLabel);
    const ok = await post(`${small.url}/predict/batch`, { flows: flows.slice(0, 3) });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.count, 3);
    assert.equal((ok.body.attack_count as number) + (ok.body.benign_count as number), 3);
    const tooMany = await post(`${small.url}/predict/batch`, { flows });
    assert.equal(tooMany.status, 413);
    assert.match(tooMany.body.message as string, /4 flows exceeds the maximum of 3/);
    assert.equal((await post(`${small.url}/predict/batch`, { flows: [] })).status, 400);
    const oneBad = await post(`${small.url}/predict/batch`, { flows: [flows[0], { Protocol: 6 }] });
    assert.equal(oneBad.status, 400);
    assert.match(oneBad.body.message as string, /index 1/);
    const metrics = await (await fetch(`${small.url}/metrics`)).text();
    assert.equal(metricValue(metrics, 'ids_flows_scored_total'), 3, 'rejected batches score nothing');
    assert.equal(metricValue(metrics, 'ids_rejected_requests_total', { reason: 'too_large' }), 1);
  } finally {
    await small.close();
  }
  const tiny = await startIds({ maxBodyBytes: 1000 });
  try {
    const res = await post(`${tiny.url}/predict/batch`, { flows: c18.flows.slice(0, 5).map(withoutLabel) });
    assert.equal(res.status, 413);
  } finally {
    await tiny.close();
  }
});

test('requires the API key when one is configured', async () => {
  const s = await startIds({ apiKey: 'sekret-key' });
  try {
    const body = { features: withoutLabel(c18.flows[0] as Record<string, string>) };
    assert.equal((await post(`${s.url}/predict`, body)).status, 401);
    assert.equal((await post(`${s.url}/predict`, body, { 'x-api-key': 'wrong' })).status, 401);
    assert.equal((await post(`${s.url}/predict`, body, { 'x-api-key': 'sekret-key' })).status, 200);
    assert.equal((await fetch(`${s.url}/model/info`)).status, 401);
    assert.equal((await fetch(`${s.url}/health`)).status, 200, 'health stays open');
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    assert.equal(metricValue(metrics, 'ids_rejected_requests_total', { reason: 'auth' }), 3);
  } finally {
    await s.close();
  }
});

test('rate-limits each client with 429 and Retry-After', async () => {
  const s = await startIds({ rateLimitPerSecond: 0.01, rateLimitBurst: 3 });
  try {
    const body = { features: withoutLabel(c18.flows[0] as Record<string, string>) };
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await post(`${s.url}/predict`, body)).status);
    assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
    const res = await post(`${s.url}/predict`, body);
    assert.ok(Number(res.headers.get('retry-after')) >= 1);
  } finally {
    await s.close();
  }
});

test('serves health, model card, OpenAPI and Prometheus metrics', async () => {
  const health = await (await fetch(`${srv.url}/health`)).json() as Record<string, unknown>;
  assert.equal(health.features_count, model.featureIds.length);
  assert.deepEqual(health.models_loaded, { random_forest: true, xgboost: true, xgboost_family: true });
  const card = await (await fetch(`${srv.url}/model/info`)).json() as { features: { model_features: string[] }; evaluations: unknown; ensemble: { threshold: number } };
  assert.deepEqual(card.features.model_features, [...model.featureIds]);
  assert.equal(health.decision_threshold, card.ensemble.threshold);
  const api = await (await fetch(`${srv.url}/openapi.json`)).json() as { openapi: string; paths: Record<string, unknown> };
  assert.match(api.openapi, /^3\./);
  assert.ok(api.paths['/predict/batch']);
  assert.equal((await fetch(`${srv.url}/nope`)).status, 404);
  assert.equal((await fetch(`${srv.url}/predict`)).status, 405);
  const before = metricValue(await (await fetch(`${srv.url}/metrics`)).text(), 'ids_flows_scored_total');
  await post(`${srv.url}/predict`, { features: withoutLabel(c18.flows[2] as Record<string, string>) });
  const text = await (await fetch(`${srv.url}/metrics`)).text();
  assert.equal(metricValue(text, 'ids_flows_scored_total'), before + 1);
  assert.ok(metricValue(text, 'ids_requests_total', { route: '/predict', status: '200' }) >= 1);
  assert.match(text, /ids_model_info\{version="/);
});

test('sends an alert for attack flows to the dashboard, with the bearer token', async () => {
  const got: { auth: string | undefined; body: Record<string, unknown> }[] = [];
  const dash = createServer((req: IncomingMessage, res) => {
    let data = '';
    req.on('data', (c) => { data += c; });
    req.on('end', () => {
      if (req.url === '/api/alerts' && req.method === 'POST') got.push({ auth: req.headers.authorization, body: JSON.parse(data) });
      res.writeHead(201).end('{}');
    });
  });
  const port = await listen(dash, 0, '127.0.0.1');
  const s = await startIds({ dashboardUrl: `http://127.0.0.1:${port}`, dashboardToken: 'tok' });
  try {
    const flows = c18.flows.map(withoutLabel);
    const res = await post(`${s.url}/predict/batch`, { flows });
    const attacks = res.body.attack_count as number;
    assert.ok(attacks > 0, 'the fixture holds attack flows');
    await waitFor(() => got.length === 1);
    assert.equal(got[0]?.auth, 'Bearer tok');
    assert.equal(got[0]?.body.source, 'ids');
    assert.equal((got[0]?.body.details as { attacks: number }).attacks, attacks);
  } finally {
    await s.close();
    await closeServer(dash);
  }
});

test('keeps answering and counts dropped alerts when the dashboard is away', async () => {
  const dead = createServer();
  const port = await listen(dead, 0, '127.0.0.1');
  await closeServer(dead);
  const s = await startIds({ dashboardUrl: `http://127.0.0.1:${port}`, alertTimeoutMs: 2000 });
  try {
    const res = await post(`${s.url}/predict/batch`, { flows: c18.flows.map(withoutLabel) });
    assert.equal(res.status, 200);
    await waitFor(async () => metricValue(await (await fetch(`${s.url}/metrics`)).text(), 'ids_alerts_dropped_total') === 1);
  } finally {
    await s.close();
  }
});
